import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TasksModule, type WorkerRuntimeOptions } from '@app/tasks';
import { mailConfig } from './config/mail.config.js';
import { DocumentsWorkerModule } from './documents-worker.module.js';
import { DemoHandlers } from './handlers/demo.handlers.js';
import { EmailHandlers } from './handlers/email.handlers.js';
import { MailerService } from './services/mailer.service.js';

/** The consumer: task handlers and the services they call, over `TasksModule.forWorker()`. */
@Module({})
export class WorkerModule {
  static forRoot(options: WorkerRuntimeOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [mailConfig] }),
        TasksModule.forWorker(options),
        DocumentsWorkerModule,
      ],
      providers: [MailerService, DemoHandlers, EmailHandlers],
    };
  }
}
