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

/** Offset of `zone` from UTC at an instant, in ms east of UTC. */
const offsetAt = (instant: number, zone: string): number => wallClock(instant, zone) - instant;

/**
 * The instant `zone`'s clocks jumped forward, between `before` (still on the old offset) and `after` (on the
 * new one): the first millisecond on the new offset.
 */
function transitionBetween(before: number, after: number, zone: string): number {
  const newOffset = offsetAt(after, zone);
  let lo = before;
  let hi = after;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid, zone) === newOffset) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The first nominal time strictly after `after` (epoch ms): the earliest instant, after it, that a wall-clock
 * time matching the crontab stands for (`instantOf`).
 *
 * Walking the matching wall times in order and taking the first instant after `after` is right except next to
 * a spring-forward: a wall time in the gap stands for an instant shifted by the gap, later than that of wall
 * times just after the gap (02:30 → 03:30 EDT, after 03:00 EDT). So the walk starts a gap earlier while the
 * shifted gap is still ahead (02:30 is still due at 03:10 EDT), and a wall time in the gap is kept as a
 * candidate while the walk goes on from the end of the gap (an earlier real wall time may come first).
 */
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
  const zone = timing.timezone;
  if (!isTimeZone(zone)) throw new NextRunError(`unknown time zone ${zone}`);
  // crontab fields match wall-clock times: walk them in a zone without DST, then map each to its instant
  const start = wallClock(after, zone);
  let wall = start;
  const offset = offsetAt(after, zone);
  const gapBefore = offset - offsetAt(after - DAY, zone);
  // clocks jumped forward less than one gap ago: the gap's wall times may still be ahead (shifted)
  if (gapBefore > 0 && offsetAt(after - gapBefore, zone) !== offset) wall -= gapBefore;
  let shifted: number | undefined;
  for (let i = 0; i < 1000; i++) {
    try {
      wall = cron.getNextDateFrom(new Date(wall), 'UTC').toMillis();
    } catch (error) {
      if (shifted !== undefined) return shifted;
      throw new NextRunError(`"${timing.cron}" never fires: ${firstLine(error)}`);
    }
    const instant = instantOf(wall, zone);
    if (instant <= after) continue;
    if (wallClock(instant, zone) === wall) return Math.min(instant, shifted ?? instant);
    // a wall time in the gap: the first of them is the earliest; go on from the end of the gap (or from
    // `after`'s own wall time: the real ones up to it stand for instants up to `after`)
    shifted ??= instant;
    const gap = wallClock(instant, zone) - wall;
    const gapEnd = wallClock(transitionBetween(instant - gap, instant, zone), zone);
    wall = Math.max(wall, gapEnd - 1, start);
  }
  if (shifted !== undefined) return shifted;
  throw new NextRunError(`no next run of "${timing.cron}" after ${new Date(after).toISOString()}`);
}

const firstLine = (error: unknown): string => String((error as Error).message ?? error).split('\n')[0];
