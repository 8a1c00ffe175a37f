import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API_KEY, TestSystem, type TaskStatusBody } from '../utils/test-system.js';

interface Member {
  task_id: string;
  name: string;
  path: string;
  state: string;
}
type WorkflowBody = TaskStatusBody & { workflow?: string; members?: Member[] };

const add = (...args: number[]) => ({ task: 'tasks.add', args });

describe('workflows: chain, group and chord over REST (POST /workflows)', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start();
    await system.startWorker(['--concurrency', '8']);
  });

  afterAll(async () => {
    await system?.stop();
  });

  async function submit(body: unknown): Promise<string> {
    const answer = await system.request<{ task_id: string; status_url: string }>('POST', '/workflows', body);
    expect(answer.status).toBe(202);
    expect(answer.body.status_url).toBe(`/tasks/${answer.body.task_id}`);
    return answer.body.task_id;
  }

  const settle = (id: string, timeoutMs = 20_000) =>
    system.waitForState(id, ['SUCCESS', 'FAILURE', 'REVOKED'], timeoutMs) as Promise<WorkflowBody>;

  async function run(body: unknown): Promise<WorkflowBody> {
    return settle(await submit(body));
  }

  it('chain: each result is prepended to the next link’s arguments; the result is the last link’s', async () => {
    const done = await run({ chain: [add(2, 2), add(4), add(8)] });
    expect(done).toMatchObject({ state: 'SUCCESS', result: 16, workflow: 'chain', current: 3, total: 3 });
    expect(done.members?.map((m) => [m.path, m.name, m.state])).toEqual([
      ['chain[0]', 'tasks.add', 'SUCCESS'],
      ['chain[1]', 'tasks.add', 'SUCCESS'],
      ['chain[2]', 'tasks.add', 'SUCCESS'],
    ]);
  });

  it('members are ordinary tasks: each has its own status and result', async () => {
    const done = await run({ chain: [add(1, 1), add(10)] });
    const [first, second] = done.members ?? [];
    expect((await system.status(first.task_id)).body).toMatchObject({ state: 'SUCCESS', result: 2 });
    expect((await system.status(second.task_id)).body).toMatchObject({ state: 'SUCCESS', result: 12 });
  });

  it('a workflow has an SSE stream: progress as tasks finish, ending with the final state', async () => {
    const id = await submit({
      chain: [
        { task: 'tasks.sleep', args: [0.6, 1] },
        { task: 'tasks.sleep', args: [0.6, 2], options: { immutable: true } },
      ],
    });
    const response = await system.fetch(`/tasks/${id}/events`, {
      headers: { authorization: `Bearer ${API_KEY}`, accept: 'text/event-stream' },
      signal: AbortSignal.timeout(20_000),
    });
    expect(response.status).toBe(200);
    const text = await response.text(); // the server closes the stream after the final state
    const states = text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => (JSON.parse(line.slice(6)) as WorkflowBody).state);
    expect(states.at(-1)).toBe('SUCCESS');
    expect(states).toContain('PROGRESS');
  });

  it('group: the result is the list of results, in member order', async () => {
    const done = await run({
      group: [
        { task: 'tasks.sleep', args: [0.3, 'slow'] },
        { task: 'tasks.sleep', args: [0, 'fast'] },
        add(1, 2),
      ],
    });
    expect(done).toMatchObject({ state: 'SUCCESS', result: ['slow', 'fast', 3], workflow: 'group' });
  });

  it('chord: the body receives the list of the header’s results', async () => {
    const done = await run({
      chord: { header: [add(1, 1), add(2, 2), add(3, 3)], body: { task: 'tasks.xsum' } },
    });
    expect(done).toMatchObject({ state: 'SUCCESS', result: 12, workflow: 'chord', total: 4 });
    expect(done.members?.map((m) => m.path)).toEqual([
      'chord.header[0]',
      'chord.header[1]',
      'chord.header[2]',
      'chord.body',
    ]);
  });

  it('immutable members ignore the previous result', async () => {
    const done = await run({
      chain: [add(1, 1), { task: 'tasks.add', args: [10, 10], options: { immutable: true } }, add(1)],
    });
    expect(done.result).toBe(21);
  });

  it('a group inside a chain gets the previous result in every member, and passes on its list', async () => {
    const done = await run({
      chain: [add(1, 1), { group: [add(10), add(20)] }, { task: 'tasks.xsum' }],
    });
    expect(done.result).toBe(34); // (2+10) + (2+20)
  });

  it('a chord inside a chain, and a chain inside a group', async () => {
    const chordInChain = await run({
      chain: [add(1, 2), { chord: { header: [add(1), add(2)], body: { task: 'tasks.xsum' } } }, add(100)],
    });
    expect(chordInChain.result).toBe(109); // (3+1) + (3+2) + 100
    const chainInGroup = await run({
      group: [{ chain: [add(1, 1), add(1)] }, { chain: [add(5, 5), add(5)] }],
    });
    expect(chainInGroup.result).toEqual([3, 15]);
  });

  it('a group of groups keeps the nesting in its result', async () => {
    const done = await run({ group: [{ group: [add(1, 0), add(2, 0)] }, { group: [] }, add(3, 0)] });
    expect(done.result).toEqual([[1, 2], [], 3]);
  });

  it('an empty group succeeds at once with [] (as Celery), and feeds [] to a chord body', async () => {
    expect(await run({ group: [] })).toMatchObject({ state: 'SUCCESS', result: [], total: 0 });
    expect((await run({ chord: { header: [], body: { task: 'tasks.xsum' } } })).result).toBe(0);
  });

  it('a task replaces itself with a workflow (self.replace): its result is the workflow’s', async () => {
    const submitted = await system.submit('tasks.sum_in_parallel', { args: [[1, 2, 3, 4]] });
    const done = await system.waitForState(submitted.body.task_id, ['SUCCESS', 'FAILURE'], 20_000);
    expect(done).toMatchObject({ state: 'SUCCESS', result: 10, name: 'tasks.sum_in_parallel' });
    expect(done.replaced_by).toMatch(/^[0-9a-f-]{36}$/);
    const replacement = (await system.status(done.replaced_by ?? '')).body as WorkflowBody;
    expect(replacement).toMatchObject({ state: 'SUCCESS', result: 10, workflow: 'chord', total: 5 });
  });

  it('a replaced member of a workflow hands its workflow’s result on to the next link', async () => {
    const done = await run({ chain: [{ task: 'tasks.sum_in_parallel', args: [[5, 6]] }, add(100)] });
    expect(done).toMatchObject({ state: 'SUCCESS', result: 111 });
  });

  it('a member that retries and then succeeds lets the workflow go on', async () => {
    const done = await run({ chain: [{ task: 'tasks.flaky', args: [2, 5] }, add(1)] });
    expect(done).toMatchObject({ state: 'SUCCESS', result: 6 });
    const flaky = (await system.status(done.members?.[0].task_id ?? '')).body;
    expect(flaky.retries).toBe(2);
  });

  it('a failed link stops the chain: later links never run; the error names the member', async () => {
    const done = await run({
      chain: [add(1, 1), { task: 'tasks.fail', args: ['boom'], options: { immutable: true } }, add(1)],
    });
    expect(done.state).toBe('FAILURE');
    const failed = done.members?.[1];
    expect(done.error).toContain('chain[1]');
    expect(done.error).toContain('tasks.fail');
    expect(done.error).toContain(failed?.task_id);
    expect(done.error).toContain('boom');
    const last = done.members?.[2];
    expect(last?.state).toBe('REVOKED');
    // never queued: no such task
    expect((await system.status(last?.task_id ?? '')).status).toBe(404);
  });

  it('a failed chord member fails the workflow at once: the body never runs, waiting members are revoked', async () => {
    const id = await submit({
      chord: {
        header: [
          { task: 'tasks.fail', args: ['header member failed', 0.2] },
          { task: 'tasks.sleep', args: [3, 1] },
          ...Array.from({ length: 20 }, () => ({
            task: 'tasks.sleep',
            args: [3, 1],
            options: { countdown: 2 },
          })),
        ],
        body: { task: 'tasks.xsum' },
      },
    });
    const failedAt = Date.now();
    const done = await settle(id, 10_000);
    // the failing member fails 0.2 s in; the workflow reads FAILURE well before the 3 s sleepers end
    expect(Date.now() - failedAt).toBeLessThan(2_500);
    expect(done.state).toBe('FAILURE');
    expect(done.error).toContain('chord.header[0]');
    expect(done.error).toContain('header member failed');
    const body = done.members?.find((m) => m.path === 'chord.body');
    expect(body?.state).toBe('REVOKED');
    expect((await system.status(body?.task_id ?? '')).status).toBe(404);
    const waiting = done.members?.filter(
      (m) =>
        m.path.startsWith('chord.header[') && m.path !== 'chord.header[0]' && m.path !== 'chord.header[1]',
    );
    // the delayed members had not started: they read REVOKED and never run
    for (const member of waiting ?? []) {
      const status = await system.waitForState(member.task_id, 'REVOKED', 10_000);
      expect(status.state).toBe('REVOKED');
    }
  });

  it('revoking a workflow revokes its unfinished members; terminate stops running ones', async () => {
    const id = await submit({
      chain: [
        {
          group: [
            { task: 'tasks.sleep', args: [30, 1] },
            { task: 'tasks.sleep', args: [30, 2] },
          ],
        },
        { task: 'tasks.xsum' },
      ],
    });
    const running = await system.waitForState(id, ['STARTED', 'PROGRESS'], 10_000);
    expect(running.state).toBe('STARTED');
    const answer = await system.request<WorkflowBody>('POST', `/tasks/${id}/revoke`, { terminate: true });
    expect(answer.status).toBe(200);
    expect(answer.body.state).toBe('REVOKED');
    const members = answer.body.members ?? [];
    for (const member of members.slice(0, 2)) {
      const status = await system.waitForState(member.task_id, 'REVOKED', 10_000);
      expect(status.error).toContain('REVOKED');
    }
    expect((await system.status(members[2].task_id)).status).toBe(404);
  });

  it('revoking one member that has not started ends its workflow REVOKED at once, naming it', async () => {
    const id = await submit({
      group: [
        { task: 'tasks.add', args: [1, 1], options: { countdown: 60 } },
        { task: 'tasks.add', args: [2, 2], options: { countdown: 60 } },
      ],
    });
    const pending = (await system.status(id)).body as WorkflowBody;
    const member = pending.members?.[0];
    expect((await system.request('POST', `/tasks/${member?.task_id}/revoke`, {})).status).toBe(200);
    const done = (await system.status(id)).body as WorkflowBody;
    expect(done.state).toBe('REVOKED');
    expect(done.error).toContain('group[0]');
    expect(done.members?.map((m) => m.state)).toEqual(['REVOKED', 'REVOKED']);
  });

  it('a previous result that does not fit the next link fails the workflow naming that link', async () => {
    const done = await run({ chain: [{ task: 'tasks.sleep', args: [0, 'not a number'] }, add(1)] });
    expect(done.state).toBe('FAILURE');
    expect(done.error).toContain('chain[1]');
    expect(done.error).toContain('x');
  });

  it('a group of 1,000 members is queued in bulk and completes with its 1,000 results in order', async () => {
    const members = Array.from({ length: 1000 }, (_, i) => add(i, 0));
    const done = await run({ group: members });
    expect(done.state).toBe('SUCCESS');
    expect(done.result).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(done).toMatchObject({ current: 1000, total: 1000 });
  });
});
