import { Inject, Injectable } from '@nestjs/common';
import type { IRedisTransaction } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import {
  InvalidOptionError,
  PayloadValidationError,
  PermanentTaskError,
  REVOKED_REASON_PREFIX,
  UnknownTaskError,
} from '../core/errors.js';
import { ownKeys } from '../core/keys.js';
import { bindArguments, validatePayload } from '../core/payload.js';
import { JobWriter } from '../core/job-writer.js';
import { QueueRegistry } from '../core/queue-registry.js';
import { Revocations } from '../core/revocations.js';
import type { RequestContext } from '../core/request-context.js';
import { toJobSpec, type JobSpec } from '../core/signature.js';
import { TaskCatalogue } from '../core/task-catalogue.js';
import { idempotentTaskId, newTaskId } from '../core/task-id.js';
import { TaskState } from '../core/task-state.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import type { WorkflowSpec } from './canvas.js';
import { REPLACED_MARKER, type ReplacedResult } from './replace.js';
import { COMMIT, FINISH, RECORD } from './workflow-scripts.js';
import {
  planWorkflow,
  submitOptionsOf,
  type CompositeNode,
  type Link,
  type TaskNode,
  type WorkflowKind,
  type WorkflowNode,
  type WorkflowPlan,
} from './workflow-plan.js';

/** What a member's job carries: its workflow, its node, and how that node hangs in its parent. */
export interface MemberRef extends Link {
  wf: string;
  n: number;
}

/** A workflow's fixed facts, stored once. */
export interface WorkflowMeta {
  kind: WorkflowKind;
  /** Tasks in it. */
  total: number;
  created: string;
  /** The queue of its first task: where it is listed. */
  queue: string;
  /** It replaces this task (`ctx.replace`): its result is that task's. */
  replaces?: string;
  /** …which was this member of another workflow: finishing this one finishes that member. */
  parent?: MemberRef;
}

/** A value to pass on, told apart from "nothing to pass" (a result may be null). */
type Input = { value: unknown } | undefined;

/** What starting a node queues now: its first tasks, and the empty groups among them (done at once). */
interface StartSet {
  tasks: { index: number; node: TaskNode }[];
  empty: { index: number; node: CompositeNode }[];
}

type NodeLoader = (indices: number[]) => Promise<WorkflowNode[]>;

const FINAL_TTL_FALLBACK_S = 24 * 3600;
/**
 * First tasks added in one transaction. Measured: a transaction of 10,000 holds Redis ~0.5 s (about 50 µs a
 * member); 500 hold it ~25 ms, close to the longest single command of plain BullMQ's bulk add.
 */
export const QUEUE_BATCH = 500;
/** A workflow still QUEUING this long after its submission started is taken as abandoned. */
const QUEUING_DEADLINE_MS = 60_000;
/** A running workflow's hash lives this long past its last step: one stuck for a week is forgotten. */
const RUNNING_TTL_S = 7 * 24 * 3600;

/**
 * Runs workflows (docs/WORKFLOWS.md). Submission stores the whole plan in one hash and queues what runs first
 * in the same transaction; from then on each member, as it ends, moves the workflow on from the worker that ran
 * it: it records its result, and queues what comes next (the next link of a chain, or a chord's body once the
 * last member of its header is counted). Member ids are fixed in the plan, so that doing a step again after a
 * crash queues nothing twice. A member that fails for good ends the workflow and revokes what has not run.
 */
@Injectable()
export class WorkflowEngine {
  private readonly keys: ReturnType<typeof ownKeys>;

  constructor(
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    private readonly queues: QueueRegistry,
    private readonly catalogue: TaskCatalogue,
    private readonly revocations: Revocations,
    private readonly writer: JobWriter,
  ) {
    this.keys = ownKeys(config.prefix);
  }

  private key(id: string): string {
    return this.keys.workflow(id);
  }

  /** The id of the workflow that replaces a task: one per task, so that a run repeated after a crash reuses it. */
  static replacementId(taskId: string): string {
    return idempotentTaskId(`replace:${taskId}`);
  }

