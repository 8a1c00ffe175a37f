import { CronTime } from 'cron';
import { InvalidOptionError, MAX_PRIORITY, QUEUE_NAME_PATTERN } from '@app/tasks';
import { isTimeZone, nextRun, NextRunError, type Timing } from './next-run.js';

/** What a tick does while the task queued by the previous one has not finished yet. */
export const OVERLAP_POLICIES = ['skip', 'buffer_one', 'allow'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** Defaults (docs/SCHEDULES.md): a tick is skipped while the previous run runs; missed ticks are skipped. */
export const DEFAULT_OVERLAP: OverlapPolicy = 'skip';
export const DEFAULT_CATCHUP = 0;
/** The longest catch-up window: a week. */
export const MAX_CATCHUP = 7 * 86_400;

export const SCHEDULE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Call options a schedule may give the task it queues. */
export interface ScheduleTaskOptions {
  queue?: string;
  priority?: number;
  /** Seconds after the nominal time past which the task is not run (reads REVOKED). */
  expires?: number;
}

/** One periodic task: which task it queues (a signature: task, payload, options), when, and its policies. */
export interface ScheduleDefinition {
  name: string;
  task: string;
  /** The task's keyword arguments, validated against its payload class. */
  kwargs: Record<string, unknown>;
  cron?: string;
  /** Seconds between ticks, anchored at the Unix epoch. */
  every?: number;
  /** IANA zone the crontab's fields are read in (an `every` schedule ignores it). */
  timezone: string;
  options: ScheduleTaskOptions;
  overlap: OverlapPolicy;
  /** Seconds: a tick missed while no beat ran is run once on start if it is this recent; 0 skips it. */
  catchup: number;
}

export const timingOf = (d: Pick<ScheduleDefinition, 'cron' | 'every' | 'timezone'>): Timing =>
  d.every !== undefined ? { every: d.every } : { cron: d.cron ?? '', timezone: d.timezone };

/** Throws `InvalidOptionError` naming the field at fault; used for REST input and code declarations alike. */
export function checkDefinition(d: ScheduleDefinition, now = Date.now()): void {
  if (!SCHEDULE_NAME_PATTERN.test(d.name)) {
    throw new InvalidOptionError('name', 'letters, digits, _ . - only, at most 100, not starting with . - _');
  }
  if ((d.cron === undefined) === (d.every === undefined)) {
    throw new InvalidOptionError('cron', 'give cron or every, exactly one of them');
  }
  if (d.every !== undefined && !(Number.isInteger(d.every) && d.every >= 1 && d.every <= 366 * 86_400)) {
    throw new InvalidOptionError('every', 'must be a whole number of seconds from 1 to 31622400');
  }
  if (!isTimeZone(d.timezone)) throw new InvalidOptionError('timezone', `unknown time zone ${d.timezone}`);
  if (d.cron !== undefined) {
    const check = CronTime.validateCronExpression(d.cron);
    if (!check.valid) {
      throw new InvalidOptionError('cron', `invalid crontab "${d.cron}": ${check.error?.message ?? ''}`);
    }
    try {
      nextRun(timingOf(d), now);
    } catch (error) {
      if (error instanceof NextRunError) throw new InvalidOptionError('cron', error.message);
      throw error;
    }
  }
  if (!OVERLAP_POLICIES.includes(d.overlap)) {
    throw new InvalidOptionError('overlap', `one of ${OVERLAP_POLICIES.join(', ')}`);
  }
  if (!(Number.isInteger(d.catchup) && d.catchup >= 0 && d.catchup <= MAX_CATCHUP)) {
    throw new InvalidOptionError('catchup', `seconds, a whole number from 0 to ${MAX_CATCHUP}`);
  }
  for (const key of Object.keys(d.options)) {
    if (!['queue', 'priority', 'expires'].includes(key)) {
      throw new InvalidOptionError(`options.${key}`, 'unknown option (queue, priority, expires)');
    }
  }
  const { queue, priority, expires } = d.options;
  if (queue !== undefined && !(typeof queue === 'string' && QUEUE_NAME_PATTERN.test(queue))) {
    throw new InvalidOptionError('options.queue', 'letters, digits, _ and - only, not starting with _ or -');
  }
  if (priority !== undefined && !(Number.isInteger(priority) && priority >= 0 && priority <= MAX_PRIORITY)) {
    throw new InvalidOptionError('options.priority', `an integer from 0 to ${MAX_PRIORITY}`);
  }
  if (expires !== undefined && !(typeof expires === 'number' && expires > 0 && expires <= 366 * 86_400)) {
    throw new InvalidOptionError('options.expires', 'seconds, a number > 0, at most 31622400');
  }
}

/** How a schedule is told apart from another version of it: what a declaration in code sets. */
export function fingerprintOf(d: ScheduleDefinition): string {
  return JSON.stringify([
    d.task,
    d.kwargs,
    d.cron ?? null,
    d.every ?? null,
    d.timezone,
    d.options,
    d.overlap,
    d.catchup,
  ]);
}
