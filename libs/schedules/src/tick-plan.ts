import { nextRun, type Timing } from './next-run.js';
import type { OverlapPolicy } from './schedule-definition.js';

/** How late a tick may be handled and still count as on time (a beat taking over from a dead one). */
export const ON_TIME_MS = 10_000;
/** Most ticks one pass looks at: a 1-second schedule over a week-long catch-up window is far fewer. */
const MAX_TICKS = 1_000_000;

/** What the beats remember of one schedule between ticks (in Redis, `beat-state.ts`). */
export interface TickState {
  /** The last nominal time handled (queued or skipped), epoch ms. */
  tick: number;
  /** A nominal time waiting for the previous run to end (`buffer_one`). */
  buffered?: number;
}

export interface TickPolicy {
  timing: Timing;
  overlap: OverlapPolicy;
  /** Seconds. */
  catchup: number;
}

/** What one pass over a schedule does. */
export interface TickPlan {
  /** Nominal times to queue now, in order. */
  queue: number[];
  /** Ticks dropped: missed outside the catch-up window, or by the overlap policy. */
  skipped: number;
  /** The new state. */
  state: TickState;
}

/**
 * One pass over a schedule at `now`: which of its ticks since the last one handled to queue. Pure, so that the
 * policies are tested apart from Redis and clocks.
 *
 * - A tick handled within `ON_TIME_MS` of its nominal time is on time, and queued.
 * - Older ones were missed while no beat ran: the latest is queued once if it is within the catch-up window,
 *   the others are skipped.
 * - Overlap, when `previousRunning` (the task queued last has not finished) or a tick of this pass was queued:
 *   `allow` queues anyway, `skip` drops the tick, `buffer_one` keeps one to queue when the previous run ends.
 */
export function planTicks(
  policy: TickPolicy,
  state: TickState,
  now: number,
  previousRunning: boolean,
): TickPlan {
  const window = Math.max(policy.catchup * 1000, ON_TIME_MS);
  const due: number[] = [];
  // ticks older than the window are skipped without being looked at (a beat down for a month, every second)
  const start = Math.max(state.tick, now - window - 1);
  let t = start;
  let skipped = 0;
  for (let i = 0; i < MAX_TICKS; i++) {
    t = nextRun(policy.timing, t);
    if (t > now) break;
    due.push(t);
  }
  const missed = due.filter((tick) => now - tick > ON_TIME_MS);
  const onTime = due.filter((tick) => now - tick <= ON_TIME_MS);
  const latestMissed = missed.at(-1);
  const caughtUp =
    latestMissed !== undefined && policy.catchup > 0 && now - latestMissed <= policy.catchup * 1000;
  skipped += missed.length - (caughtUp ? 1 : 0);
  const candidates = caughtUp ? [latestMissed, ...onTime] : onTime;

  const queue: number[] = [];
  let buffered = state.buffered;
  let running = previousRunning;
  if (buffered !== undefined && !running) {
    queue.push(buffered);
    buffered = undefined;
    running = true;
  }
  for (const tick of candidates) {
    if (!running || policy.overlap === 'allow') {
      queue.push(tick);
      running = true;
    } else if (policy.overlap === 'buffer_one' && buffered === undefined) {
      buffered = tick;
    } else skipped++;
  }
  const last = due.at(-1);
  const next: TickState = { tick: Math.max(start, last ?? start) };
  if (buffered !== undefined) next.buffered = buffered;
  return { queue, skipped, state: next };
}
