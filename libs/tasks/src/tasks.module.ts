import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { DiscoveryModule } from '@nestjs/core';
import { tasksConfig, type TasksConfig } from './config/tasks.config.js';
import { QueueRegistry } from './core/queue-registry.js';
import { Revocations } from './core/revocations.js';
import { TaskCatalogue } from './core/task-catalogue.js';
import { TaskClient } from './core/task-client.js';
import { ALL_TASKS } from './definitions/index.js';
import { ProducerConnectionCloser, producerRedisProvider } from './redis/producer-connection.js';
import { HandlerRegistry } from './runtime/handler-registry.js';
import { RevocationListener } from './runtime/revocation-listener.js';
import { TaskRunner } from './runtime/task-runner.js';
import { TaskWorkerService } from './runtime/task-worker.service.js';
import { WORKER_RUNTIME_OPTIONS, type WorkerRuntimeOptions } from './runtime/worker-options.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from './tokens.js';

const producerProviders: Provider[] = [
  {
    provide: TASKS_CONFIG,
    inject: [ConfigService],
    useFactory: (config: ConfigService): TasksConfig => config.getOrThrow<TasksConfig>('tasks'),
  },
  producerRedisProvider,
  ProducerConnectionCloser,
  { provide: TaskCatalogue, useValue: new TaskCatalogue(ALL_TASKS) },
  QueueRegistry,
  Revocations,
  TaskClient,
];
const producerExports = [TASKS_CONFIG, PRODUCER_REDIS, TaskCatalogue, QueueRegistry, Revocations, TaskClient];

/**
 * The task system for either app. `forProducer()`: what the API needs to submit and inspect tasks, nothing that
 * consumes. `forWorker()`: the same, plus handler discovery and the BullMQ workers.
 */
@Module({})
export class TasksModule {
  static forProducer(): DynamicModule {
    return {
      module: TasksModule,
      global: true,
      imports: [ConfigModule.forFeature(tasksConfig)],
      providers: producerProviders,
      exports: producerExports,
    };
  }

  static forWorker(options: WorkerRuntimeOptions): DynamicModule {
    return {
      module: TasksModule,
      global: true,
      imports: [ConfigModule.forFeature(tasksConfig), DiscoveryModule],
      providers: [
        ...producerProviders,
        { provide: WORKER_RUNTIME_OPTIONS, useValue: options },
        HandlerRegistry,
        RevocationListener,
        TaskRunner,
        TaskWorkerService,
      ],
      exports: [...producerExports, HandlerRegistry, TaskWorkerService],
    };
  }
}
