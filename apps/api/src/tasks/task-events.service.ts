import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  READY_STATES,
  TASKS_CONFIG,
  TaskClient,
  TaskState,
  redisOptions,
  statusText,
  type TaskProgress,
  type TaskStatus,
  type TasksConfig,
} from '@app/tasks';
import { QueueEvents } from 'bullmq';
import { Observable } from 'rxjs';

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
 * Live status of one task, for Server-Sent Events: emits the status answer on every state or progress change
 * (BullMQ's event stream, read once per queue and shared by all watchers) until a final state.
 */
@Injectable()
export class TaskEventsService implements OnApplicationShutdown {
  private readonly events = new Map<string, QueueEvents>();

  constructor(
    private readonly client: TaskClient,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
  ) {}

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
            const status = await this.client.status(id);
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
