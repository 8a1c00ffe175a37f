import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { hostname } from 'node:os';
import type { AppProcess } from '../utils/app-process.js';
import { TestSystem } from '../utils/test-system.js';
import {
  REGISTERED_TASKS,
  E2E_TIMEOUT_MS,
  listWorkers,
  runCli,
  startWorker,
  waitFor,
  waitForWorker,
  type WorkerView,
} from '../utils/runtime-helpers.js';

jest.setTimeout(E2E_TIMEOUT_MS);

const FINAL = ['SUCCESS', 'FAILURE', 'REVOKED'];

interface QueueView {
  name: string;
  counts: Record<string, number>;
}

describe('monitoring: GET /workers, GET/DELETE /queues and codehubot inspect/purge', () => {
  let system: TestSystem;
  let worker: AppProcess;
  /** Tasks purged while no worker ran: they must never run. */
  const purgedIds: string[] = [];
  let delayedId = '';

  const queue = async (name: string): Promise<QueueView> => {
    const answer = await system.request<QueueView[]>('GET', '/queues');
    expect(answer.status).toBe(200);
    const found = answer.body.find((q) => q.name === name);
    if (!found) throw new Error(`no queue ${name} in ${JSON.stringify(answer.body)}`);
    return found;
  };

  const submitAdds = async (count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const submitted = await system.submit('tasks.add', { args: [i, i] });
      expect(submitted.status).toBe(202);
      ids.push(submitted.body.task_id);
    }
    return ids;
  };

  beforeAll(async () => {
    system = await TestSystem.start();
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('GET /queues counts waiting tasks while no worker consumes, and delayed ones', async () => {
    expect((await queue('default')).counts).toMatchObject({ waiting: 0, delayed: 0, active: 0 });
    purgedIds.push(...(await submitAdds(5)));
    const delayed = await system.submit('tasks.add', { args: [1, 1], countdown: 600 });
    expect(delayed.status).toBe(202);
    delayedId = delayed.body.task_id;

    const answer = await system.request<QueueView[]>('GET', '/queues');
    expect(answer.body.map((q) => q.name)).toEqual(expect.arrayContaining(['default', 'email', 'embedding']));
    expect((await queue('default')).counts).toMatchObject({
      waiting: 5,
      delayed: 1,
      active: 0,
      completed: 0,
    });
    expect((await queue('email')).counts).toMatchObject({ waiting: 0 });

    const scheduled = await runCli(system, ['inspect', 'scheduled', '--json']);
    expect(scheduled.code).toBe(0);
    const listed = JSON.parse(scheduled.stdout) as { schedules: unknown[]; tasks: unknown[] };
    expect(Array.isArray(listed.schedules)).toBe(true);
    expect(listed.tasks).toEqual([
      expect.objectContaining({
        task_id: delayedId,
        name: 'tasks.add',
        queue: 'default',
        state: 'SCHEDULED',
      }),
    ]);
  });

  it('DELETE /queues/default purges the waiting tasks, which then read REVOKED', async () => {
    const answer = await system.request('DELETE', '/queues/default');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ queue: 'default', purged: 5 });
    for (const id of purgedIds) {
      expect((await system.status(id)).body).toMatchObject({
        task_id: id,
        state: 'REVOKED',
        name: 'tasks.add',
      });
    }
    // delayed tasks are not purged, as in Celery
    expect((await queue('default')).counts).toMatchObject({ waiting: 0, delayed: 1 });
    expect((await system.status(delayedId)).body.state).toBe('SCHEDULED');
  });

  it('`codehubot purge --queue default` purges too', async () => {
    const ids = await submitAdds(3);
    purgedIds.push(...ids);
    const cli = await runCli(system, ['purge', '--queue', 'default', '--json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual([{ queue: 'default', purged: 3 }]);
    for (const id of ids) expect((await system.status(id)).body.state).toBe('REVOKED');
    expect((await queue('default')).counts).toMatchObject({ waiting: 0 });
  });

  it('purged tasks never run once a worker starts', async () => {
    worker = await startWorker(system, ['--concurrency', '3']);
    const [probe] = await submitAdds(1);
    expect(await system.waitForState(probe, FINAL, 60_000)).toMatchObject({ state: 'SUCCESS', result: 0 });
    // the worker is consuming and has emptied the queue: none of the purged tasks was among its work
    for (const id of purgedIds) expect((await system.status(id)).body.state).toBe('REVOKED');
    const counts = (await queue('default')).counts;
    expect(counts).toMatchObject({ waiting: 0, completed: 1, failed: 0 });
  });

  it('GET /workers describes the live worker: identity, queues, active task, processed, registered', async () => {
    const info = await waitForWorker(system, worker.pid);
    expect(info).toMatchObject({
      id: `${hostname()}:${worker.pid}`,
      host: hostname(),
      pid: worker.pid,
      queues: ['default', 'embedding', 'email'],
      concurrency: 3,
      failed: 0,
    });
    expect([...info.registered].sort()).toEqual(REGISTERED_TASKS);
    expect(info.uptime_s).toBeGreaterThanOrEqual(0);
    expect(info.memory_rss_mb).toBeGreaterThan(0);
    expect(Date.parse(info.started_at)).not.toBeNaN();
    expect(Date.parse(info.last_heartbeat)).not.toBeNaN();
    expect(info.pool.kind).toBe('threads');

    const long = await system.submit('tasks.long_running_task', { args: [60] });
    expect(long.status).toBe(202);
    const longId = long.body.task_id;
    const busy = await waitForWorker(system, worker.pid, (w) => w.active.some((a) => a.task_id === longId));
    expect(busy.active.find((a) => a.task_id === longId)).toMatchObject({
      name: 'tasks.long_running_task',
      queue: 'default',
    });
    expect(busy.uptime_s).toBeGreaterThanOrEqual(info.uptime_s);

    // the CLI reads the same heartbeats
    const active = await runCli(system, ['inspect', 'active', '--json']);
    expect(active.code).toBe(0);
    const activeByWorker = JSON.parse(active.stdout) as Record<string, WorkerView['active']>;
    expect(activeByWorker[info.id]).toEqual(
      expect.arrayContaining([expect.objectContaining({ task_id: longId, name: 'tasks.long_running_task' })]),
    );

    const registered = await runCli(system, ['inspect', 'registered', '--json']);
    expect(registered.code).toBe(0);
    const registeredByWorker = JSON.parse(registered.stdout) as Record<string, string[]>;
    expect([...(registeredByWorker[info.id] ?? [])].sort()).toEqual(REGISTERED_TASKS);

    const stats = await runCli(system, ['inspect', 'stats', '--json']);
    expect(stats.code).toBe(0);
    const statsList = JSON.parse(stats.stdout) as WorkerView[];
    expect(statsList).toEqual([
      expect.objectContaining({ id: info.id, pid: worker.pid, concurrency: 3, queues: info.queues }),
    ]);

    // processed rises as tasks end: the 3 adds, and the long task (still running in `busy`) once terminated
    for (const id of await submitAdds(3)) await system.waitForState(id, FINAL, 30_000);
    await system.request('POST', `/tasks/${longId}/revoke`, { terminate: true });
    expect((await system.waitForState(longId, FINAL, 30_000)).state).toBe('REVOKED');
    await waitForWorker(
      system,
      worker.pid,
      (w) => w.active.length === 0 && w.processed >= busy.processed + 4 && w.failed === 1,
    );
  });

  it('an unknown inspect word exits non-zero', async () => {
    const cli = await runCli(system, ['inspect', 'everything']);
    expect(cli.code).not.toBe(0);
    expect(cli.code).not.toBeNull();
    expect(cli.stderr).toMatch(/inspect takes one of active, registered, stats, scheduled/);
  });

  it('a worker killed with SIGKILL drops off GET /workers within a few heartbeats', async () => {
    await waitForWorker(system, worker.pid);
    await worker.stop('SIGKILL');
    const killedAt = Date.now();
    await waitFor(
      'the killed worker to drop off',
      async () => !(await listWorkers(system)).some((w) => w.pid === worker.pid),
      30_000,
      250,
    );
    // 3 missed heartbeats of 2 s, with slack for a loaded machine
    expect(Date.now() - killedAt).toBeLessThan(12_000);
    const cli = await runCli(system, ['inspect', 'stats', '--json']);
    expect(JSON.parse(cli.stdout)).toEqual([]);
  });
});
