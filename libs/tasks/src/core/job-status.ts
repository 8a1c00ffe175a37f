import type { JobState } from 'bullmq';
import type { TaskEnvelope } from './envelope.js';
import { REVOKED_REASON_PREFIX } from './errors.js';
import { statusText, TaskState, type TaskProgress, type TaskStatus } from './task-state.js';

/** The fields of a BullMQ job that the status depends on. */
export interface JobSnapshot {
  id?: string;
  name: string;
  queueName: string;
  data: TaskEnvelope;
  progress: unknown;
  returnvalue: unknown;
  failedReason?: string;
  attemptsMade: number;
  /** Times the task was handed back to its queue after its worker died (BullMQ's stalled counter). */
  stalledCounter?: number;
  finishedOn?: number;
  /** When the current run started (BullMQ sets it on every attempt). */
  processedOn?: number;
  timestamp: number;
  delay: number;
}

function isProgress(value: unknown): value is TaskProgress {
  return typeof value === 'object' && value !== null && 'current' in value && 'total' in value;
}

/**
 * Whether a task is revoked: a boolean, or (better) the moment from which the revoke holds, as
 * `Revocations.revokedFrom` gives it, which tells a run refused at its start from one revoked while running.
 */
export type Revoked = boolean | number;

/** An active job the worker is refusing as it starts (revoked or expired before this run began): never runs. */
function refusedAtStart(job: JobSnapshot, revoked: Revoked): boolean {
  const startedAt = job.processedOn;
  if (startedAt === undefined) return false;
  if (job.data.expires !== undefined && job.data.expires <= startedAt) return true;
  return typeof revoked === 'number' && revoked <= startedAt;
}

function stateOf(job: JobSnapshot, jobState: JobState | 'unknown', revoked: Revoked, now: number): TaskState {
  switch (jobState) {
    case 'completed':
      return TaskState.Success;
    case 'failed':
      return job.failedReason?.startsWith(REVOKED_REASON_PREFIX) ? TaskState.Revoked : TaskState.Failure;
    case 'active':
      if (refusedAtStart(job, revoked)) return TaskState.Revoked;
      return isProgress(job.progress) ? TaskState.Progress : TaskState.Started;
    default: {
      const expired = job.data.expires !== undefined && job.data.expires <= now;
      if (revoked !== false || expired) return TaskState.Revoked;
      if (jobState === 'delayed') return job.attemptsMade > 0 ? TaskState.Retry : TaskState.Scheduled;
      return TaskState.Pending;
    }
  }
}

/**
 * Maps a BullMQ job onto the contract's status answer. Pure: the caller reads the job, its state and whether
 * (from when) it is marked revoked.
 */
export function describeJob(
  job: JobSnapshot,
  jobState: JobState | 'unknown',
  revoked: Revoked,
  now = Date.now(),
): TaskStatus {
  const state = stateOf(job, jobState, revoked, now);
  const finished = jobState === 'completed' || jobState === 'failed';
  const status: TaskStatus = {
    task_id: job.id ?? '',
    state,
    status: statusText(state),
    name: job.name,
    queue: job.queueName,
    retries: finished ? Math.max(0, job.attemptsMade - 1) : job.attemptsMade,
  };
  if (job.stalledCounter) status.redeliveries = job.stalledCounter;
  if (job.data?.sched) {
    status.schedule = job.data.sched.name;
    status.scheduled_for = new Date(job.data.sched.at).toISOString();
  }
  if (finished && job.finishedOn) status.date_done = new Date(job.finishedOn).toISOString();
  if (state === TaskState.Scheduled) {
    status.eta = new Date(job.timestamp + job.delay).toISOString();
  }
  if (state === TaskState.Progress && isProgress(job.progress)) {
    status.current = job.progress.current;
    status.total = job.progress.total;
    status.percent = job.progress.percent;
  }
  if (state === TaskState.Success) status.result = job.returnvalue ?? null;
  if (state === TaskState.Failure) status.error = job.failedReason ?? 'unknown error';
  if (state === TaskState.Revoked && job.failedReason) status.error = job.failedReason;
  return status;
}