  /**
   * Stores a validated workflow and queues its first tasks; returns its id. Up to `QUEUE_BATCH` first tasks go
   * in the same transaction as the workflow. More are added in batches (one transaction of thousands would
   * hold Redis for half a second): the workflow reads QUEUING meanwhile, and one whose submitter died before
   * the last batch is failed by the workers (`failAbandoned`), so that its outcome stays all or nothing. With
   * `id` given and already stored (a replace done again), its queuing is finished if need be. The first tasks
   * carry the request id of `origin`.
   */
  async create(
    plan: WorkflowPlan,
    links: Pick<WorkflowMeta, 'replaces' | 'parent'> = {},
    id = newTaskId(),
    origin: RequestContext = {},
  ): Promise<string> {
    const key = this.key(id);
    const stored = links.replaces !== undefined ? await this.redis.hget(key, 'state') : null;
    if (stored !== null) {
      // a replace done again after a crash: finish what the first run began (each step is idempotent)
      if (stored === 'QUEUING' || stored === 'RUNNING') await this.start(id, 0, undefined, true);
      else await this.passOnEnd(id);
      return id;
    }
    const start = await this.startSet([0], (indices) => Promise.resolve(indices.map((i) => plan.nodes[i])));
    const now = Date.now();
    const jobs = start.tasks.map(({ index, node }) => this.jobFor(id, index, node, undefined, now));
    if (origin.requestId !== undefined) for (const job of jobs) job.data.rid = origin.requestId;
    const first = plan.tasks.length > 0 ? (plan.nodes[plan.tasks[0]] as TaskNode).q : 'default';
    const meta: WorkflowMeta = {
      kind: plan.kind,
      total: plan.tasks.length,
      created: new Date(now).toISOString(),
      queue: first,
      ...links,
    };
    // a first step that is not one transaction (batches, or empty groups done at once after it) is QUEUING
    // until it is whole, so that a submitter dying half-way leaves a workflow the workers fail, not one hanging
    const batched = jobs.length > QUEUE_BATCH || start.empty.length > 0;
    const fields: Record<string, string> = {
      meta: JSON.stringify(meta),
      state: batched ? 'QUEUING' : 'RUNNING',
      t: JSON.stringify(plan.tasks),
      done: '0',
    };
    plan.nodes.forEach((node, i) => (fields[`n:${i}`] = JSON.stringify(node)));
    await this.queueJobs(jobs.slice(0, QUEUE_BATCH), (multi) => {
      multi.hset(key, fields);
      multi.runCommand('expire', [key, RUNNING_TTL_S]);
      if (batched) multi.runCommand('zadd', [this.keys.workflowsQueuing, now + QUEUING_DEADLINE_MS, id]);
    });
    for (let from = QUEUE_BATCH; from < jobs.length; from += QUEUE_BATCH) {
      await this.queueJobs(jobs.slice(from, from + QUEUE_BATCH));
    }
    for (const { index, node } of start.empty) await this.completed(id, index, node, [], false);
    if (batched) await COMMIT.run(this.redis, [key, this.keys.workflowsQueuing], [id]);
    return id;
  }

  /**
   * Fails the workflows whose first step was left half-queued (their submitter died between batches): run by
   * every worker now and then; each is failed once, whoever finds it.
   */
  async failAbandoned(): Promise<number> {
    const ids = await this.redis.zrangebyscore(
      this.keys.workflowsQueuing,
      '-inf',
      Date.now(),
      'LIMIT',
      0,
      100,
    );
    let failed = 0;
    for (const id of ids) {
      if (await this.fail(id, 'submission interrupted before all of its first tasks were queued')) failed++;
      await this.redis.zrem(this.keys.workflowsQueuing, id);
    }
    return failed;
  }

  /** The tasks that run first when node(s) `roots` start, found level by level. */
  private async startSet(roots: number[], load: NodeLoader, into?: StartSet): Promise<StartSet> {
    const set = into ?? { tasks: [], empty: [] };
    const nodes = await load(roots);
    const next: number[] = [];
    nodes.forEach((node, j) => {
      const index = roots[j];
      if (node.k === 't') set.tasks.push({ index, node });
      else if (node.k === 'c') next.push(node.c[0]);
      else if (node.c.length === 0) set.empty.push({ index, node });
      else next.push(...node.c);
    });
    return next.length > 0 ? this.startSet(next, load, set) : set;
  }

  /** One member's job; throws `PayloadValidationError` when the previous result does not fit its parameters. */
  private jobFor(wf: string, index: number, node: TaskNode, input: Input, now: number): JobSpec {
    const task = this.catalogue.get(node.task);
    const args = node.in && input ? [input.value, ...(node.args ?? [])] : node.args;
    const payload = validatePayload<object>(task, bindArguments(task, args, node.kwargs));
    const spec = toJobSpec(
      { task, payload, options: submitOptionsOf(node.o) },
      { route: (name) => this.queues.router.route(name), now, id: node.id },
    );
    const { p, pk, i, nx, ps } = node;
    spec.data.wf = { wf, n: index, p, pk, i, nx, ps };
    return spec;
  }

  /** Adds jobs in one MULTI with `alsoDo`'s commands; ids that exist already are kept (a repeated step). */
  private queueJobs(jobs: JobSpec[], alsoDo?: (multi: IRedisTransaction) => void): Promise<void> {
    return this.writer.add(jobs, alsoDo);
  }

