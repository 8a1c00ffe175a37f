import { describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../../libs/tasks/src/config/tasks.config.js';
import type { QueueRegistry } from '../../libs/tasks/src/core/queue-registry.js';
import type { StreamedEvent } from '../../libs/tasks/src/events/task-event.js';
import { AlertsSink } from '../../libs/tasks/src/alerts/alerts-sink.js';
import { parseTaskFailures } from '../../libs/tasks/src/alerts/task-failures.js';
import { MetricsSink } from '../../libs/tasks/src/metrics/metrics-sink.js';
import { parseTaskMetrics } from '../../libs/tasks/src/metrics/task-counters.js';
import { TaskIdentities } from '../../libs/tasks/src/metrics/task-identities.js';
import { redisForSuite } from '../utils/redis-for-suite.js';

/** The metrics and alerts sinks on a real Redis: a batch counts once, whoever applies it and how often. */
describe('metrics and alerts sinks', () => {
  let redis: Redis;
  const config = { prefix: 'p' } as TasksConfig;
  const registry = { knownQueues: () => Promise.resolve(['default', 'email']) } as unknown as QueueRegistry;
  const sinks = () => {
    const identities = new TaskIdentities(config, redis, registry);
    return {
      metrics: new MetricsSink(config, redis, identities),
      alerts: new AlertsSink(config, redis, identities),
    };
  };
  const succeeded = (hash: Record<string, string>): number | undefined =>
    parseTaskMetrics(hash)
      .counters.get('succeeded')
      ?.get(JSON.stringify(['tasks.add', 'default']))?.value;

  const batch: StreamedEvent[] = [
    { sid: '1-0', i: 0, t: 'received', id: 'a', at: 1, name: 'tasks.add', queue: 'default', kwargs: {} },
    { sid: '2-0', i: 0, t: 'started', id: 'a', at: 2, worker: 'w', attempt: 1, ready: 1 },
    { sid: '3-0', i: 0, t: 'succeeded', id: 'a', at: 3, worker: 'w', attempt: 1, runtime: 1, result: '1' },
  ];

  redisForSuite((client) => (redis = client));

  it('applies a batch and moves the cursor with it; the same batch again (an overlapping recorder) adds nothing', async () => {
    const first = sinks();
    const second = sinks();
    await first.metrics.apply(batch, '0-0', '3-0');
    await second.metrics.apply(batch, '0-0', '3-0');
    expect(await first.metrics.cursor()).toBe('3-0');
    expect(succeeded(await redis.hgetall('p:_metrics'))).toBe(1);

    const next: StreamedEvent[] = [
      { sid: '4-0', i: 0, t: 'received', id: 'b', at: 4, name: 'tasks.add', queue: 'default', kwargs: {} },
      { sid: '5-0', i: 0, t: 'succeeded', id: 'b', at: 5, worker: 'w', attempt: 1, runtime: 1, result: '1' },
    ];
    // a stale recorder that still thinks the cursor is at 0-0 writes nothing
    await second.metrics.apply([...batch, ...next], '0-0', '5-0');
    expect(succeeded(await redis.hgetall('p:_metrics'))).toBe(1);
    await second.metrics.apply(next, '3-0', '5-0');
    expect(succeeded(await redis.hgetall('p:_metrics'))).toBe(2);
    expect(await redis.hget('p:_event_cursors', 'metrics')).toBe('5-0');
  });

  it("names a task whose received event it never saw from the task's job", async () => {
    await redis.hset('p:email:m', 'name', 'tasks.email.send_email', 'timestamp', '1');
    const { metrics, alerts } = sinks();
    const events: StreamedEvent[] = [
      { sid: '9-0', i: 0, t: 'failed', id: 'm', at: 9, worker: 'w', attempt: 4, error: 'SMTPError: refused' },
    ];
    await metrics.apply(events, '0-0', '9-0');
    await alerts.apply(events, '0-0', '9-0');
    const failed = parseTaskMetrics(await redis.hgetall('p:_metrics')).counters.get('failed');
    expect([...(failed?.values() ?? [])]).toEqual([
      { labels: { name: 'tasks.email.send_email', queue: 'email' }, value: 1 },
    ]);
    expect(parseTaskFailures(await redis.hgetall('p:_alert_tasks'))).toEqual([
      {
        name: 'tasks.email.send_email',
        failed: 1,
        lastFailedAt: 9,
        lastSucceededAt: 0,
        lastError: 'SMTPError: refused',
      },
    ]);
    expect(await alerts.cursor()).toBe('9-0');
  });
});
