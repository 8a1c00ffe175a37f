import type { StreamedEvent } from './task-event.js';

/**
 * A consumer of the task events stream (the history, the metrics, the alerts), fed by the recorder. Each keeps
 * its own cursor where its writes land, and moves it in the same transaction as them: a batch is applied once,
 * even when the recorder is killed half-way or two recorders overlap for a moment.
 */
export interface TaskEventSink {
  /** Unique among sinks: logs, and the cursor's name where the sink keeps it in Redis. */
  readonly name: string;
  /** The stream id of the last event applied ('0-0' before the first). */
  cursor(): Promise<string>;
  /**
   * Applies `events` (every event after `from`, up to and including `to`, oldest first) and moves the cursor
   * from `from` to `to` atomically with them. When the stored cursor is no longer `from` (another recorder got
   * there first), it applies nothing and resolves. A throw leaves everything as it was; the batch comes again.
   */
  apply(events: readonly StreamedEvent[], from: string, to: string): Promise<void>;
}

/** Where sinks register (each from its module's `onModuleInit`) and the recorder finds them. */
export const TASK_EVENT_SINKS = Symbol('TASK_EVENT_SINKS');
