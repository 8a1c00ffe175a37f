import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Job, QueueEvents } from 'bullmq';
import { Observable } from 'rxjs';
import type { TasksConfig } from '../config/tasks.config.js';
import { redisOptions } from '../redis/redis-connection.js';
import { TASKS_CONFIG } from '../tokens.js';
import type { StatusSource } from './async-result.js';
import type { TaskEnvelope } from './envelope.js';
import { jobState } from './job-state.js';
import { describeJob } from './job-status.js';
import { QueueInspector } from './queue-inspector.js';
import { QueueRegistry } from './queue-registry.js';
import { replacedBy } from '../workflows/replace.js';
import { WorkflowStatusReader } from '../workflows/workflow-status.js';
import { Revocations } from './revocations.js';
import { READY_STATES, statusText, TaskState, type TaskProgress, type TaskStatus } from './task-state.js';

/** How often a watched task is re-read even without an event (a revoke of a waiting task emits none). */
const POLL_MS = 1000;

/**
 * What `GET /tasks/{id}` answers the moment a running task reports `data` as progress (same keys, same order);
 * undefined when `data` is not a `{current, total, percent}` report.
 */
function progressStatus(last: TaskStatus, data: unknown): TaskStatus | undefined {
  const { current, total, percent } = (
    typeof data === 'object' && data !== null ? data : {}
  ) as Partial<TaskProgress>;
  if (typeof current !== 'number' || typeof total !== 'number' || typeof percent !== 'number')
    return undefined;
  const { task_id, name, queue, retries } = last;
  const state = TaskState.Progress;
  return { task_id, state, status: statusText(state), name, queue, retries, current, total, percent };
}

/**
 * What makes two answers different events: state, progress, retries, outcome. Key order and fields that only
 * restate the same moment (a progress report read back from the job) do not.
 */
function changeKey(status: TaskStatus): string {
  const { state, current, total, retries, result, error, eta } = status;
  return JSON.stringify([state, current, total, retries, result, error, eta]);
}

/**
 * Reads tasks: the status answer of one (`GET /tasks/{id}`, Celery's `AsyncResult`), and its live changes
 * (`watch`, for Server-Sent Events: BullMQ's event stream, read once per queue and shared by all watchers).
 */
@Injectable()
export class TaskStatusReader implements StatusSource, OnApplicationShutdown {
  private readonly events = new Map<string, QueueEvents>();

  constructor(
    private readonly queues: QueueRegistry,
    private readonly revocations: Revocations,
    private readonly inspector: QueueInspector,
    private readonly workflows: WorkflowStatusReader,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
  ) {}

  /** The job behind a task id, in whichever queue it is; undefined when unknown or expired. */
  async findJob(id: string): Promise<Job<TaskEnvelope> | undefined> {
    const names = await this.queues.knownQueues();
    const found = await Promise.all(names.map((name) => Job.fromId<TaskEnvelope>(this.queues.get(name), id)));
    const job = found.find((j): j is Job<TaskEnvelope> => j !== undefined);
    if (!job) return undefined;
    const expiredAt =
      job.finishedOn !== undefined ? job.finishedOn + this.config.resultExpires * 1000 : Infinity;
    return expiredAt > Date.now() ? job : undefined;
  }

  /**
   * The status answer of one task or workflow, or null when the id is unknown or its result has expired. A task
   * that replaced itself with a workflow reads as that workflow's state and result.
   */
  async status(id: string): Promise<TaskStatus | null> {
    const [found, workflow] = await Promise.all([this.findJob(id), this.workflows.status(id)]);
    if (workflow) return workflow;
    const status = await this.taskStatus(id, found);
    const replacement = status?.state === TaskState.Success ? replacedBy(status.result) : undefined;
    return replacement ? this.replacedStatus(status as TaskStatus, replacement) : status;
  }

  private async replacedStatus(status: TaskStatus, workflowId: string): Promise<TaskStatus> {
    const workflow = await this.workflows.status(workflowId, false);
    const replaced: TaskStatus = { ...status, replaced_by: workflowId };
    delete replaced.result;
    if (!workflow)
      return {
        ...replaced,
        state: TaskState.Failure,
        status: statusText(TaskState.Failure),
        error: `replaced by workflow ${workflowId}, which has expired`,
      };
    const state = READY_STATES.has(workflow.state) ? workflow.state : TaskState.Progress;
    Object.assign(replaced, { state, status: statusText(state) });
    if (!READY_STATES.has(state)) {
      const { current, total, percent } = workflow;
      Object.assign(replaced, { current, total, percent });
      delete replaced.date_done;
    }
    if (workflow.result !== undefined) replaced.result = workflow.result;
    if (workflow.error !== undefined) replaced.error = workflow.error;
    if (workflow.date_done !== undefined) replaced.date_done = workflow.date_done;
    return replaced;
  }

