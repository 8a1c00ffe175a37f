import type { AnyTask } from '../core/define-task.js';
import { InvalidOptionError, PayloadValidationError, UnknownTaskError } from '../core/errors.js';
import { bindArguments, validatePayload } from '../core/payload.js';
import { toJobSpec } from '../core/signature.js';
import type { SubmitOptions } from '../core/submit-options.js';
import type { TaskCatalogue } from '../core/task-catalogue.js';
import { newTaskId } from '../core/task-id.js';
import type { MemberOptions, WorkflowSpec } from './canvas.js';
import { WorkflowSpecError } from './workflow-errors.js';

/** Nesting deeper than this is refused: nobody writes it on purpose, and every walk stays shallow. */
export const MAX_WORKFLOW_DEPTH = 32;
/** Members (tasks) in one workflow. */
export const MAX_WORKFLOW_MEMBERS = 100_000;

/** How a node hangs in its parent: what finishing it leads to, without reading the parent. */
export interface Link {
  /** The parent's node index; -1 for the root. */
  p: number;
  /** The parent's kind: `c` chain, `g` group. */
  pk?: 'c' | 'g';
  /** The position in the parent. */
  i: number;
  /** In a chain: the next member's node index, -1 after the last. */
  nx: number;
  /** In a group: how many members it has. */
  ps: number;
}

export interface TaskNode extends Link {
  k: 't';
  /** Where the member sits in the submitted workflow: `chain[1].group[0]`. */
  path: string;
  /** Its task id, fixed at submission so that queueing it again is a no-op. */
  id: string;
  task: string;
  /** The queue it will be routed to. */
  q: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  o?: MemberOptions;
  /** Receives the previous result (prepended to its positional arguments) when it is queued. */
  in?: 1;
}

export interface CompositeNode extends Link {
  k: 'c' | 'g';
  path: string;
  /** Its members' node indices, in order. */
  c: number[];
}

export type WorkflowNode = TaskNode | CompositeNode;

export type WorkflowKind = 'task' | 'chain' | 'group' | 'chord';

/** A validated workflow: its nodes in pre-order (the root first), each task with its id and queue. */
export interface WorkflowPlan {
  kind: WorkflowKind;
  nodes: WorkflowNode[];
  /** Node indices of the tasks, in pre-order. */
  tasks: number[];
}

export interface PlanContext {
  catalogue: TaskCatalogue;
  route(taskName: string): string;
  now: number;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const FORMS = ['task', 'chain', 'group', 'chord'] as const;

function formOf(spec: unknown, path: string): (typeof FORMS)[number] {
  if (!isObject(spec))
    throw new WorkflowSpecError(path, 'must be an object: a task or a chain, group or chord');
  const forms = FORMS.filter((form) => form in spec);
  if (forms.length !== 1) {
    throw new WorkflowSpecError(
      path,
      forms.length === 0
        ? 'must name a task, or be a chain, group or chord'
        : `give one of task, chain, group, chord, not ${forms.join(' and ')}`,
    );
  }
  const form = forms[0];
  const allowed = form === 'task' ? ['task', 'args', 'kwargs', 'options'] : [form];
  const extra = Object.keys(spec).filter((key) => !allowed.includes(key));
  if (extra.length > 0) throw new WorkflowSpecError(join(path, extra[0]), 'unknown field');
  return form;
}

function memberList(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new WorkflowSpecError(path, 'must be a list of members');
  return value;
}

const OPTION_KEYS = new Set(['queue', 'countdown', 'eta', 'expires', 'priority', 'immutable']);

function memberOptions(value: unknown, path: string): MemberOptions | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw new WorkflowSpecError(path, 'must be an object');
  for (const key of Object.keys(value)) {
    if (!OPTION_KEYS.has(key)) {
      const hint = key === 'idempotency_key' ? ': not for workflow members' : '';
      throw new WorkflowSpecError(`${path}.${key}`, `unknown option${hint}`);
    }
  }
  const { queue, countdown, eta, expires, priority, immutable } = value;
  if (queue !== undefined && typeof queue !== 'string')
    throw new WorkflowSpecError(`${path}.queue`, 'must be a string');
  if (countdown !== undefined && typeof countdown !== 'number')
    throw new WorkflowSpecError(`${path}.countdown`, 'must be a number of seconds');
  if (eta !== undefined && (typeof eta !== 'string' || Number.isNaN(Date.parse(eta))))
    throw new WorkflowSpecError(`${path}.eta`, 'must be an ISO 8601 time');
  if (
    expires !== undefined &&
    !(typeof expires === 'number' && expires > 0) &&
    !(typeof expires === 'string' && !Number.isNaN(Date.parse(expires)))
  )
    throw new WorkflowSpecError(`${path}.expires`, 'must be a number of seconds > 0 or an ISO 8601 time');
  if (priority !== undefined && typeof priority !== 'number')
    throw new WorkflowSpecError(`${path}.priority`, 'must be an integer');
  if (immutable !== undefined && typeof immutable !== 'boolean')
    throw new WorkflowSpecError(`${path}.immutable`, 'must be true or false');
  return value;
}

