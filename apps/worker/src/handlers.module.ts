import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { mailConfig } from './config/mail.config.js';
import { DocumentsWorkerModule } from './documents-worker.module.js';
import { DemoHandlers } from './handlers/demo.handlers.js';
import { EmailHandlers } from './handlers/email.handlers.js';
import { MaintenanceHandlers } from './handlers/maintenance.handlers.js';
import { HousekeepingModule } from '@app/housekeeping';
import { createHistoryStore, HISTORY_STORE, HistoryService } from '@app/history';
import { getDataSourceToken } from '@nestjs/typeorm';
import { WeeklyReportService } from './services/weekly-report.service.js';
import { MailerService } from './services/mailer.service.js';

/** Every task handler and the services they call: loaded where tasks run (executor threads, or inline). */
@Module({
  imports: [ConfigModule.forFeature(mailConfig), DocumentsWorkerModule, HousekeepingModule],
  providers: [
    MailerService,
    DemoHandlers,
    EmailHandlers,
    MaintenanceHandlers,
    WeeklyReportService,
    // the history's reads only (its stats): HistoryModule would also make a recorder of every executor thread
    { provide: HISTORY_STORE, inject: [getDataSourceToken()], useFactory: createHistoryStore },
    HistoryService,
  ],
})
export class HandlersModule {}
