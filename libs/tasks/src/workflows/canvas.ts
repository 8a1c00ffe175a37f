import type { TaskDefinition } from '../core/define-task.js';
import type { Signature } from '../core/signature.js';

/**
 * A member's calling options in a workflow, on the wire (snake_case, as `POST /tasks` takes them).
 * `immutable` is Celery's `.si()`: the member ignores the previous result instead of receiving it.
 */
export interface MemberOptions {
  queue?: string;
  countdown?: number;
  /** ISO time. */
  eta?: string;
  /** Seconds after the member is queued, or an ISO time. */
  expires?: number | string;
  priority?: number;
  immutable?: boolean;
}

/** One task in a workflow, as `POST /workflows` takes it. */
export interface TaskSpec {
  task: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  options?: MemberOptions;
}

/** The wire form of a workflow (`POST /workflows`' body, and what `ctx.replace` carries). */
export type WorkflowSpec =
  | TaskSpec
  | { chain: WorkflowSpec[] }
  | { group: WorkflowSpec[] }
  | { chord: { header: WorkflowSpec[]; body: WorkflowSpec } };

/**
 * A workflow built in code: its wire form, with the type of its result carried along (never set). The
 * builders below check each member's payload against its task at compile time.
 */
export type Canvas<R = unknown> = WorkflowSpec & { readonly __result?: R };

type ResultOfCanvas<C> = C extends Canvas<infer R> ? R : never;
type LastOf<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L] ? L : never;

type MemberCallOptions = Omit<MemberOptions, 'immutable' | 'eta'> & { eta?: Date };

function wireOptions(options: MemberCallOptions, immutable: boolean): MemberOptions | undefined {
  const wire: MemberOptions = { ...options, eta: options.eta?.toISOString() };
  if (wire.eta === undefined) delete wire.eta;
  if (immutable) wire.immutable = true;
  return Object.keys(wire).length > 0 ? wire : undefined;
}

function leaf<R>(
  taskName: string,
  kwargs: object,
  options: MemberCallOptions,
  immutable: boolean,
): Canvas<R> {
  const spec: TaskSpec = { task: taskName, kwargs: { ...kwargs } };
  const wire = wireOptions(options, immutable);
  if (wire) spec.options = wire;
  return spec;
}

/**
 * Celery's `task.s(...)`: a member that receives the previous result as its first positional parameter (the
 * rest given here). The payload is checked whole when the member is queued, and its known part at submission.
 */
export function s<P extends object, R>(
  task: TaskDefinition<P, R>,
  kwargs: Partial<P> = {},
  options: MemberCallOptions = {},
): Canvas<R> {
  return leaf<R>(task.name, kwargs, options, false);
}

/** Celery's `task.si(...)`: an immutable member, its whole payload given here; it ignores the previous result. */
export function si<P extends object, R>(
  task: TaskDefinition<P, R>,
  payload: P,
  options: MemberCallOptions = {},
): Canvas<R> {
  return leaf<R>(task.name, payload, options, true);
}

/** A signature as a workflow member (receiving the previous result, as Celery's signatures do). */
export function fromSignature<P extends object, R>(sig: Signature<P, R>): Canvas<R> {
  const { queue, countdown, eta, expires, priority } = sig.options;
  const options: MemberCallOptions = { queue, countdown, eta, priority };
  if (expires !== undefined) options.expires = expires instanceof Date ? expires.toISOString() : expires;
  for (const key of Object.keys(options) as (keyof MemberCallOptions)[]) {
    if (options[key] === undefined) delete options[key];
  }
  return leaf<R>(sig.task.name, sig.payload, options, false);
}

/** Runs its members one after another, each result passed on; its result is the last member's. */
export function chain<const T extends readonly Canvas[]>(...members: T): Canvas<ResultOfCanvas<LastOf<T>>> {
  return { chain: [...members] };
}

/** Runs its members in parallel; its result is the list of theirs, in order. */
export function group<const T extends readonly Canvas[]>(
  ...members: T
): Canvas<{ -readonly [K in keyof T]: ResultOfCanvas<T[K]> }> {
  return { group: [...members] };
}

/** A group, then `body` over the list of its results; its result is the body's. */
export function chord<R>(header: readonly Canvas[], body: Canvas<R>): Canvas<R> {
  return { chord: { header: [...header], body } };
}