/** A member's options as `toJobSpec` takes them. */
export function submitOptionsOf(options: MemberOptions | undefined): SubmitOptions {
  if (!options) return {};
  const { queue, countdown, eta, expires, priority } = options;
  return {
    queue,
    countdown,
    priority,
    eta: eta !== undefined ? new Date(eta) : undefined,
    expires: typeof expires === 'string' ? new Date(expires) : expires,
  };
}

/** Problems of a payload that the previous result is still to complete: those about its first parameter go. */
function withoutInput(error: PayloadValidationError, input: string): string[] {
  return error.problems.filter((p) => !p.startsWith(`${input}:`) && !p.startsWith(`${input}.`));
}

/**
 * Checks one task member as far as it can be before it is queued: the task exists, its arguments bind and
 * validate (all but the parameter the previous result will fill, for a member that receives one), and its
 * options are valid.
 */
function checkTask(spec: Json, path: string, receivesInput: boolean, context: PlanContext): TaskNode {
  const name = spec.task;
  if (typeof name !== 'string') throw new WorkflowSpecError(join(path, 'task'), 'must be a task name');
  let task: AnyTask;
  try {
    task = context.catalogue.get(name);
  } catch (error) {
    if (error instanceof UnknownTaskError) throw new UnknownTaskError(name, path);
    throw error;
  }
  const args = spec.args === undefined ? undefined : memberList(spec.args, join(path, 'args'));
  if (spec.kwargs !== undefined && !isObject(spec.kwargs))
    throw new WorkflowSpecError(join(path, 'kwargs'), 'must be an object of keyword arguments');
  const kwargs = spec.kwargs;
  const options = memberOptions(spec.options, join(path, 'options'));
  const takesInput = receivesInput && options?.immutable !== true;
  const fail = (problems: string[]): never => {
    throw new PayloadValidationError(
      name,
      problems.map((p) => `${path || 'the task'} (${name}): ${p}`),
    );
  };
  if (takesInput) {
    const input = task.params[0];
    if (input === undefined) {
      fail([
        'receives the previous result but takes no positional parameter: make it immutable (options.immutable)',
      ]);
    } else if (kwargs && input in kwargs) {
      fail([
        `${input}: filled by the previous result, so kwargs may not give it (or make the member immutable)`,
      ]);
    }
  }
  try {
    const bound = bindArguments(task, takesInput ? [null, ...(args ?? [])] : args, kwargs);
    validatePayload(task, bound);
  } catch (error) {
    if (!(error instanceof PayloadValidationError)) throw error;
    const problems = takesInput ? withoutInput(error, task.params[0]) : error.problems;
    if (problems.length > 0) fail(problems);
  }
  // the options as `toJobSpec` will see them when the member is queued
  let queue: string;
  try {
    const sig = { task, payload: {}, options: submitOptionsOf(options) };
    queue = toJobSpec(sig, { route: (name) => context.route(name), now: context.now, id: 'check' }).queueName;
  } catch (error) {
    if (error instanceof InvalidOptionError) {
      throw new WorkflowSpecError(join(path, `options.${error.option}`), error.message);
    }
    throw error;
  }
  const node: TaskNode = { k: 't', path, id: newTaskId(), task: name, q: queue, p: -1, i: 0, nx: -1, ps: 0 };
  if (args && args.length > 0) node.args = args;
  if (kwargs && Object.keys(kwargs).length > 0) node.kwargs = kwargs;
  if (options && Object.keys(options).length > 0) node.o = options;
  if (takesInput) node.in = 1;
  return node;
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** One member of a composite node, added when its parent knows its depth and whether it receives a result. */
type MemberBuilder = (depth: number, receivesInput: boolean) => number;

/**
 * Validates a workflow's wire form and lays it out as nodes, each member with its id, before anything is
 * queued. A chord is a chain of its header (a group) and its body. Throws naming the member's path (as in the
 * submitted JSON: `chain[1].group[0]`) and the field at fault: `WorkflowSpecError` and `PayloadValidationError`
 * (400), `UnknownTaskError` (404).
 */
export function planWorkflow(spec: WorkflowSpec, context: PlanContext): WorkflowPlan {
  const nodes: WorkflowNode[] = [];
  const tasks: number[] = [];

  const composite = (
    k: 'c' | 'g',
    path: string,
    members: MemberBuilder[],
    depth: number,
    receivesInput: boolean,
  ): number => {
    const index = nodes.length;
    const node: CompositeNode = { k, path, c: [], p: -1, i: 0, nx: -1, ps: 0 };
    nodes.push(node);
    // in a chain every member after the first receives the result before it; a group's members share its input
    members.forEach((build, i) => node.c.push(build(depth + 1, k === 'c' && i > 0 ? true : receivesInput)));
    node.c.forEach((child, i) => {
      const link: Link = {
        p: index,
        pk: k,
        i,
        nx: k === 'c' ? (node.c[i + 1] ?? -1) : -1,
        ps: node.c.length,
      };
      Object.assign(nodes[child], link);
    });
    return index;
  };

  const list = (value: unknown, path: string): MemberBuilder[] =>
    memberList(value, path).map(
      (member, i) => (depth, receivesInput) => tree(member, `${path}[${i}]`, depth, receivesInput),
    );

  const tree = (value: unknown, path: string, depth: number, receivesInput: boolean): number => {
    if (depth > MAX_WORKFLOW_DEPTH) {
      throw new WorkflowSpecError(path, `workflows nest at most ${MAX_WORKFLOW_DEPTH} levels deep`);
    }
    const form = formOf(value, path);
    const spec = value as Json;
    if (form === 'task') {
      if (tasks.length >= MAX_WORKFLOW_MEMBERS) {
        throw new WorkflowSpecError(path, `a workflow holds at most ${MAX_WORKFLOW_MEMBERS} tasks`);
      }
      tasks.push(nodes.length);
      nodes.push(checkTask(spec, path, receivesInput, context));
      return nodes.length - 1;
    }
    if (form !== 'chord') {
      const members = list(spec[form], join(path, form));
      if (form === 'chain' && members.length === 0) {
        throw new WorkflowSpecError(join(path, 'chain'), 'a chain needs at least one member');
      }
      return composite(form === 'group' ? 'g' : 'c', path, members, depth, receivesInput);
    }
    const chord = spec.chord;
    const at = join(path, 'chord');
    if (!isObject(chord)) throw new WorkflowSpecError(at, 'must be {header: [...], body: {...}}');
    const extra = Object.keys(chord).filter((key) => key !== 'header' && key !== 'body');
    if (extra.length > 0) throw new WorkflowSpecError(`${at}.${extra[0]}`, 'unknown field');
    if (chord.body === undefined) throw new WorkflowSpecError(`${at}.body`, 'is required');
    if (Array.isArray(chord.body)) {
      throw new WorkflowSpecError(`${at}.body`, 'must be one task or workflow, not a list');
    }
    const header = list(chord.header, `${at}.header`);
    return composite(
      'c',
      path,
      [
        (d, receives) => composite('g', `${at}.header`, header, d, receives),
        (d, receives) => tree(chord.body, `${at}.body`, d, receives),
      ],
      depth,
      receivesInput,
    );
  };

  const root = tree(spec, '', 0, false);
  const first = nodes[root];
  const kind: WorkflowKind =
    first.k === 't' ? 'task' : first.k === 'g' ? 'group' : 'chord' in spec ? 'chord' : 'chain';
  return { kind, nodes, tasks };
}
