import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { allFinal, listAll, listTasks, waitForHistory, type HistoryItem } from '../utils/history.js';
import { TestSystem } from '../utils/test-system.js';

jest.setTimeout(240_000);

/**
 * `GET /tasks` and `GET /stats` from outside: every filter and the paging, free text, redaction, 400s naming
 * the parameter, figures against known runs, results read from history once expired (RESULT_EXPIRES=2), and
 * 503 with HISTORY_ENABLED=false. Every answer is checked against the OpenAPI document by TestSystem.
 */
describe('task history API', () => {
  let system: TestSystem;
  const ids = {
    add: [] as string[],
    fail: [] as string[],
    flaky: [] as string[],
    sleep: [] as string[],
    secret: '',
    other: '',
    scheduled: '',
    workflow: '',
  };
  const SLEEPS = [0.2, 0.4, 0.8];
  let firstBatchDone = '';

  const submit = async (name: string, body: Record<string, unknown>): Promise<string> => {
    const answer = await system.submit(name, body);
    expect(answer.status).toBe(202);
    return answer.body.task_id;
  };

  beforeAll(async () => {
    system = await TestSystem.start({ env: { RESULT_EXPIRES: '2' } });
    await system.startWorker(['--queues', 'default', '--concurrency', '4']);
    for (let i = 0; i < 5; i++) ids.add.push(await submit('tasks.add', { args: [i, 100] }));
    for (let i = 0; i < 3; i++)
      ids.fail.push(await submit('tasks.fail', { args: [`error-marker-abc ${i}`] }));
    await waitForHistory(system, {}, allFinal([...ids.add, ...ids.fail]));
    firstBatchDone = new Date().toISOString();
    await sleep(20);
    for (let i = 0; i < 2; i++) ids.flaky.push(await submit('tasks.flaky', { kwargs: { failures: 2 } }));
    for (const seconds of SLEEPS) {
      ids.sleep.push(
        await submit('tasks.sleep', { kwargs: { seconds, value: `result-marker-xyz ${seconds}` } }),
      );
    }
    ids.secret = await submit('tasks.process_data', {
      kwargs: { data: { password: 'hunter2-secret', api_key: 'key-sekret-1', user: 'zebra-unique-42' } },
    });
    // no worker consumes queue "elsewhere": it stays PENDING
    ids.other = await submit('tasks.add', { args: [1, 1], queue: 'elsewhere' });
    ids.scheduled = await submit('tasks.add', { args: [2, 2], countdown: 3600 });
    const workflow = await system.request<{ task_id: string }>('POST', '/workflows', {
      chain: [
        { task: 'tasks.add', args: [1, 2] },
        { task: 'tasks.add', args: [3] },
      ],
    });
    expect(workflow.status).toBe(202);
    ids.workflow = workflow.body.task_id;
    await waitForHistory(system, {}, allFinal([...ids.flaky, ...ids.sleep, ids.secret]));
    await waitForHistory(
      system,
      { parent: ids.workflow },
      (items) => items.length === 2 && allFinal(items.map((i) => i.task_id))(items),
    );
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('lists a task within 2 s of its submission, whatever its state', async () => {
    const submittedAt = Date.now();
    const id = await submit('tasks.add', { args: [7, 7], queue: 'nowhere' });
    let found: HistoryItem | undefined;
    while (!found && Date.now() - submittedAt < 2000) {
      found = (await listTasks(system, { queue: 'nowhere' })).items.find((item) => item.task_id === id);
      if (!found) await sleep(50);
    }
    expect(found).toMatchObject({ task_id: id, state: 'PENDING', name: 'tasks.add', queue: 'nowhere' });
  });

  it('lists newest first with every field of GET /tasks/{task_id} and the history beside it', async () => {
    const items = await listAll(system, { name: 'tasks.add' });
    const received = items.map((item) => Date.parse(item.received_at));
    expect(received).toEqual([...received].sort((a, b) => b - a));
    const done = items.find((item) => item.task_id === ids.add[2]);
    expect(done).toMatchObject({
      state: 'SUCCESS',
      name: 'tasks.add',
      queue: 'default',
      retries: 0,
      result: 102,
      result_truncated: false,
      args: [],
      kwargs: { x: 2, y: 100 },
      parent_id: null,
    });
    expect(done?.worker).toEqual(expect.any(String));
    expect(done?.runtime_ms).toEqual(expect.any(Number));
    expect(done?.queue_wait_ms).toEqual(expect.any(Number));
    expect(done?.transitions.map((t) => t.event)).toEqual(['received', 'started', 'succeeded']);
    expect(Date.parse(done!.date_done!)).toBeGreaterThanOrEqual(Date.parse(done!.started_at!));
  });

  it('filters by state (one or several), name, queue, worker, parent, since and until', async () => {
    const failed = await listAll(system, { state: 'FAILURE' });
    expect(failed.map((i) => i.task_id).sort()).toEqual([...ids.fail].sort());
    expect(failed[0]).toMatchObject({ error: expect.stringContaining('error-marker-abc') });
    expect(failed[0]?.traceback).toEqual(expect.stringContaining('error-marker-abc'));

    const open = await listAll(system, { state: 'PENDING,SCHEDULED' });
    expect(open.map((i) => i.task_id)).toEqual(expect.arrayContaining([ids.other, ids.scheduled]));
    expect(open.find((i) => i.task_id === ids.scheduled)).toMatchObject({ state: 'SCHEDULED' });
    expect(open.every((i) => ['PENDING', 'SCHEDULED'].includes(i.state))).toBe(true);

    expect((await listAll(system, { name: 'tasks.flaky' })).map((i) => i.task_id).sort()).toEqual(
      [...ids.flaky].sort(),
    );
    expect((await listAll(system, { queue: 'elsewhere' })).map((i) => i.task_id)).toEqual([ids.other]);

    const worker = (await listAll(system, { name: 'tasks.add', state: 'SUCCESS' }))[0]?.worker ?? '';
    const byWorker = await listAll(system, { worker });
    expect(byWorker.length).toBeGreaterThan(5);
    expect(byWorker.every((i) => i.worker === worker)).toBe(true);
    expect(await listAll(system, { worker: 'no-such-worker' })).toEqual([]);

    const members = await listAll(system, { parent: ids.workflow });
    expect(members).toHaveLength(2);
    expect(members.every((i) => i.parent_id === ids.workflow)).toBe(true);

    const before = await listAll(system, { until: firstBatchDone });
    expect(before.map((i) => i.task_id).sort()).toEqual([...ids.add, ...ids.fail].sort());
    const after = await listAll(system, { since: firstBatchDone, name: 'tasks.add' });
    expect(after.some((i) => ids.add.includes(i.task_id))).toBe(false);
    expect(after.map((i) => i.task_id)).toEqual(expect.arrayContaining([ids.other, ids.scheduled]));
  });

  it('pages with an opaque cursor: no row twice, none missed, null after the last', async () => {
    const all = (await listTasks(system, { limit: '500' })).items.map((i) => i.task_id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listTasks(system, { limit: '3', ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((i) => i.task_id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 3));
    expect((await listTasks(system, { limit: '2', name: 'tasks.fail' })).next_cursor).toEqual(
      expect.any(String),
    );
  });

  it('searches arguments, results and errors with q (all words, any case)', async () => {
    const byArgs = await listAll(system, { q: 'ZEBRA-unique' });
    expect(byArgs.map((i) => i.task_id)).toEqual([ids.secret]);
    const byResult = await listAll(system, { q: 'result-marker-xyz 0.4' });
    expect(byResult.map((i) => i.task_id)).toEqual([ids.sleep[1]]);
    const byError = await listAll(system, { q: 'error-marker-abc', state: 'FAILURE' });
    expect(byError.map((i) => i.task_id).sort()).toEqual([...ids.fail].sort());
    expect(await listAll(system, { q: 'nothing-like-this' })).toEqual([]);
    // a word only of the arguments and a word only of the result, in either order
    for (const q of ['zebra-unique processed', 'PROCESSED zebra-unique']) {
      expect((await listAll(system, { q })).map((i) => i.task_id)).toEqual([ids.secret]);
    }
    // a task whose arguments and result both hold the word comes once, page after page
    const marked = await listAll(system, { q: 'result-marker-xyz', limit: '1' });
    expect(marked.map((i) => i.task_id).sort()).toEqual([...ids.sleep].sort());
    // a secret is not searchable: it is not stored
    expect(await listAll(system, { q: 'hunter2' })).toEqual([]);
  });

  it('stores arguments with their secrets redacted', async () => {
    const [item] = (await listTasks(system, { name: 'tasks.process_data' })).items;
    expect(item).toMatchObject({
      task_id: ids.secret,
      state: 'SUCCESS',
      kwargs: { data: { password: '***', api_key: '***', user: 'zebra-unique-42' } },
      result: { processed: true, count: 3 },
    });
    expect(JSON.stringify(item)).not.toMatch(/hunter2|sekret/);
  });

  it('records each retry with its error and delay', async () => {
    const [flaky] = await listAll(system, { name: 'tasks.flaky' });
    expect(flaky).toMatchObject({ state: 'SUCCESS', retries: 2 });
    const retries = flaky.transitions.filter((t) => t.event === 'retry');
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatchObject({
      attempt: 1,
      error: expect.stringContaining('flaky'),
      delay_ms: expect.any(Number),
    });
    expect(flaky.transitions.filter((t) => t.event === 'started').map((t) => t.attempt)).toEqual([1, 2, 3]);
  });

  it('refuses bad filters with a 400 naming the parameter', async () => {
    const cases: [string, RegExp][] = [
      ['state=BOGUS', /state/],
      ['state=SUCCESS,NOPE', /state/],
      ['since=yesterday', /since/],
      ['until=2026-13-45T00:00:00Z', /until/],
      ['since=2097152', /since/],
      ['since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', /until/],
      ['cursor=not-a-cursor', /cursor/],
      ['limit=0', /limit/],
      ['limit=501', /limit/],
      ['limit=ten', /limit/],
      ['q=ab', /q/],
      ['parent=nope', /parent/],
      ['queue=bad%20queue', /queue/],
      ['colour=blue', /colour/],
    ];
    for (const [query, names] of cases) {
      const answer = await system.request<{ message: string | string[] }>('GET', `/tasks?${query}`);
      expect({ query, status: answer.status }).toEqual({ query, status: 400 });
      expect(JSON.stringify(answer.body.message)).toMatch(names);
    }
    expect((await system.request('GET', '/stats?since=soon')).status).toBe(400);
    expect((await system.request('GET', '/stats?until=2097152')).status).toBe(400);
    expect((await system.request('GET', '/stats?window=1')).status).toBe(400);
  });

  it('counts each task name exactly and reads runtime percentiles within the bucket error', async () => {
    const stats = await system.request<{
      tasks: {
        name: string;
        succeeded: number;
        failed: number;
        retried: number;
        revoked: number;
        runtime_ms: { count: number; p50: number; p95: number; p99: number };
        queue_wait_ms: { count: number; p50: number | null };
      }[];
      throughput: { minute: string; succeeded: number; failed: number; retried: number }[];
    }>('GET', '/stats');
    expect(stats.status).toBe(200);
    const byName = new Map(stats.body.tasks.map((t) => [t.name, t]));
    // 5 plain adds, and the workflow's two
    expect(byName.get('tasks.add')).toMatchObject({ succeeded: 7, failed: 0, retried: 0 });
    expect(byName.get('tasks.fail')).toMatchObject({ succeeded: 0, failed: 3, retried: 0 });
    expect(byName.get('tasks.flaky')).toMatchObject({ succeeded: 2, failed: 0, retried: 4 });
    const sleep = byName.get('tasks.sleep')!;
    expect(sleep).toMatchObject({ succeeded: 3, runtime_ms: { count: 3 }, queue_wait_ms: { count: 3 } });
    // the measured runtime is the sleep plus the worker's own few ms; the estimate is within 1 % of it
    const near = (value: number, seconds: number): boolean =>
      value >= seconds * 1000 * 0.99 && value <= seconds * 1000 * 1.01 + 60;
    expect(near(sleep.runtime_ms.p50, 0.4)).toBe(true);
    expect(near(sleep.runtime_ms.p95, 0.8)).toBe(true);
    expect(near(sleep.runtime_ms.p99, 0.8)).toBe(true);
    const totals = stats.body.throughput.reduce(
      (sum, p) => ({ succeeded: sum.succeeded + p.succeeded, failed: sum.failed + p.failed }),
      { succeeded: 0, failed: 0 },
    );
    expect(totals).toEqual({
      succeeded: stats.body.tasks.reduce((n, t) => n + t.succeeded, 0),
      failed: 3,
    });
    expect(stats.body.throughput.length).toBeGreaterThanOrEqual(60);

    const empty = await system.request<{ tasks: unknown[] }>(
      'GET',
      '/stats?since=2020-01-01T00:00:00Z&until=2020-01-01T01:00:00Z',
    );
    expect(empty.body.tasks).toEqual([]);
  });

  it('answers GET /tasks/{task_id} from the history once the live result has expired', async () => {
    await sleep(2500);
    const redis = system.redis.client();
    try {
      // the sweeper removes expired jobs: wait until the job itself is gone from Redis
      const deadline = Date.now() + 20_000;
      while ((await redis.exists(`${system.prefix}:default:${ids.add[0]}`)) === 1 && Date.now() < deadline)
        await sleep(200);
      expect(await redis.exists(`${system.prefix}:default:${ids.add[0]}`)).toBe(0);
    } finally {
      redis.disconnect();
    }
    expect((await system.status(ids.add[0])).body).toMatchObject({
      task_id: ids.add[0],
      state: 'SUCCESS',
      status: 'Task completed!',
      name: 'tasks.add',
      queue: 'default',
      result: 100,
      date_done: expect.any(String),
    });
    expect((await system.status(ids.fail[0])).body).toMatchObject({
      state: 'FAILURE',
      error: expect.stringContaining('error-marker-abc 0'),
    });
    expect((await system.status(randomUUID())).status).toBe(404);
  });

  it('answers 503 for /tasks and /stats with HISTORY_ENABLED=false, and 404 for expired results', async () => {
    await system.api?.stop('SIGTERM');
    await system.startApi({ HISTORY_ENABLED: 'false' });
    for (const path of ['/tasks', '/stats']) {
      const answer = await system.request<{ message: string }>('GET', path);
      expect(answer.status).toBe(503);
      expect(answer.body.message).toMatch(/HISTORY_ENABLED=false/);
    }
    expect((await system.status(ids.add[0])).status).toBe(404);
  });
});
