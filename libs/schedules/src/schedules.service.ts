import { Inject, Injectable } from '@nestjs/common';
import {
  bindArguments,
  TaskCatalogue,
  TaskStatusReader,
  validatePayload,
  type RequestContext,
  type TaskState,
} from '@app/tasks';
import { BeatState, type BeatRecord } from './beat/beat-state.js';
import { scheduleProblem } from './beat/beat.service.js';
import { ScheduleTicker } from './beat/schedule-ticker.js';
import { nextRun } from './next-run.js';
import {
  checkDefinition,
  DEFAULT_CATCHUP,
  DEFAULT_OVERLAP,
  timingOf,
  type OverlapPolicy,
  type ScheduleDefinition,
  type ScheduleTaskOptions,
} from './schedule-definition.js';
import type { SchedulesConfig } from './schedules.config.js';
import { SchedulesStore, type ScheduleSource, type StoredSchedule } from './schedules.store.js';
import { SCHEDULES_CONFIG } from './tokens.js';

/** No schedule of that name. */
export class ScheduleNotFoundError extends Error {
  constructor(readonly schedule: string) {
    super(`No schedule ${schedule}`);
  }
}

/** A schedule as `GET /schedules` answers it (snake_case, as the REST contract). */
export interface ScheduleView {
  name: string;
  task: string;
  kwargs: Record<string, unknown>;
  cron: string | null;
  every: number | null;
  timezone: string;
  options: ScheduleTaskOptions;
  overlap: OverlapPolicy;
  catchup: number;
  /** Next nominal time (ISO); null while paused or in error. */
  next_run: string | null;
  /** Nominal time of the last task queued, by a tick or run now (ISO). */
  last_run: string | null;
  last_task_id: string | null;
  /** That task's state, or null once its result has expired. */
  last_state: TaskState | null;
  paused: boolean;
  error: string | null;
  source: ScheduleSource;
}

/** What `POST /schedules` takes, before it is checked. */
export interface ScheduleInput {
  name: string;
  task: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  cron?: string;
  every?: number;
  timezone?: string;
  options?: ScheduleTaskOptions;
  overlap?: OverlapPolicy;
  catchup?: number;
}

/** Schedules at run time (the API, `inspect scheduled`): list, add or replace, remove, pause, resume, run now. */
@Injectable()
export class SchedulesService {
  constructor(
    @Inject(SCHEDULES_CONFIG) private readonly config: SchedulesConfig,
    private readonly store: SchedulesStore,
    private readonly state: BeatState,
    private readonly ticker: ScheduleTicker,
    private readonly catalogue: TaskCatalogue,
    private readonly reader: TaskStatusReader,
  ) {}

  async list(): Promise<ScheduleView[]> {
    const schedules = await this.store.list();
    const records = await this.state.read(schedules.map((s) => s.name));
    return Promise.all(schedules.map((s) => this.view(s, records)));
  }

  async get(name: string): Promise<ScheduleView> {
    const schedule = await this.find(name);
    return this.view(schedule, await this.state.read([name]));
  }

  /**
   * Adds or replaces a schedule (then the API's: a declaration in code no longer changes it). Throws
   * `UnknownTaskError` (404), `PayloadValidationError` or `InvalidOptionError` naming the field (400). A
   * replaced schedule's ticks start again from now.
   */
  async save(input: ScheduleInput): Promise<{ view: ScheduleView; created: boolean }> {
    const task = this.catalogue.get(input.task);
    const kwargs = validatePayload<object>(task, bindArguments(task, input.args, input.kwargs));
    const d: ScheduleDefinition = {
      name: input.name,
      task: task.name,
      kwargs: { ...(kwargs as Record<string, unknown>) },
      ...(input.cron !== undefined ? { cron: input.cron } : {}),
      ...(input.every !== undefined ? { every: input.every } : {}),
      timezone: input.timezone ?? this.config.timezone,
      options: input.options ?? {},
      overlap: input.overlap ?? DEFAULT_OVERLAP,
      catchup: input.catchup ?? DEFAULT_CATCHUP,
    };
    checkDefinition(d);
    const { created } = await this.store.save(d);
    await this.state.forget(d.name, Date.now());
    return { view: await this.get(d.name), created };
  }

  async remove(name: string): Promise<void> {
    if (!(await this.store.remove(name))) throw new ScheduleNotFoundError(name);
    await this.state.forget(name);
  }

  async setPaused(name: string, paused: boolean): Promise<ScheduleView> {
    const schedule = await this.find(name);
    if (schedule.paused !== paused) {
      await this.store.setPaused(name, paused);
      if (!paused) await this.state.restartFrom(name, Date.now());
    }
    return this.get(name);
  }

  /**
   * Runs the schedule's task now, whatever its policies say (a fresh task id; `scheduled_for` is now), with the
   * request id of `origin`.
   */
  async runNow(name: string, origin: RequestContext = {}): Promise<string> {
    const schedule = await this.find(name);
    return this.ticker.queue(schedule, Date.now(), origin);
  }

  private async find(name: string): Promise<StoredSchedule> {
    const schedule = await this.store.get(name);
    if (!schedule) throw new ScheduleNotFoundError(name);
    return schedule;
  }

  private async view(s: StoredSchedule, records: Map<string, BeatRecord>): Promise<ScheduleView> {
    const record = records.get(s.name);
    const now = Date.now();
    const error = scheduleProblem(s, this.catalogue, now) ?? record?.error ?? null;
    const lastTaskId = record?.lastTaskId ?? null;
    const status = lastTaskId ? await this.reader.status(lastTaskId) : null;
    let next: number | null = null;
    if (!s.paused && !error) next = nextRun(timingOf(s), Math.max(now, record?.tick ?? 0));
    return {
      name: s.name,
      task: s.task,
      kwargs: s.kwargs,
      cron: s.cron ?? null,
      every: s.every ?? null,
      timezone: s.timezone,
      options: s.options,
      overlap: s.overlap,
      catchup: s.catchup,
      next_run: next !== null ? new Date(next).toISOString() : null,
      last_run: record?.lastRun !== undefined ? new Date(record.lastRun).toISOString() : null,
      last_task_id: lastTaskId,
      last_state: status?.state ?? null,
      paused: s.paused,
      error,
      source: s.source,
    };
  }
}
