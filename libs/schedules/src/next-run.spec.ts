import { describe, expect, it } from '@jest/globals';
import { CronTime } from 'cron';
import { instantOf, nextRun, NextRunError } from './next-run.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const NY = 'America/New_York';

/** The nominal times after `from`, one after another: the clock is the argument, injected by the test. */
function runs(cron: string, zone: string, from: string, count: number): string[] {
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < count; i++) out.push(iso((t = nextRun({ cron, timezone: zone }, t))));
  return out;
}

describe('nextRun', () => {
  it("lays out the original's four in Asia/Shanghai (UTC+8, no DST), stored in UTC", () => {
    const from = '2026-03-01T12:00:00Z'; // a Sunday, 20:00 in Shanghai
    expect(runs('0 3 * * *', 'Asia/Shanghai', from, 2)).toEqual([
      '2026-03-01T19:00:00.000Z',
      '2026-03-02T19:00:00.000Z',
    ]);
    expect(runs('0 * * * *', 'Asia/Shanghai', from, 2)).toEqual([
      '2026-03-01T13:00:00.000Z',
      '2026-03-01T14:00:00.000Z',
    ]);
    expect(runs('0 10 * * 1', 'Asia/Shanghai', from, 2)).toEqual([
      '2026-03-02T02:00:00.000Z',
      '2026-03-09T02:00:00.000Z',
    ]);
    expect(iso(nextRun({ every: 1800 }, at(from)))).toBe('2026-03-01T12:30:00.000Z');
  });

  it('anchors every-N-seconds ticks at the epoch, strictly after the given time', () => {
    expect(iso(nextRun({ every: 1 }, at('2026-01-01T00:00:00.000Z')))).toBe('2026-01-01T00:00:01.000Z');
    expect(iso(nextRun({ every: 1 }, at('2026-01-01T00:00:00.400Z')))).toBe('2026-01-01T00:00:01.000Z');
    expect(iso(nextRun({ every: 60 }, at('2026-01-01T00:00:59.999Z')))).toBe('2026-01-01T00:01:00.000Z');
  });

  describe('daylight saving in America/New_York', () => {
    it('spring forward (2026-03-08, 02:00 EST → 03:00 EDT): a time in the gap runs once, shifted by the gap', () => {
      // 02:30 does not exist that day: it runs at 03:30 EDT, and the days around it keep their wall time
      expect(runs('30 2 * * *', NY, '2026-03-07T00:00:00Z', 3)).toEqual([
        '2026-03-07T07:30:00.000Z', // 02:30 EST
        '2026-03-08T07:30:00.000Z', // 03:30 EDT
        '2026-03-09T06:30:00.000Z', // 02:30 EDT
      ]);
      // hourly: 02:00 does not exist; its tick is 03:00 EDT, the same instant as the 03:00 tick, so one run
      expect(runs('0 * * * *', NY, '2026-03-08T05:30:00Z', 3)).toEqual([
        '2026-03-08T06:00:00.000Z', // 01:00 EST
        '2026-03-08T07:00:00.000Z', // 03:00 EDT
        '2026-03-08T08:00:00.000Z', // 04:00 EDT
      ]);
    });

    it('fall back (2026-11-01, 02:00 EDT → 01:00 EST): a time that happens twice runs once, at its first occurrence', () => {
      expect(runs('30 1 * * *', NY, '2026-10-31T00:00:00Z', 3)).toEqual([
        '2026-10-31T05:30:00.000Z', // 01:30 EDT
        '2026-11-01T05:30:00.000Z', // 01:30 EDT, the first of the two
        '2026-11-02T06:30:00.000Z', // 01:30 EST
      ]);
      // hourly: 01:00 happens twice and runs once; the next tick is 02:00 EST
      expect(runs('0 * * * *', NY, '2026-11-01T04:30:00Z', 3)).toEqual([
        '2026-11-01T05:00:00.000Z', // 01:00 EDT
        '2026-11-01T07:00:00.000Z', // 02:00 EST
        '2026-11-01T08:00:00.000Z', // 03:00 EST
      ]);
      // a beat starting during the second 01:xx does not run those wall times again
      expect(runs('*/20 * * * *', NY, '2026-11-01T06:10:00Z', 1)).toEqual(['2026-11-01T07:00:00.000Z']);
    });

    it('spring forward: a time in the gap is still due after the jump, until its shifted instant', () => {
      // 03:10 EDT on 2026-03-08: 02:30 did not exist, and its tick (03:30 EDT) is still ahead
      expect(iso(nextRun({ cron: '30 2 * * *', timezone: NY }, at('2026-03-08T07:10:00Z')))).toBe(
        '2026-03-08T07:30:00.000Z',
      );
      expect(iso(nextRun({ cron: '30 2 * * *', timezone: NY }, at('2026-03-08T07:30:00Z')))).toBe(
        '2026-03-09T06:30:00.000Z',
      );
    });
  });

  describe('the DST rule as a set: the next run is the earliest instant after, whatever the clock', () => {
    /** Every instant the crontab's wall times stand for, between two wall times (the rule: instantOf). */
    function nominalSet(cron: string, zone: string, fromWall: number, toWall: number): number[] {
      const c = new CronTime(cron, 'UTC');
      const out = new Set<number>();
      for (let w = fromWall; ;) {
        w = c.getNextDateFrom(new Date(w), 'UTC').toMillis();
        if (w > toWall) break;
        out.add(instantOf(w, zone));
      }
      return [...out].sort((a, b) => a - b);
    }
    const cases: [string, string][] = [
      [NY, '2026-03-08'], // 02:00 → 03:00
      [NY, '2026-11-01'], // 02:00 → 01:00
      ['Australia/Lord_Howe', '2026-10-04'], // a 30-minute gap: 02:00 → 02:30
      ['Australia/Lord_Howe', '2026-04-05'], // 02:00 → 01:30
    ];
    const crons = ['30 2 * * *', '0 * * * *', '*/20 * * * *', '15,45 1-3 * * *', '0 2 * * *', '59 1 * * *'];
    it.each(cases)('%s on %s', (zone, day) => {
      const wall0 = at(`${day}T00:00:00Z`) - 86_400_000;
      const wall1 = wall0 + 3 * 86_400_000;
      const wrong: string[] = [];
      for (const cron of crons) {
        const set = nominalSet(cron, zone, wall0 - 86_400_000, wall1 + 2 * 86_400_000);
        // an injected clock: every 7 min 13 s over the three days around the change
        for (let after = wall0 - 14 * 3_600_000; after < wall1 - 14 * 3_600_000; after += 433_000) {
          const expected = iso(set.find((i) => i > after) ?? NaN);
          const next = iso(nextRun({ cron, timezone: zone }, after));
          if (next !== expected) wrong.push(`${cron} after ${iso(after)}: ${next}, not ${expected}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  });

  it('throws NextRunError for a crontab that never fires or a zone nobody knows', () => {
    expect(() => nextRun({ cron: '0 0 30 2 *', timezone: 'UTC' }, Date.now())).toThrow(NextRunError);
    expect(() => nextRun({ cron: '0 0 * * *', timezone: 'Mars/Olympus' }, Date.now())).toThrow(NextRunError);
    expect(() => nextRun({ cron: 'nope', timezone: 'UTC' }, Date.now())).toThrow(NextRunError);
  });
});
