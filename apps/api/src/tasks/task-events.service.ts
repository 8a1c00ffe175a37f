import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  READY_STATES,
  TASKS_CONFIG,
  TaskClient,
  redisOptions,
  type TaskStatus,
  type TasksConfig,
} from '@app/tasks';
import { QueueEvents } from 'bullmq';
import { Observable } from 'rxjs';

/** How often a watched task is re-read even without an event (a revoke of a waiting task emits none). */
const POLL_MS = 1000;

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
      let reading = false;
      let again = false;
      const emit = (status: TaskStatus): void => {
        const json = JSON.stringify(status);
        if (json !== last) {
          last = json;
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
            const status = await this.client.status(id);
            if (!status) return subscriber.complete();
            emit(status);
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
      const names = ['active', 'progress', 'completed', 'failed', 'delayed', 'waiting', 'removed'] as const;
      for (const name of names) events.on(name, onEvent);
      const timer = setInterval(() => void refresh(), POLL_MS);
      emit(initial);
      return () => {
        clearInterval(timer);
        for (const name of names) events.off(name, onEvent);
      };
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.events.values()].map((e) => e.close()));
  }
}
