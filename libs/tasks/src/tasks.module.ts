import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { DiscoveryModule } from '@nestjs/core';
import { bullRegistrations, configuredQueueNames } from './bull-registrations.js';
import { tasksConfig, type TasksConfig } from './config/tasks.config.js';
import { QueueInspector } from './core/queue-inspector.js';
import { QueueRegistry } from './core/queue-registry.js';
import { Revocations } from './core/revocations.js';
import { TaskCatalogue } from './core/task-catalogue.js';
import { TaskClient } from './core/task-client.js';
import { TaskStatusReader } from './core/task-status-reader.js';
import { WorkerDirectory } from './core/worker-directory.js';
import { ALL_TASKS } from './definitions/index.js';
import { ProducerConnectionCloser, producerRedisProvider } from './redis/producer-connection.js';
import { InlineExecutor } from './runtime/executors/inline-executor.js';
import { TASK_EXECUTOR } from './runtime/executors/task-executor.js';
import { SplitExecutor } from './runtime/executors/split-executor.js';
import { ThreadPoolExecutor } from './runtime/executors/thread-pool-executor.js';
import { HandlerRegistry } from './runtime/handler-registry.js';
import { RevocationListener } from './runtime/revocation-listener.js';
import { TaskHooks } from './runtime/task-hooks.js';
import { TaskRunner } from './runtime/task-runner.js';
import { TaskWorkerService } from './runtime/task-worker.service.js';
import { WORKER_RUNTIME_OPTIONS, type WorkerRuntimeOptions } from './runtime/worker-options.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from './tokens.js';
import { JobWriter } from './core/job-writer.js';
import {
  EVENT_RECORDER_BATCH,
  EVENT_RECORDER_ROLE,
  EventRecorder,
  THREAD_BATCH,
} from './events/event-recorder.js';
import { TaskLifecycle } from './runtime/task-lifecycle.js';
import { WorkflowClient } from './workflows/workflow-client.js';
import { WorkflowEngine } from './workflows/workflow-engine.js';
import { WorkflowMembers } from './workflows/workflow-members.js';
import { WorkflowStatusReader } from './workflows/workflow-status.js';

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
  JobWriter,
  EventRecorder,
  QueueInspector,
  Revocations,
  TaskClient,
  TaskStatusReader,
  WorkerDirectory,
  WorkflowEngine,
  WorkflowStatusReader,
  WorkflowClient,
];
const producerExports = [
  TASKS_CONFIG,
  JobWriter,
  EventRecorder,
  PRODUCER_REDIS,
  TaskCatalogue,
  QueueRegistry,
  QueueInspector,
  Revocations,
  TaskClient,
  TaskStatusReader,
  WorkerDirectory,
  WorkflowClient,
  WorkflowStatusReader,
];

/**
 * The task system for each kind of process. `forProducer()`: submit and inspect, nothing that consumes (the
 * API, the control commands). `forWorker()`: the consumer (BullMQ workers, limits, revokes, heartbeat) and its
 * executor. `forExecutor()`: inside an executor thread, the handlers and what they need to submit more work.
 * The producer and worker forms also register the configured queues and the flow producer with
 * `@nestjs/bullmq` (injectable by token, e.g. for a dashboard); consumption stays `TaskWorkerService`'s.
 */
@Module({})
export class TasksModule {
  static forProducer(): DynamicModule {
    const bull = bullRegistrations(configuredQueueNames());
    return {
      module: TasksModule,
      global: true,
      imports: [ConfigModule.forFeature(tasksConfig), ...bull.imports],
      providers: [...producerProviders, ...bull.providers],
      exports: [...producerExports, ...bull.exports],
    };
  }

  static forWorker(options: WorkerRuntimeOptions): DynamicModule {
    const pool = options.pool;
    const bull = bullRegistrations(configuredQueueNames(options.queues));
    return {
      module: TasksModule,
      global: true,
      imports: [ConfigModule.forFeature(tasksConfig), DiscoveryModule, ...bull.imports],
      providers: [
        ...producerProviders,
        ...bull.providers,
        HandlerRegistry,
        { provide: WORKER_RUNTIME_OPTIONS, useValue: options },
        { provide: EVENT_RECORDER_ROLE, useValue: 'standby' },
        InlineExecutor,
        pool.kind === 'inline'
          ? { provide: TASK_EXECUTOR, useExisting: InlineExecutor }
          : {
              provide: TASK_EXECUTOR,
              inject: [TaskCatalogue, InlineExecutor],
              useFactory: (catalogue: TaskCatalogue, inline: InlineExecutor): SplitExecutor =>
                new SplitExecutor(catalogue, new ThreadPoolExecutor(pool), inline),
            },
        TaskHooks,
        TaskLifecycle,
        RevocationListener,
        WorkflowMembers,
        TaskRunner,
        TaskWorkerService,
      ],
      exports: [...producerExports, ...bull.exports, TaskWorkerService],
    };
  }

  /**
   * `forRecorder()`: inside an API's recorder thread (`RecorderThread`), the events recorder with the producer
   * side its sinks read (no queues registered: nothing here adds jobs).
   */
  static forRecorder(): DynamicModule {
    return {
      module: TasksModule,
      global: true,
      imports: [ConfigModule.forFeature(tasksConfig)],
      providers: [...producerProviders, { provide: EVENT_RECORDER_BATCH, useValue: THREAD_BATCH }],
      exports: producerExports,
    };
  }

  static forExecutor(): DynamicModule {
    return {
      module: TasksModule,
      global: true,
      imports: [ConfigModule.forFeature(tasksConfig), DiscoveryModule],
      providers: [...producerProviders, HandlerRegistry],
      exports: [...producerExports, HandlerRegistry],
    };
  }
}
