import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import { REVOKED_REASON_PREFIX } from '../core/errors.js';
import { ownKeys } from '../core/keys.js';
import { READY_STATES, statusText, TaskState, toProgress, type TaskStatus } from '../core/task-state.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import type { WorkflowMeta } from './workflow-engine.js';
import type { TaskNode, WorkflowKind } from './workflow-plan.js';

/** One member of a workflow, as the workflow's status lists it. */
export interface WorkflowMemberStatus {
  task_id: string;
  name: string;
  /** Where it sits in the submitted workflow: `chain[1].group[0]`. */
  path: string;
  state: TaskState;
}

/** `GET /tasks/{id}` on a workflow: the task status fields, progress as tasks done / total, and its members. */
export interface WorkflowStatus extends TaskStatus {
  workflow: WorkflowKind;
  members?: WorkflowMemberStatus[];
}

const JOB_FIELDS = ['processedOn', 'finishedOn', 'failedReason', 'attemptsMade'] as const;

/** A member's state from its job's fields (absent: not queued yet, or its record is gone). */
function memberState(fields: (string | null)[], workflowEnded: boolean): TaskState {
  const [processedOn, finishedOn, failedReason, attemptsMade] = fields;
  if (finishedOn !== null) {
    if (failedReason)
      return failedReason.startsWith(REVOKED_REASON_PREFIX) ? TaskState.Revoked : TaskState.Failure;
    // completed without its result recorded: it replaced itself, and its replacement still runs
    return workflowEnded ? TaskState.Revoked : TaskState.Started;
  }
  if (processedOn !== null) return TaskState.Started;
  if (workflowEnded) return TaskState.Revoked;
  return Number(attemptsMade ?? 0) > 0 ? TaskState.Retry : TaskState.Pending;
}

/** Reads workflows: their state, progress, members and result, from the workflow's hash and its members' jobs. */
@Injectable()
export class WorkflowStatusReader {
  private readonly keys: ReturnType<typeof ownKeys>;

  constructor(
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
  ) {
    this.keys = ownKeys(config.prefix);
  }

  /**
   * The status of workflow `id`, or null when no workflow has that id (or it has expired). With `members`, each
   * member's id, path and state (one more read per member, in one round trip).
   */
  async status(id: string, members = true): Promise<WorkflowStatus | null> {
    const key = this.keys.workflow(id);
    const [metaJson, stored, result, error, doneAt, done, tasksJson, by] = await this.redis.hmget(
      key,
      'meta',
      'state',
      'result',
      'error',
      'done_at',
      'done',
      't',
      'by',
    );
    if (metaJson === null || stored === null) return null;
    const meta = JSON.parse(metaJson) as WorkflowMeta;
    const finished = Number(done ?? 0);
    const running = stored === 'RUNNING' || stored === 'QUEUING';
    let state: TaskState = running
      ? finished > 0
        ? TaskState.Progress
        : TaskState.Pending
      : (stored as TaskState);
    let list: WorkflowMemberStatus[] | undefined;
    if (members) {
      const ended = READY_STATES.has(state);
      const endedBy = ended && by !== null ? { node: Number(by), state } : undefined;
      list = await this.members(key, JSON.parse(tasksJson ?? '[]') as number[], ended, endedBy);
      if (state === TaskState.Pending && list.some((m) => m.state !== TaskState.Pending))
        state = TaskState.Started;
    }
    const status: WorkflowStatus = {
      task_id: id,
      state,
      status: statusText(state),
      name: meta.kind,
      queue: meta.queue,
      retries: 0,
      workflow: meta.kind,
      ...toProgress(finished, meta.total),
    };
    if (doneAt !== null) status.date_done = new Date(Number(doneAt)).toISOString();
    if (state === TaskState.Success) status.result = result === null ? null : (JSON.parse(result) as unknown);
    if (error !== null && state !== TaskState.Success) status.error = error;
    if (list) status.members = list;
    return status;
  }

  /**
   * Each member's state from its job. `endedBy`: the member whose failure (or revoke) ended the workflow, which
   * has that state even while its job, marked after the workflow, still reads as running.
   */
  private async members(
    key: string,
    tasks: number[],
    ended: boolean,
    endedBy?: { node: number; state: TaskState },
  ): Promise<WorkflowMemberStatus[]> {
    if (tasks.length === 0) return [];
    const raw = await this.redis.hmget(key, ...tasks.flatMap((i) => [`n:${i}`, `r:${i}`]));
    const nodes: TaskNode[] = [];
    const done: boolean[] = [];
    for (let j = 0; j < raw.length; j += 2) {
      nodes.push(JSON.parse(raw[j] ?? '{}') as TaskNode);
      done.push(raw[j + 1] !== null);
    }
    const pipeline = this.redis.pipeline();
    nodes.forEach((node, j) => {
      if (!done[j]) pipeline.hmget(`${this.config.prefix}:${node.q}:${node.id}`, ...JOB_FIELDS);
    });
    const jobs = pipeline.length > 0 ? ((await pipeline.exec()) ?? []) : [];
    let next = 0;
    return nodes.map((node, j) => {
      let state: TaskState = TaskState.Success;
      if (!done[j]) {
        const [err, fields] = jobs[next++] ?? [null, []];
        state = err ? TaskState.Pending : memberState(fields as (string | null)[], ended);
        if (tasks[j] === endedBy?.node && state === TaskState.Started) state = endedBy.state;
      }
      return { task_id: node.id, name: node.task, path: node.path, state };
    });
  }
}
