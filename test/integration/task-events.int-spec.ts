import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type INestApplicationContext, type OnModuleInit } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import {
  Add,
  EventRecorder,
  JobWriter,
  loadTasksConfig,
  ProcessData,
  PRODUCER_REDIS,
  STREAM_START,
  TaskClient,
  TasksModule,
  ownKeys,
  signature,
  toJobSpec,
  type StreamedEvent,
  type TaskEventSink,
} from '@app/tasks';
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestRedis } from '../utils/redis-server.js';

/**
 * A sink as the contract asks: its cursor moves with its writes (here both live in one object), a batch that
 * does not start at its cursor is ignored, and while `failures` lasts it throws, as a database away would.
 */
class RecordingSink implements TaskEventSink {
  readonly events: StreamedEvent[] = [];
  private stored = STREAM_START;
  failures = 0;
  calls = 0;

  constructor(readonly name: string) {}

  cursor(): Promise<string> {
    return Promise.resolve(this.stored);
  }

  apply(events: readonly StreamedEvent[], from: string, to: string): Promise<void> {
    this.calls++;
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new Error('database away'));
    }
    if (from !== this.stored) return Promise.resolve();
    this.events.push(...events);
    this.stored = to;
    return Promise.resolve();
  }
}

const steady = new RecordingSink('steady');
const flaky = new RecordingSink('flaky');

@Injectable()
class SinkRegistrations implements OnModuleInit {
  constructor(private readonly recorder: EventRecorder) {}
  onModuleInit(): void {
    this.recorder.register(steady);
    this.recorder.register(flaky);
  }
}