  private async loadNodes(wf: string, indices: number[]): Promise<WorkflowNode[]> {
    const raw = await this.redis.hmget(this.key(wf), ...indices.map((i) => `n:${i}`));
    return raw.map((value, j) => {
      if (value === null) throw new Error(`workflow ${wf}: node ${indices[j]} missing`);
      return JSON.parse(value) as WorkflowNode;
    });
  }

  /**
   * Starts node `index` with the previous result; a member whose parameters that result does not fit ends it.
   * Done again after a crash, it adds only what is missing (member ids are fixed). `commit`: it finishes the
   * queuing of a workflow's first step (a replace repeated after a crash).
   */
  private async start(wf: string, index: number, input: Input, commit = false): Promise<void> {
    const set = await this.startSet([index], (indices) => this.loadNodes(wf, indices));
    const now = Date.now();
    const jobs: JobSpec[] = [];
    for (const { index: i, node } of set.tasks) {
      try {
        jobs.push(this.jobFor(wf, i, node, input, now));
      } catch (error) {
        const at = `${node.path} (${node.task} ${node.id})`;
        if (error instanceof PayloadValidationError) {
          await this.fail(wf, `${at}: the previous result does not fit: ${error.problems.join('; ')}`);
        } else if (error instanceof InvalidOptionError || error instanceof UnknownTaskError) {
          await this.fail(wf, `${at} could not be queued: ${error.message}`);
        } else throw error;
        return;
      }
    }
    for (let from = 0; from < jobs.length; from += QUEUE_BATCH) {
      await this.queueJobs(jobs.slice(from, from + QUEUE_BATCH));
    }
    for (const { index: i, node } of set.empty) await this.completed(wf, i, node, [], false);
    if (commit) await COMMIT.run(this.redis, [this.key(wf), this.keys.workflowsQueuing], [wf]);
  }

  /**
   * Node `index` of workflow `wf` has finished with `result`: records it, and moves the workflow on (next link,
   * join of a group, end of the workflow). Safe to call again for the same node.
   */
  async completed(wf: string, index: number, link: Link, result: unknown, isTask = true): Promise<void> {
    const key = this.key(wf);
    const groupParent = link.pk === 'g' ? String(link.p) : '';
    const args = [index, JSON.stringify(result ?? null), groupParent, isTask ? '1' : '0'];
    const counted = Number(await RECORD.run(this.redis, [key], [...args, RUNNING_TTL_S]));
    // the workflow has ended; if this was its last step repeated after a crash, its end may not have reached
    // the workflow it is a member of (a replace): pass it on again
    if (counted < 0) return link.p < 0 ? this.passOnEnd(wf) : undefined;
    if (link.p < 0) return this.finished(wf, result);
    if (link.pk === 'c') {
      if (link.nx >= 0) return this.start(wf, link.nx, { value: result });
      return this.completedComposite(wf, link.p, result);
    }
    if (counted < link.ps) return;
    const [group] = (await this.loadNodes(wf, [link.p])) as CompositeNode[];
    const raw = await this.redis.hmget(key, ...group.c.map((c) => `r:${c}`));
    const results = raw.map((value) => (value === null ? null : (JSON.parse(value) as unknown)));
    return this.completed(wf, link.p, group, results, false);
  }

  private async completedComposite(wf: string, index: number, result: unknown): Promise<void> {
    const [node] = await this.loadNodes(wf, [index]);
    return this.completed(wf, index, node, result, false);
  }

  private finalTtl(): number {
    return Math.max(1, Math.ceil(this.config.resultExpires || FINAL_TTL_FALLBACK_S));
  }

  private async finished(wf: string, result: unknown): Promise<void> {
    const args = [
      TaskState.Success,
      'result',
      JSON.stringify(result ?? null),
      Date.now(),
      this.finalTtl(),
      wf,
    ];
    await FINISH.run(this.redis, [this.key(wf), this.keys.workflowsQueuing], args);
    await this.passOnEnd(wf);
  }

