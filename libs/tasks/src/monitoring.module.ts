import { Module } from '@nestjs/common';
import { AlertLease } from './alerts/alert-lease.js';
import { AlertMonitor } from './alerts/alert-monitor.js';
import { AlertNotifier } from './alerts/alert-notifier.js';
import { ALERTS_CONFIG, loadAlertsConfig } from './alerts/alerts.config.js';
import { MetricsReader } from './metrics/metrics-reader.js';
import { QueueObserver } from './metrics/queue-observer.js';

/**
 * Metrics and alerts, in every API and worker process (not in executor threads): the alert monitor and its
 * webhook notifier (whichever process holds the alert lease runs them), and what `GET /metrics` reads. What
 * the task events add to both is written by `MonitoringSinksModule`, wherever the events recorder runs. Needs
 * `TasksModule` (producer or worker form).
 */
@Module({
  providers: [
    { provide: ALERTS_CONFIG, useFactory: () => loadAlertsConfig() },
    QueueObserver,
    MetricsReader,
    AlertLease,
    AlertMonitor,
    AlertNotifier,
  ],
  exports: [MetricsReader, QueueObserver, ALERTS_CONFIG],
})
export class MonitoringModule {}
