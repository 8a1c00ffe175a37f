import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseModule } from '@app/database';
import { HistoryModule } from '@app/history';
import { HousekeepingModule } from '@app/housekeeping';
import { SchedulesModule } from '@app/schedules';
import { TasksModule } from '@app/tasks';
import { ApiKeyGuard } from './auth/api-key.guard.js';
import { apiConfig } from './config/api.config.js';
import { DocumentsApiModule } from './documents/documents-api.module.js';
import { ApiExceptionFilter } from './errors/api-exception.filter.js';
import { MetricsApiModule } from './metrics/metrics-api.module.js';
import { HealthController } from './health/health.controller.js';
import { HistoryController } from './history/history.controller.js';
import { QueuesController } from './monitoring/queues.controller.js';
import { ApiRecordingModule } from './recording/api-recording.module.js';
import { SchedulesController } from './schedules/schedules.controller.js';
import { DevicesController } from './devices/devices.controller.js';
import { TokensController } from './tokens/tokens.controller.js';
import { ReportsController } from './reports/reports.controller.js';
import { WorkersController } from './monitoring/workers.controller.js';
import { RedisHealthIndicator } from './health/redis.health.js';
import { TasksController } from './tasks/tasks.controller.js';
import { WorkflowsController } from './workflows/workflows.controller.js';

/** The producer: REST API over the task client. Nothing here consumes a queue. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [apiConfig] }),
    TasksModule.forProducer(),
    DatabaseModule,
    TerminusModule,
    DocumentsApiModule,
    MetricsApiModule,
    HistoryModule,
    ApiRecordingModule.forRoot(),
    SchedulesModule.forApi(),
    HousekeepingModule,
  ],
  controllers: [
    HistoryController,
    TasksController,
    WorkflowsController,
    WorkersController,
    QueuesController,
    SchedulesController,
    TokensController,
    DevicesController,
    ReportsController,
    HealthController,
  ],
  providers: [
    RedisHealthIndicator,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
  ],
})
export class ApiModule {}
