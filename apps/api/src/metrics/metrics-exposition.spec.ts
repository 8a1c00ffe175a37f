import { describe, expect, it } from '@jest/globals';
import { parseTaskMetrics, sinkLagSeconds, type MetricsSnapshot, type WorkerInfo } from '@app/tasks';
import { renderSnapshot } from './metrics-exposition.js';

const worker = {
  id: 'host:1',
  active: [{}, {}],
  pool: { replaced: 3 },
  loop_lag_ms: 12,
} as unknown as WorkerInfo;

const snapshot = (tasks: MetricsSnapshot['tasks']): MetricsSnapshot => ({
  tasks,
  system: {
    at: 0,
    queues: [
      {
        name: 'default',
        counts: {
          waiting: 4,
          prioritized: 0,
          delayed: 1,
          active: 2,
          completed: 9,
          failed: 1,
          'waiting-children': 0,
        },
        oldestWaitingAge: 2.5,
      },
    ],
    workers: [worker],
  },
  events: { backlog: 7, sinks: [{ name: 'metrics', lagSeconds: 0 }] },
  alerts: {
    fired: { task_failed: 2, queue_unattended: 0, queue_wait: 1, schedule_error: 0 },
    open: [{ alert: 'queue_wait', subject: 'default', since: 0, message: '', details: {} }],
  },
});

describe('the /metrics exposition', () => {
  it('writes the totals read from Redis as counters and cumulative histograms', async () => {
    const tasks = parseTaskMetrics({
      '["c","succeeded","tasks.add","default"]': '5',
      '["b","runtime","tasks.add","default",0]': '3',
      '["b","runtime","tasks.add","default",4]': '2',
      '["s","runtime","tasks.add","default"]': '0.2',
      '["n","runtime","tasks.add","default"]': '5',
    });
    const text = await renderSnapshot(snapshot(tasks));
    const labels = 'name="tasks.add",queue="default"';
    expect(text).toContain(`codehubot_task_succeeded_total{${labels}} 5`);
    expect(text).toContain(`codehubot_task_runtime_seconds_bucket{${labels},le="0.005"} 3`);
    expect(text).toContain(`codehubot_task_runtime_seconds_bucket{${labels},le="0.05"} 3`);
    expect(text).toContain(`codehubot_task_runtime_seconds_bucket{${labels},le="0.1"} 5`);
    expect(text).toContain(`codehubot_task_runtime_seconds_bucket{${labels},le="+Inf"} 5`);
    expect(text).toContain(`codehubot_task_runtime_seconds_sum{${labels}} 0.2`);
    expect(text).toContain(`codehubot_task_runtime_seconds_count{${labels}} 5`);
    expect(text).toContain('# TYPE codehubot_task_runtime_seconds histogram');
    expect(text).toContain('codehubot_queue_tasks{queue="default",state="waiting"} 4');
    expect(text).toContain('codehubot_queue_oldest_waiting_age_seconds{queue="default"} 2.5');
    expect(text).toContain('codehubot_workers_up 1');
    expect(text).toContain('codehubot_worker_active_tasks{worker="host:1"} 2');
    expect(text).toContain('codehubot_executor_thread_replacements_total{worker="host:1"} 3');
    expect(text).toContain('codehubot_worker_event_loop_lag_seconds{worker="host:1"} 0.012');
    expect(text).toContain('codehubot_events_backlog 7');
    expect(text).toContain('codehubot_alerts_total{alert="task_failed"} 2');
    expect(text).toContain('codehubot_alerts_total{alert="queue_unattended"} 0');
    expect(text).toContain('codehubot_alert_firing{alert="queue_wait",subject="default"} 1');
  });

  it('leaves the per-task series out with METRICS_ENABLED=false, and serves the live ones', async () => {
    const text = await renderSnapshot(snapshot(undefined));
    expect(text).not.toMatch(/codehubot_task_/);
    expect(text).toContain('codehubot_queue_tasks{queue="default",state="active"} 2');
    expect(text).toContain('codehubot_workers_up 1');
  });

  it("measures a sink's lag as the time span of the events it has not applied", () => {
    expect(sinkLagSeconds('5000-0', '1000-0', '5000-0')).toBe(0);
    expect(sinkLagSeconds('2000-3', '1000-0', '5000-0')).toBe(3);
    expect(sinkLagSeconds('0-0', '1000-0', '5000-0')).toBe(4);
    expect(sinkLagSeconds('0-0', undefined, undefined)).toBe(0);
  });
});
