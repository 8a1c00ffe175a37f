import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tickTaskId } from '@app/schedules';
import { AppProcess } from '../utils/app-process.js';
import { listAll, waitForHistory, type HistoryItem } from '../utils/history.js';
import {
  E2E_TIMEOUT_MS,
  runCli,
  startWorker,
  STARTUP_TIMEOUT_MS,
  waitFor,
} from '../utils/runtime-helpers.js';
import { TestSystem } from '../utils/test-system.js';

jest.setTimeout(E2E_TIMEOUT_MS);

interface ScheduleView {
  name: string;
  task: string;
  kwargs: Record<string, unknown>;
  cron: string | null;
  every: number | null;
  timezone: string;
  next_run: string | null;
  last_run: string | null;
  last_task_id: string | null;
  last_state: string | null;
  paused: boolean;
  error: string | null;
  source: string;
}

describe('schedules: codehubot beat, exactly once per tick, and /schedules', () => {
  let system: TestSystem;
  const beats: AppProcess[] = [];

  const startBeat = async (env: Record<string, string> = {}): Promise<AppProcess> => {
    const beat = new AppProcess('worker', ['beat'], system.env(env));
    beats.push(beat);
    await beat.waitForOutput(/beat started/, STARTUP_TIMEOUT_MS);
    return beat;
  };
  const schedules = async (): Promise<ScheduleView[]> => {
    const answer = await system.request<ScheduleView[]>('GET', '/schedules');
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const schedule = async (name: string): Promise<ScheduleView | undefined> =>
    (await schedules()).find((s) => s.name === name);

  beforeAll(async () => {
    system = await TestSystem.start();
    await startWorker(system, ['--pool', 'inline', '--concurrency', '20']);
  });

  afterAll(async () => {
    await Promise.all(beats.map((b) => b.stop('SIGKILL')));
    await system?.stop();
  });

  it('refuses bad schedules with a 400 naming the field, an unknown task with a 404', async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ name: 'b', task: 'tasks.add', args: [1, 2], cron: '61 * * * *' }, /^cron: /],
      [{ name: 'b', task: 'tasks.add', args: [1, 2], cron: '0 0 30 2 *' }, /^cron: .*never fires/],
      [{ name: 'b', task: 'tasks.add', args: [1, 2], cron: '* * * * *', every: 5 }, /^cron: .*exactly one/],
      [{ name: 'b', task: 'tasks.add', args: [1, 2] }, /^cron: .*exactly one/],
      [{ name: 'b', task: 'tasks.add', args: [1, 2], every: 0 }, /every/],
      [{ name: 'b', task: 'tasks.add', args: [1, 2], every: 0.5 }, /every/],
      [{ name: 'b', task: 'tasks.add', args: [1, 2], every: 5, timezone: 'Mars/Olympus' }, /^timezone: /],
      [{ name: 'b', task: 'tasks.add', args: [1, 'x'], every: 5 }, /y/],
      [{ name: 'b', task: 'tasks.add', args: [1, 2], every: 5, options: { color: 1 } }, /^options\.color: /],
      [{ name: 'b', task: 'tasks.add', args: [1, 2], every: 5, overlap: 'maybe' }, /overlap/],
      [{ name: '-b', task: 'tasks.add', args: [1, 2], every: 5 }, /name/],
    ];
    for (const [body, message] of bad) {
      const answer = await system.request<{ message: string | string[] }>('POST', '/schedules', body);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect([answer.body.message].flat().join('; ')).toMatch(message);
    }
    const unknown = await system.request('POST', '/schedules', { name: 'b', task: 'tasks.nope', every: 5 });
    expect(unknown.status).toBe(404);
    for (const path of ['/schedules/none/run', '/schedules/none/pause', '/schedules/none/resume']) {
      expect((await system.request('POST', path)).status).toBe(404);
    }
    expect((await system.request('DELETE', '/schedules/none')).status).toBe(404);
  });

  it("declares the original's schedules in code, next runs in Shanghai time (stored in UTC)", async () => {
    const declared = await schedules();
    const byName = new Map(declared.map((s) => [s.name, s]));
    expect(byName.get('cleanup-expired-tokens')).toMatchObject({
      task: 'tasks.cleanup_expired_tokens',
      cron: '0 3 * * *',
      timezone: 'Asia/Shanghai',
      source: 'code',
      paused: false,
      error: null,
    });
    // 03:00 in Shanghai is 19:00 UTC; the hourly one is at minute 0
    expect(byName.get('cleanup-expired-tokens')?.next_run).toMatch(/T19:00:00\.000Z$/);
    expect(byName.get('update-device-status')).toMatchObject({
      task: 'tasks.update_device_status',
      cron: '0 * * * *',
    });
    expect(byName.get('update-device-status')?.next_run).toMatch(/:00:00\.000Z$/);
    const next = Date.parse(byName.get('update-device-status')?.next_run ?? '');
    expect(next - Date.now()).toBeLessThanOrEqual(3_600_000);
  });

  it('three beats whose clocks are 2 s apart queue each tick of a 1-second schedule once, a SIGKILLed one included', async () => {
    const added = await system.request<ScheduleView>('POST', '/schedules', {
      name: 'every-second',
      task: 'tasks.xsum',
      kwargs: { numbers: [1, 2, 3] },
      every: 1,
      overlap: 'allow',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      name: 'every-second',
      every: 1,
      cron: null,
      paused: false,
      source: 'api',
    });
    const replicas = await Promise.all([
      startBeat({ BEAT_CLOCK_OFFSET: '-1000' }),
      startBeat(),
      startBeat({ BEAT_CLOCK_OFFSET: '1000' }),
    ]);
    const ticks = async (): Promise<HistoryItem[]> => listAll(system, { name: 'tasks.xsum', limit: '500' });
    await waitFor('4 ticks', async () => (await ticks()).length >= 4, 60_000, 200);
    await replicas[1].stop('SIGKILL');
    const before = (await ticks()).length;
    await waitFor(
      '4 more ticks after the SIGKILL',
      async () => (await ticks()).length >= before + 4,
      60_000,
      200,
    );
    expect((await system.request('POST', '/schedules/every-second/pause')).status).toBe(200);
    await sleep(1500); // a pass in flight when the pause was read

    const items = await waitForHistory(system, { name: 'tasks.xsum' }, (all) =>
      all.every((i) => i.state === 'SUCCESS'),
    );
    const nominal = new Map<string, number>();
    for (const item of items) {
      const status = await system.status(item.task_id);
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ schedule: 'every-second', result: 6 });
      // run once: a tick queued twice is one job (its id), and that job started once
      expect(item.transitions.filter((t) => t.event === 'started')).toHaveLength(1);
      const at = Date.parse(status.body.scheduled_for ?? '');
      expect(at % 1000).toBe(0);
      // the tick's identity: the schedule and its nominal time
      expect(item.task_id).toBe(tickTaskId('every-second', at));
      nominal.set(item.task_id, at);
    }
    const times = [...nominal.values()].sort((a, b) => a - b);
    expect(new Set(times).size).toBe(items.length);
    // no tick missed: one a second from the first to the last
    expect(times.at(-1)! - times[0]).toBe((times.length - 1) * 1000);
    expect(times.length).toBeGreaterThanOrEqual(8);
  });

  it('runs a schedule now, whatever its pause says; the task knows its schedule and scheduled_for', async () => {
    const answer = await system.request<{ task_id: string; status_url: string }>(
      'POST',
      '/schedules/every-second/run',
    );
    expect(answer.status).toBe(202);
    const done = await system.waitForState(answer.body.task_id, 'SUCCESS');
    expect(done).toMatchObject({ result: 6, schedule: 'every-second' });
    expect(Date.parse(done.scheduled_for ?? '')).toBeGreaterThan(Date.now() - 60_000);
    const view = await schedule('every-second');
    expect(view).toMatchObject({ paused: true, next_run: null, last_task_id: answer.body.task_id });
    expect(view?.last_state).toBe('SUCCESS');
  });

  it('adds, replaces, pauses, resumes and deletes schedules, kept across an API restart', async () => {
    const first = await system.request<ScheduleView>('POST', '/schedules', {
      name: 'nightly',
      task: 'tasks.add',
      args: [2, 3],
      cron: '0 3 * * *',
    });
    expect(first.status).toBe(201);
    // SCHEDULE_TIMEZONE's default: Asia/Shanghai; 03:00 there is 19:00 UTC
    expect(first.body).toMatchObject({ timezone: 'Asia/Shanghai', kwargs: { x: 2, y: 3 } });
    expect(first.body.next_run).toMatch(/T19:00:00\.000Z$/);
    const replaced = await system.request<ScheduleView>('POST', '/schedules', {
      name: 'nightly',
      task: 'tasks.add',
      kwargs: { x: 1, y: 1 },
      cron: '30 4 * * 1',
      timezone: 'America/New_York',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      cron: '30 4 * * 1',
      timezone: 'America/New_York',
      kwargs: { x: 1, y: 1 },
    });
    expect(new Date(replaced.body.next_run ?? '').getUTCDay()).toBe(1);
    const paused = await system.request<ScheduleView>('POST', '/schedules/nightly/pause');
    expect(paused.body).toMatchObject({ paused: true, next_run: null });

    await system.api?.stop();
    await system.startApi();
    expect(await schedule('nightly')).toMatchObject({
      paused: true,
      cron: '30 4 * * 1',
      kwargs: { x: 1, y: 1 },
    });
    const resumed = await system.request<ScheduleView>('POST', '/schedules/nightly/resume');
    expect(resumed.body).toMatchObject({ paused: false });
    expect(resumed.body.next_run).not.toBeNull();

    expect((await system.request('DELETE', '/schedules/nightly')).status).toBe(204);
    expect(await schedule('nightly')).toBeUndefined();
  });

  it('overlap skip: no tick is queued while the previous run still runs', async () => {
    await system.request('POST', '/schedules', {
      name: 'slow-skip',
      task: 'tasks.sleep',
      kwargs: { seconds: 2.5, value: 'skip' },
      every: 1,
    });
    const items = await runFor('slow-skip', 6_500);
    expectNoOverlap(items);
    expect(items.length).toBeGreaterThanOrEqual(1);
    expect(items.length).toBeLessThanOrEqual(3);
  });

  it('overlap buffer_one: one tick waits for the previous run and starts when it ends', async () => {
    await system.request('POST', '/schedules', {
      name: 'slow-buffer',
      task: 'tasks.sleep',
      kwargs: { seconds: 2, value: 'buffer' },
      every: 1,
      overlap: 'buffer_one',
    });
    const items = await runFor('slow-buffer', 6_500);
    expectNoOverlap(items);
    expect(items.length).toBeGreaterThanOrEqual(2);
    const byStart = [...items].sort(
      (a, b) => Date.parse(a.started_at ?? '') - Date.parse(b.started_at ?? ''),
    );
    for (let i = 1; i < byStart.length; i++) {
      const status = await system.status(byStart[i].task_id);
      // it was due before the previous run ended: it waited in the buffer
      expect(Date.parse(status.body.scheduled_for ?? '')).toBeLessThan(
        Date.parse(byStart[i - 1].date_done ?? ''),
      );
    }
  });

  it('overlap allow: a tick is queued while the previous run still runs', async () => {
    await system.request('POST', '/schedules', {
      name: 'slow-allow',
      task: 'tasks.sleep',
      kwargs: { seconds: 2.5, value: 'allow' },
      every: 1,
      overlap: 'allow',
    });
    const items = await runFor('slow-allow', 5_500);
    expect(items.length).toBeGreaterThanOrEqual(3);
    const runs = items
      .map((i) => [Date.parse(i.started_at ?? ''), Date.parse(i.date_done ?? '')] as const)
      .sort((a, b) => a[0] - b[0]);
    // runs of 2.5 s, one a second: some started before the previous one ended (skip and buffer_one never do)
    const overlapping = runs.filter((run, i) => i > 0 && run[0] < runs[i - 1][1]);
    expect(overlapping.length).toBeGreaterThan(0);
  });

  it('shows a schedule that names an unknown task in an error state, and raises an alert', async () => {
    // a row written by other code (a task since removed): the API refuses to add one
    const db = new Database(join(system.dir, 'db.sqlite'));
    const now = Date.now();
    db.prepare(
      `INSERT INTO schedules (name, task, kwargs, cron, every, timezone, options, overlap, catchup, paused, source, fingerprint, created_at, updated_at)
       VALUES ('orphan', 'tasks.gone', '{}', NULL, 1, 'UTC', '{}', 'skip', 0, 0, 'api', '', ?, ?)`,
    ).run(now, now);
    db.close();
    const view = await waitFor('the error state', async () => {
      const s = await schedule('orphan');
      return s?.error ? s : undefined;
    });
    expect(view.error).toMatch(/unknown task tasks\.gone/);
    expect(view.next_run).toBeNull();
    await beats[0].waitForOutput(/schedule orphan in error: unknown task tasks\.gone/);
    await waitFor('the schedule_error alert', async () => {
      const metrics = await system.request<string>('GET', '/metrics');
      return /codehubot_alert_firing\{alert="schedule_error",subject="orphan"\} 1/.test(String(metrics.body));
    });
    expect((await system.request('DELETE', '/schedules/orphan')).status).toBe(204);
  });

  it('a schedule that cannot compute its next run is in error too; one whose error is fixed ticks again', async () => {
    const db = new Database(join(system.dir, 'db.sqlite'));
    const now = Date.now();
    const insert = db.prepare(
      `INSERT INTO schedules (name, task, kwargs, cron, every, timezone, options, overlap, catchup, paused, source, fingerprint, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'UTC', '{}', 'skip', 0, 0, 'api', '', ?, ?)`,
    );
    insert.run('never-fires', 'tasks.add', '{"x":1,"y":1}', '0 0 30 2 *', null, now, now);
    insert.run('fixed-later', 'tasks.gone', '{}', null, 1, now, now);
    const inError = async (name: string): Promise<ScheduleView> =>
      waitFor(`${name} in error`, async () => {
        const s = await schedule(name);
        return s?.error ? s : undefined;
      });
    const never = await inError('never-fires');
    expect(never.error).toMatch(/cannot compute the next run: .*never fires/);
    expect(never.next_run).toBeNull();
    await beats[0].waitForOutput(/schedule never-fires in error: cannot compute the next run/);
    expect((await inError('fixed-later')).last_task_id).toBeNull();

    // the task is known again (a deploy brought it back): the error clears and the ticks go on
    db.prepare(
      `UPDATE schedules SET task = 'tasks.add', kwargs = '{"x":4,"y":5}' WHERE name = 'fixed-later'`,
    ).run();
    db.close();
    const fixed = await waitFor('fixed-later ticking', async () => {
      const s = await schedule('fixed-later');
      return s && s.error === null && s.last_task_id ? s : undefined;
    });
    expect(fixed.next_run).not.toBeNull();
    const done = await system.waitForState(fixed.last_task_id ?? '', 'SUCCESS');
    expect(done).toMatchObject({ result: 9, schedule: 'fixed-later' });
    await beats[0].waitForOutput(/schedule fixed-later: error cleared/);
    for (const name of ['never-fires', 'fixed-later']) {
      expect((await system.request('DELETE', `/schedules/${name}`)).status).toBe(204);
    }
  });

  it('codehubot inspect scheduled lists the schedules with their next runs', async () => {
    const result = await runCli(system, ['inspect', 'scheduled', '--json']);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as { schedules: ScheduleView[]; tasks: unknown[] };
    expect(body.schedules.map((s) => s.name)).toEqual(expect.arrayContaining(['every-second', 'slow-skip']));
    expect(Array.isArray(body.tasks)).toBe(true);
  });

  /** Lets a schedule tick for `ms`, pauses it, and returns its tasks once all have finished. */
  async function runFor(name: string, ms: number): Promise<HistoryItem[]> {
    await sleep(ms);
    await system.request('POST', `/schedules/${name}/pause`);
    await sleep(1000);
    const all = await waitForHistory(
      system,
      { name: 'tasks.sleep' },
      (items) => items.filter((i) => isOf(i, name)).every((i) => i.state === 'SUCCESS'),
      30_000,
    );
    return all.filter((i) => isOf(i, name));
  }

  function isOf(item: HistoryItem, name: string): boolean {
    return (item.kwargs as { value?: string }).value === name.replace(/^slow-/, '');
  }

  function expectNoOverlap(items: HistoryItem[]): void {
    const runs = items
      .map((i) => [Date.parse(i.started_at ?? ''), Date.parse(i.date_done ?? '')] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < runs.length; i++) expect(runs[i][0]).toBeGreaterThanOrEqual(runs[i - 1][1]);
  }
});
