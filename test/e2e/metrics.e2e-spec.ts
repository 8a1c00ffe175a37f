import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { AppProcess } from '../utils/app-process.js';
import { parseSamples, promtoolCheck, sampleValue, type Sample } from '../utils/prometheus.js';
import { E2E_TIMEOUT_MS, listWorkers, startWorker, waitFor } from '../utils/runtime-helpers.js';
import { TestSystem } from '../utils/test-system.js';

jest.setTimeout(E2E_TIMEOUT_MS);

const FINAL = ['SUCCESS', 'FAILURE', 'REVOKED'];

describe('GET /metrics: Prometheus metrics of the whole system, two workers adding up', () => {
  let system: TestSystem;
  let workers: AppProcess[] = [];
  const workerIds = new Map<number, string>();

  const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
    const answer = await system.request<string>('GET', '/metrics');
    expect(answer.status).toBe(200);
    return { text: answer.body, samples: parseSamples(answer.body) };
  };

  /** Scrapes until `probe` holds on the samples (the recorder applies events within a moment). */
  const scrapeUntil = (what: string, probe: (samples: Sample[]) => boolean): Promise<Sample[]> =>
    waitFor(
      what,
      async () => {
        const { samples } = await scrape();
        return probe(samples) ? samples : undefined;
      },
      30_000,
      250,
    );

  const submit = async (name: string, body: Record<string, unknown>): Promise<string> => {
    const answer = await system.submit(name, body);
    expect(answer.status).toBe(202);
    return answer.body.task_id;
  };

  beforeAll(async () => {
    system = await TestSystem.start();
    workers = await Promise.all([
      startWorker(system, ['--queues', 'default', '--concurrency', '2']),
      startWorker(system, ['--queues', 'default', '--concurrency', '2']),
    ]);
    const live = await waitFor('both heartbeats', async () => {
      const listed = await listWorkers(system);
      return listed.length === 2 ? listed : undefined;
    });
    for (const worker of live) workerIds.set(worker.pid, worker.id);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('needs the API key, answers text/plain 0.0.4, and passes `promtool check metrics`', async () => {
    const anonymous = await system.fetch('/metrics');
    expect(anonymous.status).toBe(401);

    const answer = await system.fetch('/metrics', { headers: { authorization: 'Bearer test-key-1' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await answer.text();
    const checked = await promtoolCheck(text);
    expect(checked).toEqual({ code: 0, output: '' });
    // this API process's own metrics come along
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });

  it("adds up two workers' task counters and histograms", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await submit('tasks.sleep', { args: [0.3] }));
    for (const id of ids) expect((await system.waitForState(id, FINAL, 60_000)).state).toBe('SUCCESS');

    // both workers ran some of them (as their heartbeats say, every 2 s)
    await waitFor(
      'both workers to report the 12 tasks processed between them',
      async () => {
        const live = await listWorkers(system);
        const total = live.reduce((sum, w) => sum + w.processed, 0);
        return live.length === 2 && live.every((w) => w.processed > 0) && total === 12;
      },
      30_000,
      250,
    );

    const labels = { name: 'tasks.sleep', queue: 'default' };
    const samples = await scrapeUntil(
      '12 successes of tasks.sleep',
      (s) => sampleValue(s, 'codehubot_task_succeeded_total', labels) === 12,
    );
    expect(sampleValue(samples, 'codehubot_task_received_total', labels)).toBe(12);
    expect(sampleValue(samples, 'codehubot_task_started_total', labels)).toBe(12);
    expect(sampleValue(samples, 'codehubot_task_runtime_seconds_count', labels)).toBe(12);
    expect(sampleValue(samples, 'codehubot_task_runtime_seconds_bucket', { ...labels, le: '+Inf' })).toBe(12);
    // each slept 0.3 s: none ran in a quarter of a second or less
    expect(sampleValue(samples, 'codehubot_task_runtime_seconds_bucket', { ...labels, le: '0.25' })).toBe(0);
    expect(sampleValue(samples, 'codehubot_task_runtime_seconds_sum', labels)).toBeGreaterThanOrEqual(3.6);
    expect(sampleValue(samples, 'codehubot_task_queue_wait_seconds_count', labels)).toBe(12);
    expect(sampleValue(samples, 'codehubot_task_queue_wait_seconds_bucket', { ...labels, le: '+Inf' })).toBe(
      12,
    );
  });

  it('counts failures, retries and revokes', async () => {
    for (const id of [
      await submit('tasks.fail', { args: ['boom'] }),
      await submit('tasks.fail', { args: ['boom again'] }),
      await submit('tasks.flaky', { kwargs: { failures: 2 } }),
    ]) {
      await system.waitForState(id, FINAL, 60_000);
    }
    const later = await submit('tasks.add', { args: [1, 2], countdown: 600 });
    expect((await system.request('POST', `/tasks/${later}/revoke`, {})).status).toBe(200);
    expect((await system.waitForState(later, 'REVOKED')).state).toBe('REVOKED');

    const fail = { name: 'tasks.fail', queue: 'default' };
    const flaky = { name: 'tasks.flaky', queue: 'default' };
    const samples = await scrapeUntil(
      'the failures, retries and the revoke',
      (s) =>
        sampleValue(s, 'codehubot_task_failed_total', fail) === 2 &&
        sampleValue(s, 'codehubot_task_succeeded_total', flaky) === 1 &&
        sampleValue(s, 'codehubot_task_revoked_total', { name: 'tasks.add', queue: 'default' }) === 1,
    );
    expect(sampleValue(samples, 'codehubot_task_retried_total', flaky)).toBe(2);
    expect(sampleValue(samples, 'codehubot_task_started_total', flaky)).toBe(3);
    expect(sampleValue(samples, 'codehubot_task_failed_total', flaky)).toBeUndefined();
    expect(sampleValue(samples, 'codehubot_task_runtime_seconds_count', fail)).toBe(2);
    expect(
      sampleValue(samples, 'codehubot_task_started_total', { name: 'tasks.add', queue: 'default' }),
    ).toBe(undefined);
  });

  it('reports queues by state, the oldest wait, the live workers and the events pipeline', async () => {
    // nobody consumes `email` here: these wait
    for (let i = 0; i < 3; i++) await submit('tasks.email.send_email', { args: ['a@example.com', 's', 'b'] });
    await submit('tasks.email.send_email', { args: ['a@example.com', 's', 'b'], countdown: 600 });
    const long = await submit('tasks.sleep', { args: [60] });
    await system.waitForState(long, 'STARTED');

    const email = (state: string) => ({ queue: 'email', state });
    const samples = await scrapeUntil(
      'the email queue to have waited a second, a worker running the long task, and the alert checked',
      (s) =>
        (sampleValue(s, 'codehubot_queue_oldest_waiting_age_seconds', { queue: 'email' }) ?? 0) >= 1 &&
        workers.some(
          (w) => (sampleValue(s, 'codehubot_worker_active_tasks', { worker: workerId(w) }) ?? 0) === 1,
        ) &&
        // the alerts are checked every 2 s, after the recorder has applied the failures of the test above
        (sampleValue(s, 'codehubot_alerts_total', { alert: 'task_failed' }) ?? 0) >= 1,
    );
    expect(sampleValue(samples, 'codehubot_queue_tasks', email('waiting'))).toBe(3);
    expect(sampleValue(samples, 'codehubot_queue_tasks', email('delayed'))).toBe(1);
    expect(sampleValue(samples, 'codehubot_queue_tasks', email('active'))).toBe(0);
    expect(sampleValue(samples, 'codehubot_queue_tasks', { queue: 'default', state: 'active' })).toBe(1);
    expect(sampleValue(samples, 'codehubot_queue_tasks', { queue: 'default', state: 'completed' })).toBe(13);
    expect(sampleValue(samples, 'codehubot_queue_tasks', { queue: 'default', state: 'failed' })).toBe(2);
    expect(sampleValue(samples, 'codehubot_queue_oldest_waiting_age_seconds', { queue: 'default' })).toBe(0);

    expect(sampleValue(samples, 'codehubot_workers_up')).toBe(2);
    const active = workers.map((w) =>
      sampleValue(samples, 'codehubot_worker_active_tasks', { worker: workerId(w) }),
    );
    expect(active.sort()).toEqual([0, 1]);
    for (const worker of workers) {
      expect(
        sampleValue(samples, 'codehubot_executor_thread_replacements_total', { worker: workerId(worker) }),
      ).toBe(0);
      expect(
        sampleValue(samples, 'codehubot_worker_event_loop_lag_seconds', { worker: workerId(worker) }),
      ).toBeGreaterThanOrEqual(0);
    }

    expect(sampleValue(samples, 'codehubot_events_backlog')).toBeGreaterThan(0);
    expect(
      sampleValue(samples, 'codehubot_events_sink_lag_seconds', { sink: 'metrics' }),
    ).toBeGreaterThanOrEqual(0);
    expect(sampleValue(samples, 'codehubot_alerts_total', { alert: 'task_failed' })).toBeGreaterThanOrEqual(
      1,
    );

    const { text } = await scrape();
    expect(await promtoolCheck(text)).toEqual({ code: 0, output: '' });
    await system.request('POST', `/tasks/${long}/revoke`, { terminate: true });
  });

  /** The worker id its heartbeat carries: `<host>:<pid>`. */
  function workerId(worker: AppProcess): string {
    const id = workerIds.get(worker.pid);
    if (!id) throw new Error(`no heartbeat seen for worker ${worker.pid}`);
    return id;
  }
});
