import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { mailConfig } from './config/mail.config.js';
import { DocumentsWorkerModule } from './documents-worker.module.js';
import { DemoHandlers } from './handlers/demo.handlers.js';
import { EmailHandlers } from './handlers/email.handlers.js';
import { MailerService } from './services/mailer.service.js';

/** Every task handler and the services they call: loaded where tasks run (executor threads, or inline). */
@Module({
  imports: [ConfigModule.forFeature(mailConfig), DocumentsWorkerModule],
  providers: [MailerService, DemoHandlers, EmailHandlers],
})
export class HandlersModule {}
