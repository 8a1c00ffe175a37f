import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { TestSystem, type TaskStatusBody } from '../utils/test-system.js';
import { E2E_TIMEOUT_MS, startWorker } from '../utils/runtime-helpers.js';

jest.setTimeout(E2E_TIMEOUT_MS);

type WorkflowBody = TaskStatusBody & { members?: { task_id: string; path: string; state: string }[] };

describe('a worker killed with SIGKILL in the middle of a chord', () => {
  let system: TestSystem;
  let redis: Redis;

  beforeAll(async () => {
    system = await TestSystem.start();
    redis = new Redis(system.redis.url);
  });

  afterAll(async () => {
    redis?.disconnect();
    await system?.stop();
  });

  /** How many times BullMQ handed a job to a worker (its `active` events). */
  async function starts(queue: string, id: string): Promise<number> {
    const entries = await redis.xrange(`${system.prefix}:${queue}:events`, '-', '+');
    return entries.filter(([, fields]) => {
      const event = Object.fromEntries(fields.flatMap((v, i, a) => (i % 2 ? [] : [[v, a[i + 1]]])));
      return event.jobId === id && event.event === 'active';
    }).length;
  }

  it('the workflow still completes, and its body runs exactly once', async () => {
    const queue = 'wfcrash';
    const options = { queue };
    const a = await startWorker(system, ['--queues', queue, '--concurrency', '3']);
    const b = await startWorker(system, ['--queues', queue, '--concurrency', '3']);
    const header = Array.from({ length: 6 }, (_, i) => ({
      task: 'tasks.sleep',
      args: [3, i + 1],
      options,
    }));
    const submitted = await system.request<{ task_id: string }>('POST', '/workflows', {
      chord: { header, body: { task: 'tasks.xsum', options } },
    });
    expect(submitted.status).toBe(202);
    const id = submitted.body.task_id;
    // every header member running, three on each worker
    const deadline = Date.now() + 30_000;
    let status: WorkflowBody | undefined;
    while (Date.now() < deadline) {
      status = (await system.status(id)).body;
      const running = status.members?.filter((m) => m.state === 'STARTED').length ?? 0;
      if (running === 6) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status?.members?.filter((m) => m.state === 'STARTED')).toHaveLength(6);

    expect(await a.stop('SIGKILL')).toBeNull();
    const done = (await system.waitForState(id, ['SUCCESS', 'FAILURE', 'REVOKED'], 60_000)) as WorkflowBody;
    expect(done).toMatchObject({ state: 'SUCCESS', result: 21, current: 7, total: 7 });
    const members = done.members ?? [];
    // the dead worker's members went back to the queue and ran again on b
    const header_ = await Promise.all(
      members.filter((m) => m.path.startsWith('chord.header')).map((m) => system.status(m.task_id)),
    );
    expect(header_.filter((h) => h.body.redeliveries === 1)).toHaveLength(3);
    const body = members.find((m) => m.path === 'chord.body');
    const bodyStatus = (await system.status(body?.task_id ?? '')).body;
    expect(bodyStatus).toMatchObject({ state: 'SUCCESS', result: 21, retries: 0 });
    expect(bodyStatus).not.toHaveProperty('redeliveries');
    expect(await starts(queue, body?.task_id ?? '')).toBe(1);
    await b.stop('SIGKILL');
  });

  it('a workflow whose submitter died half-way through queuing it is failed by the workers, not left hanging', async () => {
    const queue = 'wfabandon';
    const options = { queue };
    await startWorker(system, ['--queues', queue, '--concurrency', '2']);
    const submitted = await system.request<{ task_id: string }>('POST', '/workflows', {
      chord: {
        header: [1, 2].map((value) => ({ task: 'tasks.sleep', args: [20, value], options })),
        body: { task: 'tasks.xsum', options },
      },
    });
    const id = submitted.body.task_id;
    await system.waitForState(id, 'STARTED', 30_000);
    // what a submitter killed between two batches leaves: QUEUING, past its deadline
    const key = `${system.prefix}:_wf:${id}`;
    await redis.hset(key, 'state', 'QUEUING');
    await redis.zadd(`${system.prefix}:_wf_queuing`, 0, id);
    const done = (await system.waitForState(id, ['SUCCESS', 'FAILURE', 'REVOKED'], 30_000)) as WorkflowBody;
    expect(done.state).toBe('FAILURE');
    expect(done.error).toContain('submission interrupted');
    const body = done.members?.find((m) => m.path === 'chord.body');
    expect(body?.state).toBe('REVOKED');
    expect(await redis.zscore(`${system.prefix}:_wf_queuing`, id)).toBeNull();
  });

  it('a large group after a link is queued in batches, and completes in order', async () => {
    await startWorker(system, ['--queues', 'default', '--concurrency', '8']);
    const members = Array.from({ length: 1_200 }, (_, i) => ({ task: 'tasks.add', args: [i] }));
    const submitted = await system.request<{ task_id: string }>('POST', '/workflows', {
      chain: [{ task: 'tasks.add', args: [0, 0] }, { group: members }],
    });
    const done = await system.waitForState(submitted.body.task_id, ['SUCCESS', 'FAILURE'], 60_000);
    expect(done.state).toBe('SUCCESS');
    expect(done.result).toEqual(Array.from({ length: 1_200 }, (_, i) => i));
  });
});
