import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { AlertsSink } from './alerts/alerts-sink.js';
import type { TasksConfig } from './config/tasks.config.js';
import { EventRecorder } from './events/event-recorder.js';
import { MetricsSink } from './metrics/metrics-sink.js';
import { TaskIdentities } from './metrics/task-identities.js';
import { TASKS_CONFIG } from './tokens.js';

/**
 * The `metrics` and `alerts` sinks of the events recorder, registered with it: imported where the recorder
 * runs (an API's recorder thread, a worker standing in for it).
 */
@Module({ providers: [TaskIdentities, MetricsSink, AlertsSink] })
export class MonitoringSinksModule implements OnModuleInit {
  constructor(
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    private readonly recorder: EventRecorder,
    private readonly metrics: MetricsSink,
    private readonly alerts: AlertsSink,
  ) {}

  onModuleInit(): void {
    // with METRICS_ENABLED=false the per-task metrics stop where they are (and are not served); the alerts
    // read the same events as long as any are written (history or metrics on)
    if (this.config.events.metrics) this.recorder.register(this.metrics);
    if (this.config.events.enabled) this.recorder.register(this.alerts);
  }
}
