import { CronTime } from 'cron';

/** How a schedule's nominal times are laid out: a crontab in a time zone, or every so many seconds. */
export type Timing = { cron: string; timezone: string } | { every: number };

/** A nominal time cannot be computed (a crontab that never fires, a zone this runtime does not know). */
export class NextRunError extends Error {}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether the runtime knows this IANA zone. */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in `zone` at an instant, as epoch ms of the same wall time in UTC. */
export function wallClock(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(instant))) parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall + (((instant % 1000) + 1000) % 1000);
}

const DAY = 86_400_000;

/**
 * The instant a wall-clock time stands for in `zone` (the DST rule, docs/SCHEDULES.md): a time that happens
 * twice (clocks fall back) is its first occurrence; a time that does not exist (clocks spring forward) is
 * shifted by the gap, as if the clock had not jumped yet (02:30 → 03:30 on a one-hour gap).
 */
export function instantOf(wall: number, zone: string): number {
  // offsets (ms east of UTC) the day before and the day after: at most one transition lies between
  const offBefore = wallClock(wall - DAY, zone) - (wall - DAY);
  const offAfter = wallClock(wall + DAY, zone) - (wall + DAY);
  const valid = [wall - offBefore, wall - offAfter].filter((i) => wallClock(i, zone) === wall);
  if (valid.length > 0) return Math.min(...valid);
  return wall - offBefore;
}

/** The first nominal time strictly after `after` (epoch ms). */
export function nextRun(timing: Timing, after: number): number {
  if ('every' in timing) {
    const period = timing.every * 1000;
    // anchored at the epoch, so that every replica lays out the same ticks
    return (Math.floor(after / period) + 1) * period;
  }
  let cron: CronTime;
  try {
    cron = new CronTime(timing.cron, 'UTC');
  } catch (error) {
    throw new NextRunError(`invalid crontab "${timing.cron}": ${(error as Error).message}`);
  }
  if (!isTimeZone(timing.timezone)) throw new NextRunError(`unknown time zone ${timing.timezone}`);
  // crontab fields match wall-clock times: walk them in a zone without DST, then map each to its instant
  let wall = wallClock(after, timing.timezone);
  for (let i = 0; i < 1000; i++) {
    try {
      wall = cron.getNextDateFrom(new Date(wall), 'UTC').toMillis();
    } catch (error) {
      throw new NextRunError(`"${timing.cron}" never fires: ${firstLine(error)}`);
    }
    const instant = instantOf(wall, timing.timezone);
    if (instant > after) return instant;
  }
  throw new NextRunError(`no next run of "${timing.cron}" after ${new Date(after).toISOString()}`);
}

const firstLine = (error: unknown): string => String((error as Error).message ?? error).split('\n')[0];