  /**
   * A workflow that replaced a member of another (`ctx.replace`) has ended: that member ends the same way.
   * Idempotent, so it is done again wherever the end may not have been passed on (a crash in between).
   */
  private async passOnEnd(wf: string): Promise<void> {
    const [meta, state, result, error] = await this.redis.hmget(
      this.key(wf),
      'meta',
      'state',
      'result',
      'error',
    );
    const parent = meta ? (JSON.parse(meta) as WorkflowMeta).parent : undefined;
    if (!parent) return;
    if (state === TaskState.Success) {
      await this.completed(
        parent.wf,
        parent.n,
        parent,
        result === null ? null : (JSON.parse(result) as unknown),
      );
    } else if (state === TaskState.Failure || state === TaskState.Revoked) {
      const raw = await this.redis.hget(this.key(parent.wf), `n:${parent.n}`);
      if (raw === null) return; // that workflow has expired
      const node = JSON.parse(raw) as WorkflowNode;
      const at =
        node.k === 't' ? `${node.path} (${node.task} ${node.id}, replaced by workflow ${wf})` : node.path;
      await this.fail(parent.wf, `${at}: ${error ?? 'failed'}`, state);
    }
  }

  /**
   * Ends a running workflow in FAILURE (or REVOKED, for a revoke) with `error`, and revokes its members that
   * have not finished (with `terminate`, running ones are stopped), and the workflows that replaced any of
   * them. `by` is the node of the member whose end ends it: its job is marked failed only after this, and a
   * status read in between names it by the workflow's state. False when it had ended already.
   */
  async fail(
    wf: string,
    error: string,
    state: 'FAILURE' | 'REVOKED' = 'FAILURE',
    terminate = false,
    by?: number,
  ): Promise<boolean> {
    const key = this.key(wf);
    const args = [state, 'error', error, Date.now(), this.finalTtl(), wf, ...(by === undefined ? [] : [by])];
    if (Number(await FINISH.run(this.redis, [key, this.keys.workflowsQueuing], args)) !== 1) {
      // ended before: only its end may still have to reach the workflow it replaced a member of
      await this.passOnEnd(wf);
      return false;
    }
    const tasks = JSON.parse((await this.redis.hget(key, 't')) ?? '[]') as number[];
    if (tasks.length > 0) {
      const raw = await this.redis.hmget(key, ...tasks.flatMap((i) => [`n:${i}`, `r:${i}`]));
      const unfinished: string[] = [];
      for (let j = 0; j < raw.length; j += 2) {
        if (raw[j] !== null && raw[j + 1] === null)
          unfinished.push((JSON.parse(raw[j] as string) as TaskNode).id);
      }
      await this.revocations.revokeMany(unfinished, terminate);
      await this.failReplacements(unfinished, error, state, terminate);
    }
    await this.passOnEnd(wf);
    return true;
  }

  /** Unfinished members that replaced themselves live on in their replacements: those end too. */
  private async failReplacements(
    ids: string[],
    error: string,
    state: 'FAILURE' | 'REVOKED',
    terminate: boolean,
  ): Promise<void> {
    if (ids.length === 0) return;
    const replacements = ids.map((id) => WorkflowEngine.replacementId(id));
    const pipeline = this.redis.pipeline();
    for (const id of replacements) pipeline.exists(this.key(id));
    const found = (await pipeline.exec()) ?? [];
    for (let i = 0; i < replacements.length; i++) {
      if (found[i]?.[1] === 1) await this.fail(replacements[i], error, state, terminate);
    }
  }

  /** A member failed for good (or was revoked): the workflow ends, naming it. */
  async memberFailed(ref: MemberRef, error: Error): Promise<void> {
    const [node] = await this.loadNodes(ref.wf, [ref.n]).catch(() => [undefined]);
    const at = node?.k === 't' ? `${node.path || 'the task'} (${node.task} ${node.id})` : `node ${ref.n}`;
    const revoked = error.message.startsWith(REVOKED_REASON_PREFIX);
    await this.fail(
      ref.wf,
      `${at} ${revoked ? 'was revoked' : 'failed'}: ${error.message}`,
      revoked ? 'REVOKED' : 'FAILURE',
      false,
      ref.n,
    );
  }

  /** Validates a workflow's wire form against the catalogue and the routing table (see `planWorkflow`). */
  plan(spec: WorkflowSpec): WorkflowPlan {
    return planWorkflow(spec, {
      catalogue: this.catalogue,
      route: (name) => this.queues.router.route(name),
      now: Date.now(),
    });
  }

  /**
   * `ctx.replace`: queues the workflow a task returned in its place, as one more member of the task's own
   * workflow if it is in one. A workflow the task's code got wrong fails the task for good.
   */
  async replace(taskId: string, ref: MemberRef | undefined, spec: WorkflowSpec): Promise<ReplacedResult> {
    let plan: WorkflowPlan;
    try {
      plan = this.plan(spec);
    } catch (error) {
      throw new PermanentTaskError(`replace: ${error instanceof Error ? error.message : String(error)}`);
    }
    const id = await this.create(
      plan,
      { replaces: taskId, parent: ref },
      WorkflowEngine.replacementId(taskId),
    );
    return { [REPLACED_MARKER]: id };
  }
}
