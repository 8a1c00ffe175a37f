import { Injectable } from '@nestjs/common';
import {
  type RequestContext,
  idempotentTaskId,
  JobWriter,
  newTaskId,
  QueueRegistry,
  signatureByName,
  TaskCatalogue,
  toJobSpec,
  type SubmitOptions,
} from '@app/tasks';
import type { ScheduleDefinition } from '../schedule-definition.js';
import { BeatState } from './beat-state.js';

/** The task id of a schedule's tick: its identity is the schedule and the nominal time, the same on every beat. */
export const tickTaskId = (schedule: string, nominal: number): string =>
  idempotentTaskId(`schedule:${schedule}@${new Date(nominal).toISOString()}`);

/**
 * Queues a schedule's task through the one job writer, the beat state recorded in the same transaction: a
 * tick is queued and marked done at once, or neither. A tick queued twice (two beats, one stalled past its
 * lock) is one job: its id is the tick's.
 */
@Injectable()
export class ScheduleTicker {
  constructor(
    private readonly catalogue: TaskCatalogue,
    private readonly queues: QueueRegistry,
    private readonly writer: JobWriter,
    private readonly state: BeatState,
  ) {}

  /**
   * Queues the tick of `nominal` (or, `manual` given, a run now with a fresh id and the request id of that
   * call) and returns its task id. Throws `UnknownTaskError` or `PayloadValidationError` when the task or its
   * arguments are no longer valid.
   */
  async queue(d: ScheduleDefinition, nominal: number, manual?: RequestContext): Promise<string> {
    const options: SubmitOptions = { requestId: manual?.requestId };
    if (d.options.queue !== undefined) options.queue = d.options.queue;
    if (d.options.priority !== undefined) options.priority = d.options.priority;
    const now = Date.now();
    if (d.options.expires !== undefined) {
      options.expires = new Date(Math.max(nominal + d.options.expires * 1000, now + 1000));
    }
    const sig = signatureByName(this.catalogue, d.task, undefined, d.kwargs, options);
    const id = manual ? newTaskId() : tickTaskId(d.name, nominal);
    const spec = toJobSpec(sig, { route: (name) => this.queues.router.route(name), now, id });
    spec.data.sched = { name: d.name, at: nominal };
    const key = this.state.keys.beat(d.name);
    // the tick is written plainly: the lock makes this beat the only writer, and a stale write can only
    // repeat a tick whose job (same id) is still there
    await this.writer.add([spec], (multi) => {
      multi.hset(
        key,
        manual ? { task_id: id, last_run: nominal } : { task_id: id, last_run: nominal, tick: nominal },
      );
    });
    return id;
  }
}
