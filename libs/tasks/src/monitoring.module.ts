import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { AlertLease } from './alerts/alert-lease.js';
import { AlertMonitor } from './alerts/alert-monitor.js';
import { AlertNotifier } from './alerts/alert-notifier.js';
import { AlertsSink } from './alerts/alerts-sink.js';
import { ALERTS_CONFIG, loadAlertsConfig } from './alerts/alerts.config.js';
import type { TasksConfig } from './config/tasks.config.js';
import { EventRecorder } from './events/event-recorder.js';
import { MetricsReader } from './metrics/metrics-reader.js';
import { MetricsSink } from './metrics/metrics-sink.js';
import { QueueObserver } from './metrics/queue-observer.js';
import { TaskIdentities } from './metrics/task-identities.js';
import { TASKS_CONFIG } from './tokens.js';

/**
 * Metrics and alerts, in every API and worker process (not in executor threads): the `metrics` and `alerts`
 * sinks of the events recorder (whichever process holds its lease applies them), the alert monitor and its
 * webhook notifier (whichever holds the alert lease), and what `GET /metrics` reads. Needs `TasksModule`
 * (producer or worker form).
 */
@Module({
  providers: [
    { provide: ALERTS_CONFIG, useFactory: () => loadAlertsConfig() },
    TaskIdentities,
    MetricsSink,
    AlertsSink,
    QueueObserver,
    MetricsReader,
    AlertLease,
    AlertMonitor,
    AlertNotifier,
  ],
  exports: [MetricsReader, QueueObserver, ALERTS_CONFIG],
})
export class MonitoringModule implements OnModuleInit {
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
