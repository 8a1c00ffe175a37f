import { describe, expect, it } from '@jest/globals';
import { Add } from '../definitions/add.task.js';
import { ALL_TASKS } from '../definitions/index.js';
import { SendEmail } from '../definitions/send-email.task.js';
import { Xsum } from '../definitions/xsum.task.js';
import { PayloadValidationError, UnknownTaskError } from '../core/errors.js';
import { TaskCatalogue } from '../core/task-catalogue.js';
import { DEFAULT_ROUTES, TaskRouter } from '../queues.js';
import { chain, chord, group, s, si, type Canvas } from './canvas.js';
import { WorkflowSpecError } from './workflow-errors.js';
import { MAX_WORKFLOW_DEPTH, planWorkflow, type CompositeNode, type TaskNode } from './workflow-plan.js';

const router = new TaskRouter(DEFAULT_ROUTES);
const context = {
  catalogue: new TaskCatalogue(ALL_TASKS),
  route: (name: string) => router.route(name),
  now: Date.UTC(2026, 11, 1),
};

describe('the typed canvas', () => {
  it('builds the wire form POST /workflows takes, with the result type carried along', () => {
    const workflow = chain(si(Add, { x: 1, y: 2 }), group(s(Add, { y: 10 }), s(Add, { y: 20 })), s(Xsum));
    const typed: Canvas<number> = workflow;
    expect(typed).toEqual({
      chain: [
        { task: 'tasks.add', kwargs: { x: 1, y: 2 }, options: { immutable: true } },
        {
          group: [
            { task: 'tasks.add', kwargs: { y: 10 } },
            { task: 'tasks.add', kwargs: { y: 20 } },
          ],
        },
        { task: 'tasks.xsum', kwargs: {} },
      ],
    });
    const pair: Canvas<[number, number]> = group(si(Add, { x: 1, y: 1 }), si(Xsum, { numbers: [1] }));
    expect(pair).toHaveProperty('group');
    // @ts-expect-error a payload that does not fit the task is a compile-time error
    si(Add, { x: 1, y: 'two' });
    // @ts-expect-error so is a parameter the task does not have
    s(Add, { z: 1 });
    const body: Canvas<number> = chord([si(Add, { x: 1, y: 1 })], s(Xsum));
    expect(body).toEqual({
      chord: {
        header: [{ task: 'tasks.add', kwargs: { x: 1, y: 1 }, options: { immutable: true } }],
        body: { task: 'tasks.xsum', kwargs: {} },
      },
    });
  });
});

describe('planWorkflow', () => {
  it('lays a chord out as a chain of its header group and its body, each node knowing its place', () => {
    const plan = planWorkflow(
      {
        chord: {
          header: [
            { task: 'tasks.add', args: [1, 1] },
            { task: 'tasks.add', args: [2, 2] },
          ],
          body: { task: 'tasks.xsum' },
        },
      },
      context,
    );
    expect(plan.kind).toBe('chord');
    expect(plan.nodes.map((n) => [n.k, n.path, n.p, n.pk, n.i, n.nx, n.ps])).toEqual([
      ['c', '', -1, undefined, 0, -1, 0],
      ['g', 'chord.header', 0, 'c', 0, 4, 2],
      ['t', 'chord.header[0]', 1, 'g', 0, -1, 2],
      ['t', 'chord.header[1]', 1, 'g', 1, -1, 2],
      ['t', 'chord.body', 0, 'c', 1, -1, 2],
    ]);
    expect(plan.tasks).toEqual([2, 3, 4]);
    const body = plan.nodes[4] as TaskNode;
    expect(body.in).toBe(1); // receives the header's list
    expect((plan.nodes[2] as TaskNode).in).toBeUndefined();
    expect((plan.nodes[1] as CompositeNode).c).toEqual([2, 3]);
    expect(new Set(plan.tasks.map((i) => (plan.nodes[i] as TaskNode).id)).size).toBe(3);
  });

  it('routes each member as a plain submit would, and keeps its options', () => {
    const plan = planWorkflow(
      {
        group: [
          { task: SendEmail.name, kwargs: { to: 'a@b.cn', subject: 's', body: 'b' } },
          { task: 'tasks.add', args: [1, 1], options: { queue: 'other', priority: 3 } },
        ],
      },
      context,
    );
    expect(plan.nodes.slice(1).map((n) => (n as TaskNode).q)).toEqual([
      router.route(SendEmail.name),
      'other',
    ]);
    expect((plan.nodes[2] as TaskNode).o).toEqual({ queue: 'other', priority: 3 });
  });

  it('a member after the first link of a chain receives the previous result; the members of a group share their input', () => {
    const plan = planWorkflow(
      {
        chain: [
          { task: 'tasks.add', args: [1, 1] },
          { group: [{ task: 'tasks.add', args: [1] }] },
          { task: 'tasks.add', args: [1, 1], options: { immutable: true } },
        ],
      },
      context,
    );
    const inputs = plan.tasks.map((i) => (plan.nodes[i] as TaskNode).in ?? 0);
    expect(inputs).toEqual([0, 1, 0]);
  });

  it('refuses naming the member path: unknown task, bad payload, bad shape, too deep', () => {
    expect(() => planWorkflow({ group: [{ chain: [{ task: 'tasks.nope' }] }] }, context)).toThrow(
      new UnknownTaskError('tasks.nope', 'group[0].chain[0]'),
    );
    expect(() => planWorkflow({ group: [{ task: 'tasks.add', args: [1, 'x'] }] }, context)).toThrow(
      PayloadValidationError,
    );
    expect(() => planWorkflow({ group: [{ task: 'tasks.add', args: [1, 'x'] }] }, context)).toThrow(
      /group\[0\] \(tasks.add\): y/,
    );
    expect(() => planWorkflow({ chord: { header: [], body: [] } } as never, context)).toThrow(
      WorkflowSpecError,
    );
    let deep: object = { task: 'tasks.add', args: [1, 1] };
    for (let i = 0; i <= MAX_WORKFLOW_DEPTH; i++) deep = { group: [deep] };
    expect(() => planWorkflow(deep as never, context)).toThrow(/nest at most/);
  });
});
