import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestSystem } from '../utils/test-system.js';

const add = (...args: number[]) => ({ task: 'tasks.add', args });

interface QueueBody {
  name: string;
  counts: Record<string, number>;
}

/** Every bad workflow is refused whole, before anything is queued: no worker runs here, so queues must stay empty. */
describe('POST /workflows: bad input is a clear 4xx naming the member, and nothing is queued', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start();
  });

  afterAll(async () => {
    await system?.stop();
  });

  async function refused(body: unknown, status: number, ...fragments: string[]): Promise<void> {
    const answer = await system.request<{ statusCode: number; message: string | string[] }>(
      'POST',
      '/workflows',
      body,
    );
    expect({ body, status: answer.status }).toEqual({ body, status });
    const message = JSON.stringify(answer.body.message);
    for (const fragment of fragments) expect(message).toContain(fragment);
  }

  it('an unknown task deep in a nested member: 404 naming the task and where it is', async () => {
    await refused(
      {
        chain: [
          add(1, 1),
          { group: [add(1), { chord: { header: [add(2)], body: { task: 'tasks.nope' } } }] },
        ],
      },
      404,
      'tasks.nope',
      'chain[1].group[1].chord.body',
    );
  });

  it('a bad payload: 400 naming the member’s path and the field', async () => {
    await refused(
      { group: [add(1, 1), { task: 'tasks.add', kwargs: { x: 1, y: 'two' } }] },
      400,
      'group[1]',
      'y',
    );
    // the previous result fills x: y is still checked
    await refused({ chain: [add(1, 1), { task: 'tasks.add', kwargs: { y: 'two' } }] }, 400, 'chain[1]', 'y');
    // and x may not be given twice
    await refused(
      { chain: [add(1, 1), { task: 'tasks.add', kwargs: { x: 1, y: 2 } }] },
      400,
      'chain[1]',
      'x',
    );
    await refused({ chain: [add(1, 1), add(1, 2)] }, 400, 'chain[1]', 'positional');
  });

  it('a body of the wrong form, or a member of no known form: 400 naming it', async () => {
    await refused(
      { chord: { header: [add(1, 1)], body: [{ task: 'tasks.xsum' }] } },
      400,
      'chord.body',
      'not a list',
    );
    await refused({ chord: { header: [add(1, 1)] } }, 400, 'chord.body', 'required');
    await refused({ chord: [add(1, 1)] }, 400, 'chord');
    await refused({ chain: 'tasks.add' }, 400, 'chain', 'list');
    await refused({ chain: [] }, 400, 'chain', 'at least one');
    await refused({ chain: [add(1, 1)], group: [add(1, 1)] }, 400, 'chain and group');
    await refused({ group: [42] }, 400, 'group[0]', 'object');
    await refused({ group: [{ tasks: 'tasks.add' }] }, 400, 'group[0]');
    await refused({ group: [{ task: 'tasks.add', args: [1, 2], extra: true }] }, 400, 'group[0].extra');
    await refused({ task: 7 }, 400, 'task');
    await refused([add(1, 1)], 400);
  });

  it('bad member options: 400 naming the option', async () => {
    await refused({ group: [{ ...add(1, 1), options: { priority: -1 } }] }, 400, 'group[0].options.priority');
    await refused({ group: [{ ...add(1, 1), options: { eta: 'soon' } }] }, 400, 'group[0].options.eta');
    await refused({ group: [{ ...add(1, 1), options: { idempotency_key: 'k' } }] }, 400, 'idempotency_key');
    await refused({ group: [{ ...add(1, 1), options: { queue: '_x' } }] }, 400, 'group[0].options.queue');
    await refused({ group: [{ ...add(1, 1), options: { immutable: 'yes' } }] }, 400, 'immutable');
  });

  it('nesting 50 levels deep: a clear 400, never a 500', async () => {
    let spec: unknown = add(1, 1);
    for (let i = 0; i < 50; i++) spec = { chain: [spec] };
    const answer = await system.request<{ message: string }>('POST', '/workflows', spec);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body.message)).toMatch(/nest/);
  });

  it('no body, or JSON that is not a workflow: 400', async () => {
    await refused(undefined, 400);
    await refused('null', 400);
    await refused({}, 400, 'task', 'chain');
  });

  it('nothing was queued by any of the refused workflows: only the one accepted after them', async () => {
    const accepted = await system.request('POST', '/workflows', { group: [add(1, 1), add(2, 2)] });
    expect(accepted.status).toBe(202);
    const queues = await system.request<QueueBody[]>('GET', '/queues');
    expect(queues.status).toBe(200);
    const queued = queues.body.reduce(
      (sum, q) => sum + q.counts.waiting + q.counts.delayed + q.counts.prioritized + q.counts.active,
      0,
    );
    expect(queued).toBe(2);
  });
});
