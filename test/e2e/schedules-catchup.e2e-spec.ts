import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { ON_TIME_MS, tickTaskId } from '@app/schedules';
import { AppProcess } from '../utils/app-process.js';
import { allFinal, waitForHistory } from '../utils/history.js';
import { E2E_TIMEOUT_MS, startWorker, STARTUP_TIMEOUT_MS, waitFor } from '../utils/runtime-helpers.js';
import { TestSystem } from '../utils/test-system.js';

jest.setTimeout(E2E_TIMEOUT_MS);

interface ScheduleView {
  name: string;
  catchup: number;
  last_run: string | null;
  next_run: string | null;
}

/**
 * Seconds between ticks. Long enough that the beat started after the outage (10.5 s after the last missed
 * tick) has made its first pass well before the next tick could count as missed too (it would take a start-up
 * of more than 19 s).
 */
const PERIOD = 20;
const P = PERIOD * 1000;

/** `catchup` of each schedule; all three tick together (every PERIOD s, anchored at the epoch). */
const SCHEDULES = {
  'missed-skip': undefined, // the default: 0
  'missed-once': 600,
  'missed-outside': 5, // a window shorter than the outage: the missed ticks are too old
} as const;
type Name = keyof typeof SCHEDULES;
const NAMES = Object.keys(SCHEDULES) as Name[];
const iso = (ms: number): string => new Date(ms).toISOString();

describe('schedules: ticks missed while every beat was down (the catch-up policy)', () => {
  let system: TestSystem;
  const beats: AppProcess[] = [];

  const startBeat = async (): Promise<AppProcess> => {
    const beat = new AppProcess('worker', ['beat'], system.env());
    beats.push(beat);
    await beat.waitForOutput(/beat started/, STARTUP_TIMEOUT_MS);
    return beat;
  };
  const views = async (): Promise<ScheduleView[]> => {
    const answer = await system.request<ScheduleView[]>('GET', '/schedules');
    expect(answer.status).toBe(200);
    return answer.body.filter((s) => s.name in SCHEDULES);
  };
  /** The one `last_run` of the three schedules, once they all have the same (undefined until then). */
  const commonLastRun = async (): Promise<number | undefined> => {
    const runs = new Set((await views()).map((v) => v.last_run));
    const [only] = runs;
    return runs.size === 1 && typeof only === 'string' ? Date.parse(only) : undefined;
  };

  beforeAll(async () => {
    system = await TestSystem.start();
    await startWorker(system, ['--pool', 'inline', '--concurrency', '10']);
  });

  afterAll(async () => {
    await Promise.all(beats.map((b) => b.stop('SIGKILL')));
    await system?.stop();
  });

  it('on start, catchup 0 skips them; a catch-up window runs the latest once, with its scheduled_for', async () => {
    for (const [i, name] of NAMES.entries()) {
      const catchup = SCHEDULES[name];
      const added = await system.request<ScheduleView>('POST', '/schedules', {
        name,
        task: 'tasks.add',
        args: [i, 100],
        every: PERIOD,
        ...(catchup !== undefined ? { catchup } : {}),
      });
      expect(added.status).toBe(201);
      expect(added.body.catchup).toBe(catchup ?? 0);
    }
    const first = await startBeat();
    // the beat runs them: a tick of each queued, the same nominal time for the three
    await waitFor('a tick of each schedule', commonLastRun, 3 * P, 200);

    // every beat down: the only one, killed
    await first.stop('SIGKILL');
    const last = await commonLastRun();
    expect(last).toBeDefined();
    const lastBefore = last!;
    const missed = [lastBefore + P, lastBefore + 2 * P];
    // the later missed tick older than the on-time window when the next beat starts
    await sleep(Math.max(0, missed[1] + ON_TIME_MS + 500 - Date.now()));
    const views0 = await views();
    for (const v of views0) expect(Date.parse(v.last_run ?? '')).toBe(lastBefore);

    await startBeat();
    // the first tick after the outage, on time: the beat is handling all three again
    const next = lastBefore + 3 * P;
    await waitFor(
      'the first tick after the outage',
      async () => ((await commonLastRun()) ?? 0) >= next,
      2 * P,
      200,
    );
    for (const name of NAMES) {
      expect((await system.request('POST', `/schedules/${name}/pause`)).status).toBe(200);
    }
    await sleep(1000); // a pass in flight when the pause was read

    // each tick's task id is the schedule and its nominal time: the skipped ones were never queued
    const expected: Record<Name, number[]> = {
      'missed-skip': [next],
      'missed-once': [missed[1], next],
      'missed-outside': [next],
    };
    for (const name of NAMES) {
      for (const at of [...missed, next]) {
        const status = await system.status(tickTaskId(name, at));
        expect({ name, at: iso(at), status: status.status }).toEqual({
          name,
          at: iso(at),
          status: expected[name].includes(at) ? 200 : 404,
        });
      }
    }
    const ids = NAMES.flatMap((name) => expected[name].map((at) => tickTaskId(name, at)));
    const items = await waitForHistory(system, { name: 'tasks.add' }, allFinal(ids));
    const ticks = new Map<Name, number[]>(NAMES.map((n) => [n, []]));
    for (const item of items) {
      expect(item.state).toBe('SUCCESS');
      expect(item.transitions.filter((t) => t.event === 'started')).toHaveLength(1);
      const status = await system.status(item.task_id);
      const name = status.body.schedule as Name;
      const at = Date.parse(status.body.scheduled_for ?? '');
      expect(item.task_id).toBe(tickTaskId(name, at));
      if (at > lastBefore) ticks.get(name)?.push(at);
    }
    for (const list of ticks.values()) list.sort((a, b) => a - b);
    // after the tick before the outage: catchup 0 skipped both missed ticks; the window of 600 s ran the
    // latest of them once (not both), with its own scheduled_for; the window of 5 s was shorter than its age
    expect(Object.fromEntries(ticks)).toEqual(expected);
  });
});