  private async taskStatus(id: string, found: Job<TaskEnvelope> | undefined): Promise<TaskStatus | null> {
    let job = found;
    if (!job) return this.purgedStatus(id);
    const queue = this.queues.get(job.queueName);
    const [state, revoked] = await Promise.all([jobState(queue, id), this.revocations.revokedFrom(id)]);
    let current = state;
    const finishedSince = (state === 'completed' || state === 'failed') && job.finishedOn === undefined;
    if (finishedSince || state === 'active') {
      // it may have started or finished between the two reads: read it again, so that the job matches its
      // state (an active job's processedOn tells whether it is being refused as revoked or expired)
      job = await Job.fromId<TaskEnvelope>(queue, id);
      if (!job) return null;
      // and an active job that has finished since: its state again, or it would read as still running with
      // the finished attempt counted as a retry
      if (state === 'active' && job.finishedOn !== undefined) current = await jobState(queue, id);
    }
    return describeJob(job, current, revoked ?? false);
  }

  /** What is left of a purged task (it reads REVOKED), or null when the id never named a purged task. */
  async purgedStatus(id: string): Promise<TaskStatus | null> {
    const purged = await this.inspector.purgedTask(id);
    if (!purged) return null;
    const state = TaskState.Revoked;
    return {
      task_id: id,
      state,
      status: statusText(state),
      name: purged.name,
      queue: purged.queue,
      retries: 0,
      date_done: purged.date_done,
      error: 'REVOKED: purged',
    };
  }

  private queueEvents(queue: string): QueueEvents {
    let events = this.events.get(queue);
    if (!events) {
      events = new QueueEvents(queue, {
        connection: redisOptions(this.config.redisUrl, 'consumer'),
        prefix: this.config.prefix,
      });
      events.on('error', () => undefined);
      events.setMaxListeners(0);
      this.events.set(queue, events);
    }
    return events;
  }

  /**
   * Every change of one task's status (state, progress, retries, outcome), starting with `initial`, until a
   * final state.
   */
  watch(initial: TaskStatus): Observable<TaskStatus> {
    return new Observable<TaskStatus>((subscriber) => {
      const id = initial.task_id;
      let last = '';
      let lastStatus = initial;
      /** Counts emitted events: a read that started before the latest one may be stale. */
      let emitted = 0;
      let reading = false;
      let again = false;
      const emit = (status: TaskStatus): void => {
        if (subscriber.closed) return;
        const json = changeKey(status);
        if (json !== last) {
          last = json;
          lastStatus = status;
          emitted++;
          subscriber.next(status);
        }
        if (READY_STATES.has(status.state)) subscriber.complete();
      };
      const refresh = async (): Promise<void> => {
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        try {
          do {
            again = false;
            const before = emitted;
            const status = await this.status(id);
            if (!status) return subscriber.complete();
            if (emitted === before) emit(status);
            else again = true; // a progress event overtook this read: read again rather than go back
          } while (again && !subscriber.closed);
        } catch {
          // Redis away: the next poll tries again
        } finally {
          reading = false;
        }
      };
      const events = this.queueEvents(initial.queue);
      const onEvent = (args: { jobId: string }): void => {
        if (args.jobId === id) void refresh();
      };
      // A progress report is sent as reported, in order: re-reading the job could find it finished already
      // (the last step's report is followed at once by the result) and that step would never be seen.
      const onProgress = (args: { jobId: string; data: unknown }): void => {
        if (args.jobId !== id) return;
        const status = READY_STATES.has(lastStatus.state) ? undefined : progressStatus(lastStatus, args.data);
        if (status) emit(status);
        void refresh();
      };
      const names = ['active', 'completed', 'failed', 'delayed', 'waiting', 'removed'] as const;
      for (const name of names) events.on(name, onEvent);
      events.on('progress', onProgress);
      const timer = setInterval(() => void refresh(), POLL_MS);
      emit(initial);
      return () => {
        clearInterval(timer);
        for (const name of names) events.off(name, onEvent);
        events.off('progress', onProgress);
      };
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.events.values()].map((e) => e.close()));
  }
}