@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }), TasksModule.forProducer()],
  providers: [SinkRegistrations],
})
class EventsTestModule {}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('task events: JobWriter, the stream and the recorder (real Redis)', () => {
  let redis: TestRedis;
  let assertions: Redis;
  let app: INestApplicationContext;
  const prefix = 'events-test';

  beforeAll(async () => {
    redis = await TestRedis.start();
    assertions = redis.client();
    Object.assign(process.env, { REDIS_URL: redis.url, QUEUE_PREFIX: prefix });
    delete process.env.TASK_ROUTES;
    app = await NestFactory.createApplicationContext(EventsTestModule, { logger: ['error'] });
    await app.init();
  });

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    assertions?.disconnect();
    await redis?.destroy();
    delete process.env.QUEUE_PREFIX;
  });

  it('writes each job with its received event, and every sink gets each event once, in order, a failing one later', async () => {
    const client = app.get(TaskClient);
    await app.get<Redis>(PRODUCER_REDIS).ping();
    flaky.failures = 3;
    const first = await client.submit(Add, { x: 1, y: 2 }, { requestId: 'req-42' });
    const second = await client.submit(ProcessData, { data: { password: 'hunter2' } }, { countdown: 60 });

    const job = await assertions.hgetall(`${prefix}:default:${first.id}`);
    expect(JSON.parse(job.data ?? '{}')).toMatchObject({ kwargs: { x: 1, y: 2 }, rid: 'req-42' });

    const received = await until('both events at the steady sink', () =>
      steady.events.length >= 2 ? steady.events : undefined,
    );
    expect(received.map((e) => [e.t, e.id])).toEqual([
      ['received', first.id],
      ['received', second.id],
    ]);
    expect(received[0]).toMatchObject({
      name: 'tasks.add',
      queue: 'default',
      kwargs: { x: 1, y: 2 },
      rid: 'req-42',
    });
    // the stream carries what was queued; redaction is the history's, before it stores anything
    expect(received[1]).toMatchObject({
      name: 'tasks.process_data',
      kwargs: { data: { password: 'hunter2' } },
    });
    expect((received[1] as { eta?: number }).eta).toBeGreaterThan(received[1].at + 59_000);

    // the flaky sink failed three times, kept its cursor, then caught up: the same two events, once each
    const caughtUp = await until('the flaky sink catching up', () =>
      flaky.events.length >= 2 ? flaky.events : undefined,
    );
    expect(caughtUp.map((e) => e.sid)).toEqual(received.map((e) => e.sid));
    expect(flaky.calls).toBeGreaterThanOrEqual(4);

    // a revoke of a task that has not started is final at once, and recorded so
    await client.revoke(second.id);
    const revoked = await until('the revoked event', () => steady.events.find((e) => e.t === 'revoked'));
    expect(revoked).toMatchObject({ id: second.id, reason: expect.stringContaining('before it started') });
  });

  it('adds made in the same turn share one MULTI and one stream entry; a job BullMQ refuses fails only its caller', async () => {
    const client = app.get(TaskClient);
    const writer = app.get(JobWriter);
    const keys = ownKeys(prefix);
    const transactions = async (): Promise<number> =>
      Number(/cmdstat_multi:calls=(\d+)/.exec(await assertions.info('commandstats'))?.[1] ?? 0);
    const multiBefore = await transactions();
    const refused = toJobSpec(signature(Add, { x: 0, y: 0 }), {
      route: () => 'default',
      now: Date.now(),
      id: '123',
    });

    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, i) => client.submit(Add, { x: i, y: 100 }).then((r) => r.id)),
      writer.add([refused]).then(() => 'refused'),
      ...Array.from({ length: 10 }, (_, i) => client.submit(Add, { x: i, y: 200 }).then((r) => r.id)),
    ]);

    expect(outcomes[10]).toMatchObject({
      status: 'rejected',
      reason: { message: 'Custom Id cannot be integers' },
    });
    const queued = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    expect(queued).toHaveLength(20);
    expect(await transactions()).toBe(multiBefore + 1);
    const [[, fields]] = await assertions.xrevrange(keys.events, '+', '-', 'COUNT', 1);
    const events = JSON.parse(fields[1]) as { t: string; id: string }[];
    // all twenty in the last entry: one XADD
    expect(events.map((e) => e.id).sort()).toEqual([...queued].sort());
    for (const id of queued) expect(await assertions.exists(`${prefix}:default:${id}`)).toBe(1);
    expect(await assertions.exists(`${prefix}:default:123`)).toBe(0);
  });

  it('trims from the stream what every sink has applied', async () => {
    const keys = ownKeys(prefix);
    expect(await assertions.get(keys.recorderLease)).not.toBeNull();
    const client = app.get(TaskClient);
    const total = steady.events.length + 50;
    // one at a time: 50 stream entries
    for (let i = 0; i < 50; i++) await client.submit(Add, { x: i, y: i });
    await until(`all ${total} events applied`, () =>
      flaky.events.length >= total && steady.events.length >= total ? true : undefined,
    );
    // the recorder trims every 5 s, to the slowest sink's cursor
    const deadline = Date.now() + 12_000;
    let length = await assertions.xlen(keys.events);
    while (length >= 50 && Date.now() < deadline) {
      await sleep(250);
      length = await assertions.xlen(keys.events);
    }
    expect(length).toBeLessThan(50);
    // an event is its entry's id and its place in the entry: each applied once
    expect(new Set(steady.events.map((e) => `${e.sid}/${e.i}`)).size).toBe(steady.events.length);
  });

  it('a second process waits while the first holds the lease, and takes over when it leaves', async () => {
    const keys = ownKeys(prefix);
    const holder = await assertions.get(keys.recorderLease);
    const second = await NestFactory.createApplicationContext(EventsTestModule, { logger: ['error'] });
    try {
      await second.init();
      await sleep(2_500);
      expect(await assertions.get(keys.recorderLease)).toBe(holder);
      await app.close();
      const deadline = Date.now() + 6_000;
      let owner = await assertions.get(keys.recorderLease);
      while ((owner === null || owner === holder) && Date.now() < deadline) {
        await sleep(100);
        owner = await assertions.get(keys.recorderLease);
      }
      expect(owner).not.toBeNull();
      expect(owner).not.toBe(holder);
      const before = steady.events.length;
      const task = await second.get(TaskClient).submit(Add, { x: 5, y: 5 });
      const seen = await until('the event through the second recorder', () =>
        steady.events.slice(before).find((e) => e.id === task.id),
      );
      expect(seen.t).toBe('received');
    } finally {
      await second.close();
    }
  });

  it('a worker (standby) leaves the lease to API processes: it takes it only once none has been up for a while, and hands it back', async () => {
    const keys = ownKeys(prefix);
    // the processes of the tests above were APIs (primary): their mark outlives them by up to 15 s
    expect(await assertions.exists(keys.recorderPrimary)).toBe(1);
    const standbySink = new RecordingSink('standby-sink');
    const standby = new EventRecorder(loadTasksConfig(), assertions.duplicate(), 'standby');
    standby.register(standbySink);
    standby.onApplicationBootstrap();
    try {
      await sleep(2_000);
      // an API's mark is still there: the standby has not recorded anything
      expect(await assertions.exists(keys.recorderPrimary)).toBe(1);
      expect(standbySink.calls).toBe(0);
      const deadline = Date.now() + 25_000;
      while (standbySink.calls === 0 && Date.now() < deadline) await sleep(200);
      // no API left: the standby took over and applied what was waiting
      expect(await assertions.exists(keys.recorderPrimary)).toBe(0);
      expect(standbySink.events.length).toBeGreaterThan(0);
      const standbyOwner = await assertions.get(keys.recorderLease);
      expect(standbyOwner).not.toBeNull();

      const api = await NestFactory.createApplicationContext(EventsTestModule, { logger: ['error'] });
      try {
        await api.init();
        const handBack = Date.now() + 8_000;
        let now = await assertions.get(keys.recorderLease);
        while (now === standbyOwner && Date.now() < handBack) {
          await sleep(100);
          now = await assertions.get(keys.recorderLease);
        }
        expect(now).not.toBe(standbyOwner);
      } finally {
        await api.close();
      }
    } finally {
      await standby.onApplicationShutdown();
    }
  }, 60_000);
});
