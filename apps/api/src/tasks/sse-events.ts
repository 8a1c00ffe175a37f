import { READY_STATES, type TaskStatus } from '@app/tasks';
import { Observable } from 'rxjs';

/** One Server-Sent Event: a status with its id, or a comment (a keep-alive line, which clients ignore). */
export type SseMessage = { id: string; data: TaskStatus } | { comment: string };

/**
 * Where a stream starts, from the `Last-Event-ID` a reconnecting client sends. Event ids are `<n>-<STATE>`:
 * numbering goes on after the client's last event, and its state says whether the client has the final one.
 */
export interface Resume {
  /** The number of the next event. */
  next: number;
  /** The state of the last event the client got, if it said. */
  lastState?: string;
}

export function resumeFrom(lastEventId: string | undefined): Resume {
  const match = /^(\d{1,15})-([A-Z]+)$/.exec(lastEventId?.trim() ?? '');
  return match ? { next: Number(match[1]) + 1, lastState: match[2] } : { next: 1 };
}

/** Whether the client already got this final state: then there is nothing more to tell it. */
export function hasFinalState(resume: Resume, current: TaskStatus): boolean {
  return READY_STATES.has(current.state) && resume.lastState === current.state;
}

/**
 * Statuses as events numbered from `first`, with a comment every `keepAliveMs` so that proxies do not cut a
 * quiet stream (a task waiting for its countdown sends nothing for a while). Completes with the statuses.
 */
export function sseEvents(
  statuses: Observable<TaskStatus>,
  first: number,
  keepAliveMs: number,
): Observable<SseMessage> {
  return new Observable<SseMessage>((subscriber) => {
    let n = first;
    const timer = setInterval(() => subscriber.next({ comment: 'keep-alive' }), keepAliveMs);
    const subscription = statuses.subscribe({
      next: (status) => subscriber.next({ id: `${n++}-${status.state}`, data: status }),
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    return () => {
      clearInterval(timer);
      subscription.unsubscribe();
    };
  });
}
