import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** CPU time of the whole machine so far, in ms: busy and total over every core. */
export interface MachineTimes {
  busy: number;
  total: number;
}

export function machineTimes(): MachineTimes {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const used = times.user + times.nice + times.sys + times.irq;
    busy += used;
    total += used + times.idle;
  }
  return { busy, total };
}

export interface PaceSettings {
  /** Share of the machine's capacity used by others (not this thread) above which the recorder yields. */
  busyAbove: number;
  /**
   * Share from which it yields all it can (`minDuty`); in between, its duty falls in proportion, so that a
   * load near the threshold (history keeping up with steady traffic) is still recorded as it comes.
   */
  saturatedAbove: number;
  /** Share of its time the recorder still works while the machine is saturated, whatever the lag. */
  minDuty: number;
  /**
   * Lag from which the recorder's duty rises, and lag at which it works without pause again, busy machine or
   * not: the lag stays bounded. In between, its duty grows with the square of the lag past `rampFromLagMs`:
   * nothing while a burst is young (a burst of tens of seconds is recorded in the lull after it), fast as the
   * bound nears.
   */
  rampFromLagMs: number;
  fullSpeedLagMs: number;
  /** The machine's load is sampled at most this often (os.cpus() counts in 10 ms ticks). */
  sampleMs: number;
  /** Longest pause after one round that left events in the stream (a backlog)… */
  maxPauseMs: number;
  /**
   * …and after one that read the stream to its end: what a caller waits at most, beyond a round, to see a task
   * it has just submitted in the history while the machine is saturated.
   */
  caughtUpPauseMs: number;
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

export const RECORDER_PACE: PaceSettings = {
  busyAbove: 0.3,
  saturatedAbove: 0.6,
  minDuty: 0.05,
  rampFromLagMs: 30_000,
  fullSpeedLagMs: 60_000,
  sampleMs: 250,
  maxPauseMs: 5_000,
  caughtUpPauseMs: 1_000,
};

/** What the pace reads: the machine's CPU times, this thread's CPU time, a clock (injected in tests). */
export interface PaceProbes {
  machine(): MachineTimes;
  ownCpuMs(): number;
  now(): number;
}

/** `/proc`'s unit of CPU time: USER_HZ, 100 on every Linux build. */
const TICKS_PER_SECOND = 100;

/** The calling thread's CPU time (user + system) in ms, from Linux's `/proc/thread-self/stat`; else undefined. */
export function threadCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // the fields after "pid (comm) ": utime and stime are the 14th and 15th of the line
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/**
 * This thread's own use: its CPU time where Linux tells it, else its event loop's active time. The event loop
 * is a poor stand-in on a busy machine: a niced thread is kept waiting in the middle of its transactions, and
 * that wall time, counted as its own, hid the others' load (the recorder worked a third of the time while the
 * machine was saturated, docs/OBSERVABILITY.md).
 */
function threadProbes(): PaceProbes {
  if (threadCpuMs() !== undefined) {
    return { machine: machineTimes, ownCpuMs: () => threadCpuMs() ?? 0, now: () => performance.now() };
  }
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  let active = 0;
  return {
    machine: machineTimes,
    ownCpuMs() {
      const next = performance.eventLoopUtilization();
      active += performance.eventLoopUtilization(next, elu).active;
      elu = next;
      return active;
    },
    now: () => performance.now(),
  };
}

/**
 * How a recorder thread yields the machine while tasks and requests use it: after a round of `roundMs` it
 * pauses so that it works `duty` of the time, where `duty` is 1 while the rest of the machine leaves room,
 * falls as it gets busier down to `minDuty` once it is saturated, and rises back to 1 (with the square of the
 * lag past `rampFromLagMs`) as the recorder's lag nears `fullSpeedLagMs`.
 * A burst is then run at nearly the speed it would have without history and metrics, and recorded in the
 * lull after it; sustained load the machine can carry is recorded as it comes (docs/OBSERVABILITY.md). The
 * thread's own work is taken out of the machine's (its CPU time, synchronous SQLite included), so it does
 * not slow itself down.
 */
export class RecorderPace {
  private readonly probes: PaceProbes;
  private sample: { at: number; machine: MachineTimes; own: number };
  private othersShare = 0;

  constructor(
    private readonly settings: PaceSettings = RECORDER_PACE,
    probes?: PaceProbes,
  ) {
    this.probes = probes ?? threadProbes();
    this.sample = { at: this.probes.now(), machine: this.probes.machine(), own: this.probes.ownCpuMs() };
  }

  /** Share of the machine used by everything but this thread over the last sample (0–1). */
  othersLoad(): number {
    const now = this.probes.now();
    if (now - this.sample.at >= this.settings.sampleMs) {
      const machine = this.probes.machine();
      const own = this.probes.ownCpuMs();
      const total = machine.total - this.sample.machine.total;
      if (total > 0) {
        const others = machine.busy - this.sample.machine.busy - (own - this.sample.own);
        this.othersShare = clamp01(others / total);
      }
      this.sample = { at: now, machine, own };
    }
    return this.othersShare;
  }

  /** The share of its time the recorder may work now, given how far behind it is. */
  duty(lagMs: number): number {
    const { busyAbove, saturatedAbove, minDuty, rampFromLagMs, fullSpeedLagMs } = this.settings;
    const busy = clamp01((this.othersLoad() - busyAbove) / (saturatedAbove - busyAbove));
    if (busy === 0) return 1;
    const floor = 1 - (1 - minDuty) * busy;
    const behind = clamp01((lagMs - rampFromLagMs) / (fullSpeedLagMs - rampFromLagMs));
    return floor + (1 - floor) * behind * behind;
  }

  /**
   * The pause after a round that took `roundMs` with the recorder `lagMs` behind; `backlog`: the round left
   * events in the stream.
   */
  pauseAfter(roundMs: number, lagMs: number, backlog = true): number {
    const duty = this.duty(lagMs);
    if (duty >= 1) return 0;
    const cap = backlog ? this.settings.maxPauseMs : this.settings.caughtUpPauseMs;
    return Math.min(cap, (roundMs * (1 - duty)) / duty);
  }
}
