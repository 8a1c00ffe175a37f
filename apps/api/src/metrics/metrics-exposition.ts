import { Counter, Gauge, Registry } from 'prom-client';
import {
  ALERT_KINDS,
  JOB_STATES,
  TASK_COUNTERS,
  type MetricsSnapshot,
  type TaskCounter,
  type TaskHistogram,
} from '@app/tasks';
import { AggregatedHistogram } from './aggregated-histogram.js';

const COUNTER_HELP: Record<TaskCounter, string> = {
  received: 'Tasks queued (REST, workflows, schedules, the CLI)',
  started: 'Task attempts started by a worker (each retry counts again)',
  succeeded: 'Tasks that succeeded',
  failed: 'Tasks that failed for good (retries spent, or a permanent error)',
  retried: 'Task attempts that failed and will run again',
  revoked: 'Tasks revoked before they ran, or stopped while they ran',
};

const HISTOGRAMS: { key: TaskHistogram; name: string; help: string }[] = [
  {
    key: 'runtime',
    name: 'codehubot_task_runtime_seconds',
    help: "Time a task's code ran, observed when it succeeded or failed for good",
  },
  {
    key: 'queue_wait',
    name: 'codehubot_task_queue_wait_seconds',
    help: 'Time from a task being ready to run (queued, or its eta reached) to its first start',
  },
];

/**
 * The Prometheus text of one snapshot: the totals every worker added up in Redis, the queues and the live
 * workers' heartbeats as they are now, the events pipeline and the alerts. A registry per scrape: each value
 * is read, not accumulated in this process.
 */
export function renderSnapshot(snapshot: MetricsSnapshot): Promise<string> {
  const registry = new Registry();
  const registers = [registry];

  if (snapshot.tasks) {
    for (const counter of TASK_COUNTERS) {
      const metric = new Counter({
        name: `codehubot_task_${counter}_total`,
        help: COUNTER_HELP[counter],
        labelNames: ['name', 'queue'],
        registers,
      });
      for (const { labels, value } of snapshot.tasks.counters.get(counter)?.values() ?? []) {
        metric.inc({ name: labels.name, queue: labels.queue }, value);
      }
    }
    for (const { key, name, help } of HISTOGRAMS) {
      const metric = new AggregatedHistogram({ name, help, labelNames: ['name', 'queue'] });
      for (const { labels, histogram } of snapshot.tasks.histograms.get(key)?.values() ?? []) {
        metric.add({ name: labels.name, queue: labels.queue }, histogram);
      }
      registry.registerMetric(metric);
    }
  }

  const { queues, workers } = snapshot.system;
  const queueTasks = new Gauge({
    name: 'codehubot_queue_tasks',
    help: 'Tasks in each queue, by state',
    labelNames: ['queue', 'state'],
    registers,
  });
  const oldest = new Gauge({
    name: 'codehubot_queue_oldest_waiting_age_seconds',
    help: 'How long the task next in line of each queue has been ready to run (0 when none waits)',
    labelNames: ['queue'],
    registers,
  });
  for (const queue of queues) {
    for (const state of JOB_STATES) queueTasks.set({ queue: queue.name, state }, queue.counts[state]);
    oldest.set({ queue: queue.name }, queue.oldestWaitingAge);
  }

  new Gauge({ name: 'codehubot_workers_up', help: 'Live workers (heartbeat not expired)', registers }).set(
    workers.length,
  );
  const active = new Gauge({
    name: 'codehubot_worker_active_tasks',
    help: 'Tasks each live worker runs now',
    labelNames: ['worker'],
    registers,
  });
  const replaced = new Counter({
    name: 'codehubot_executor_thread_replacements_total',
    help: 'Executor threads each worker replaced since it started (recycled, or ended by a limit or a crash); a new worker id starts from 0',
    labelNames: ['worker'],
    registers,
  });
  const lag = new Gauge({
    name: 'codehubot_worker_event_loop_lag_seconds',
    help: "Worst lag of each worker's event loop over its last heartbeat interval",
    labelNames: ['worker'],
    registers,
  });
  for (const worker of workers) {
    active.set({ worker: worker.id }, worker.active.length);
    replaced.inc({ worker: worker.id }, worker.pool.replaced);
    lag.set({ worker: worker.id }, worker.loop_lag_ms / 1000);
  }

  new Gauge({
    name: 'codehubot_events_backlog',
    help: 'Entries on the task events stream (kept until every sink has applied them)',
    registers,
  }).set(snapshot.events.backlog);
  const sinkLag = new Gauge({
    name: 'codehubot_events_sink_lag_seconds',
    help: 'Time span of the task events each sink has not applied yet',
    labelNames: ['sink'],
    registers,
  });
  for (const sink of snapshot.events.sinks) sinkLag.set({ sink: sink.name }, sink.lagSeconds);

  const fired = new Counter({
    name: 'codehubot_alerts_total',
    help: 'Alert incidents fired, by alert',
    labelNames: ['alert'],
    registers,
  });
  for (const alert of ALERT_KINDS) fired.inc({ alert }, snapshot.alerts.fired[alert]);
  const firing = new Gauge({
    name: 'codehubot_alert_firing',
    help: 'Open alert incidents (1 while open; a resolved incident leaves the series)',
    labelNames: ['alert', 'subject'],
    registers,
  });
  for (const incident of snapshot.alerts.open) {
    firing.set({ alert: incident.alert, subject: incident.subject }, 1);
  }

  return registry.metrics();
}
