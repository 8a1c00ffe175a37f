/** The state vocabulary of the REST contract: Celery's, plus SCHEDULED and a real "not found". */
export const TaskState = {
  Pending: 'PENDING',
  Scheduled: 'SCHEDULED',
  Started: 'STARTED',
  Progress: 'PROGRESS',
  Retry: 'RETRY',
  Success: 'SUCCESS',
  Failure: 'FAILURE',
  Revoked: 'REVOKED',
} as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

export const READY_STATES: ReadonlySet<TaskState> = new Set([
  TaskState.Success,
  TaskState.Failure,
  TaskState.Revoked,
]);

/** What `progress(current, total)` stores; `percent` is derived once, here. */
export interface TaskProgress {
  current: number;
  total: number;
  percent: number;
}

export function toProgress(current: number, total: number): TaskProgress {
  const percent = total > 0 ? Math.round((Math.min(current, total) / total) * 1000) / 10 : 0;
  return { current, total, percent };
}

/**
 * The answer of `GET /tasks/{task_id}`: the original FastAPI shapes (state + status, plus current/total/percent,
 * result or error by state) with the task's identity beside them. Keys are snake_case, as on the wire.
 */
export interface TaskStatus {
  task_id: string;
  state: TaskState;
  status: string;
  name: string;
  queue: string;
  retries: number;
  /** Times the task went back to its queue because the worker running it died (absent when none). */
  redeliveries?: number;
  date_done?: string;
  eta?: string;
  /** Queued by a schedule: its name, and the tick's nominal time (ISO). */
  schedule?: string;
  scheduled_for?: string;
  current?: number;
  total?: number;
  percent?: number;
  result?: unknown;
  error?: string;
  /** The workflow this task replaced itself with (`ctx.replace`): its state and result are the task's. */
  replaced_by?: string;
}

const STATUS_TEXT: Record<TaskState, string> = {
  PENDING: 'Pending...',
  SCHEDULED: 'Scheduled: waiting for its countdown or eta',
  STARTED: 'Started',
  PROGRESS: 'In progress',
  RETRY: 'Failed; a retry is scheduled',
  SUCCESS: 'Task completed!',
  FAILURE: 'Task failed!',
  REVOKED: 'Task revoked',
};

export function statusText(state: TaskState): string {
  return STATUS_TEXT[state];
}
