import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ScheduleEntity, SchedulesStore, type ScheduleDefinition } from '@app/schedules';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../utils/databases.js';

const declared: ScheduleDefinition = {
  name: 'cleanup-expired-tokens',
  task: 'tasks.cleanup_expired_tokens',
  kwargs: {},
  cron: '0 3 * * *',
  timezone: 'Asia/Shanghai',
  options: {},
  overlap: 'skip',
  catchup: 0,
};

describe.each([
  ['sqlite', sqliteDatabase],
  ['postgres', postgresDatabase],
] as const)('SchedulesStore on %s', (_name, open) => {
  let db: TestDatabase;
  let store: SchedulesStore;

  beforeAll(async () => {
    db = await open([ScheduleEntity]);
    store = new SchedulesStore(db.dataSource.getRepository(ScheduleEntity));
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('upserts a declaration from many replicas at once into one row, and the same one again changes nothing', async () => {
    await Promise.all(Array.from({ length: 8 }, () => store.upsertDeclared(declared, 1000)));
    const [row] = await store.list();
    expect(await store.list()).toHaveLength(1);
    expect(row).toMatchObject({
      ...declared,
      source: 'code',
      paused: false,
      createdAt: 1000,
      updatedAt: 1000,
    });
    await Promise.all(Array.from({ length: 4 }, () => store.upsertDeclared(declared, 2000)));
    expect((await store.get(declared.name))?.updatedAt).toBe(1000);
  });

  it('a changed declaration updates its row and keeps it paused; a schedule replaced at run time is left alone', async () => {
    expect(await store.setPaused(declared.name, true, 2500)).toBe(true);
    await store.upsertDeclared({ ...declared, cron: '0 4 * * *' }, 3000);
    expect(await store.get(declared.name)).toMatchObject({
      cron: '0 4 * * *',
      paused: true,
      updatedAt: 3000,
    });

    expect(await store.save({ ...declared, cron: '15 5 * * *', timezone: 'UTC' }, 4000)).toEqual({
      created: false,
    });
    await store.upsertDeclared(declared, 5000);
    expect(await store.get(declared.name)).toMatchObject({
      cron: '15 5 * * *',
      timezone: 'UTC',
      source: 'api',
      paused: true,
      createdAt: 1000,
    });
  });

  it('saves, lists by name and removes schedules added at run time', async () => {
    expect(await store.save({ ...declared, name: 'a-every', cron: undefined, every: 30 }, 6000)).toEqual({
      created: true,
    });
    expect((await store.list()).map((s) => [s.name, s.every ?? s.cron])).toEqual([
      ['a-every', 30],
      [declared.name, '15 5 * * *'],
    ]);
    expect(await store.remove('a-every')).toBe(true);
    expect(await store.remove('a-every')).toBe(false);
    expect(await store.setPaused('a-every', true)).toBe(false);
  });
});
