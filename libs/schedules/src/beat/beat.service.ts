import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { signatureByName, TaskCatalogue, TaskStatusReader } from '@app/tasks';
import { nextRun } from '../next-run.js';
import { timingOf, type ScheduleDefinition } from '../schedule-definition.js';
import { SCHEDULES_CONFIG } from '../tokens.js';
import type { SchedulesConfig } from '../schedules.config.js';
import { SchedulesStore, type StoredSchedule } from '../schedules.store.js';
import { planTicks } from '../tick-plan.js';
import { BeatState, type BeatRecord } from './beat-state.js';
import { ScheduleTicker } from './schedule-ticker.js';

/** Longest sleep between passes: how soon a beat notices a lock given up, a buffered tick, a new schedule. */
const MAX_SLEEP_MS = 250;
/** Sleep while another beat handles a due tick. */
const CONTENDED_SLEEP_MS = 20;
const UNFINISHED = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/** Why a schedule cannot run, or undefined: an unknown task, arguments it refuses, or no next run to compute. */
export function scheduleProblem(
  d: ScheduleDefinition,
  catalogue: TaskCatalogue,
  now: number,
): string | undefined {
  if (!catalogue.find(d.task)) return `unknown task ${d.task}: no worker knows it`;
  try {
    signatureByName(catalogue, d.task, undefined, d.kwargs);
  } catch (error) {
    return `invalid arguments: ${(error as Error).message}`;
  }
  try {
    nextRun(timingOf(d), now);
  } catch (error) {
    return `cannot compute the next run: ${(error as Error).message}`;
  }
  return undefined;
}

/**
 * The beat: queues every schedule's ticks, once each across any number of beat processes. No leader: each pass
 * reads every schedule's state (one round trip), and a schedule with a tick due is handled by whichever beat
 * takes its lock first, which queues the task and moves the tick on in one transaction (`ScheduleTicker`).
 * Tick times are nominal (the schedule's), so beats whose clocks disagree still agree on what a tick is.
 */
@Injectable()
export class BeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Beat');
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private schedules: StoredSchedule[] = [];
  private loadedAt = 0;
  private readonly reported = new Map<string, string>();

  constructor(
    @Inject(SCHEDULES_CONFIG) private readonly config: SchedulesConfig,
    private readonly store: SchedulesStore,
    private readonly state: BeatState,
    private readonly ticker: ScheduleTicker,
    private readonly catalogue: TaskCatalogue,
    private readonly reader: TaskStatusReader,
  ) {}

  private now(): number {
    return Date.now() + this.config.clockOffsetMs;
  }

  onApplicationBootstrap(): void {
    this.running = this.loop();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const signal = this.stopping.signal;
    let failures = 0;
    await this.reload();
    this.logger.log(`beat started: ${this.schedules.length} schedule(s)`);
    while (!signal.aborted) {
      let wait = MAX_SLEEP_MS;
      try {
        if (this.now() - this.loadedAt >= this.config.reloadIntervalMs) await this.reload();
        wait = await this.pass();
        failures = 0;
      } catch (error) {
        if (failures++ % 20 === 0) this.logger.warn(`beat pass failed: ${String(error)}`);
      }
      await sleep(Math.max(1, wait), undefined, { signal }).catch(() => undefined);
    }
  }

  private async reload(): Promise<void> {
    this.schedules = await this.store.list();
    this.loadedAt = this.now();
  }

  /** One pass over every schedule; returns how long to sleep before the next. */
  private async pass(): Promise<number> {
    const active = this.schedules.filter((s) => !s.paused);
    const records = await this.state.read(active.map((s) => s.name));
    let wait = MAX_SLEEP_MS;
    for (const schedule of active) {
      const now = this.now();
      const record = records.get(schedule.name);
      if (!record) continue;
      const problem = scheduleProblem(schedule, this.catalogue, now);
      if (problem !== record.error || problem !== this.reported.get(schedule.name)) {
        await this.reportProblem(schedule.name, problem);
      }
      if (problem) continue;
      if (!record.known) {
        await this.state.start(schedule.name, now);
        continue;
      }
      const due = nextRun(timingOf(schedule), record.tick);
      if (due > now && record.buffered === undefined) {
        wait = Math.min(wait, due - now);
        continue;
      }
      if (!(await this.state.lock(schedule.name))) {
        wait = Math.min(wait, CONTENDED_SLEEP_MS);
        continue;
      }
      try {
        await this.handle(schedule);
      } finally {
        await this.state.unlock(schedule.name);
      }
    }
    return wait;
  }

  /** Handles a schedule's due ticks, holding its lock: the state is read again, as another beat may have moved it. */
  private async handle(schedule: StoredSchedule): Promise<void> {
    const record = (await this.state.read([schedule.name])).get(schedule.name);
    if (!record?.known) return;
    const now = this.now();
    const watch = schedule.overlap !== 'allow' || record.buffered !== undefined;
    const previousRunning = watch && record.lastTaskId !== undefined && (await this.unfinished(record));
    const plan = planTicks(
      { timing: timingOf(schedule), overlap: schedule.overlap, catchup: schedule.catchup },
      record,
      now,
      previousRunning,
    );
    for (const nominal of plan.queue) {
      const id = await this.ticker.queue(schedule, nominal);
      this.logger.log(
        `${schedule.name}: queued ${schedule.task} [${id}] for ${new Date(nominal).toISOString()}`,
      );
    }
    if (plan.skipped > 0) this.logger.log(`${schedule.name}: ${plan.skipped} tick(s) skipped`);
    if (plan.state.tick !== record.tick || plan.state.buffered !== record.buffered || plan.queue.length > 0) {
      await this.state.advance(schedule.name, plan.state);
    }
  }

  private async unfinished(record: BeatRecord): Promise<boolean> {
    if (record.lastTaskId === undefined) return false;
    const job = await this.reader.findJob(record.lastTaskId);
    return job !== undefined && UNFINISHED.has(await job.getState());
  }

  /** The error state: shown by `GET /schedules`, logged once per change, and raised as the `schedule_error` alert. */
  private async reportProblem(name: string, problem: string | undefined): Promise<void> {
    await this.state.setError(name, problem);
    if (this.reported.get(name) === problem) return;
    if (problem) {
      this.reported.set(name, problem);
      this.logger.error(`schedule ${name} in error: ${problem}`);
    } else if (this.reported.delete(name)) this.logger.log(`schedule ${name}: error cleared`);
  }
}
