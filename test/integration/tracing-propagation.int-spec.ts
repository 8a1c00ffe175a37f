import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Add, activeTracer, Fail, startTracing, stopTracing, TaskClient, TaskFailedError } from '@app/tasks';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { workerOptions } from '../../apps/worker/src/cli/worker.command.js';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { TestRedis } from '../utils/redis-server.js';

async function spansOf(
  exporter: InMemorySpanExporter,
  traceId: string,
  count: number,
): Promise<ReadableSpan[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    if (spans.length >= count || Date.now() > deadline) return spans;
    await sleep(25);
  }
}

const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

/**
 * The trace's path through the queue, in one process (the worker's module with an inline pool, a real Redis):
 * the producer's `send` span injects its context into the job (`tp`), the worker's `process` span continues it;
 * with tracing off nothing is injected.
 */
describe('tracing: context through the job, in-memory exporter', () => {
  const exporter = new InMemorySpanExporter();
  const dir = mkdtempSync(join(tmpdir(), 'codehubot-tracing-'));
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  let redis: TestRedis;
  let app: INestApplicationContext;
  let client: TaskClient;
  let reader: Redis;

  beforeAll(async () => {
    redis = await TestRedis.start();
    Object.assign(process.env, {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
      MAIL_OUTBOX_DIR: join(dir, 'outbox'),
      LOG_LEVEL: 'warn',
    });
    startTracing('codehubot-test', new SimpleSpanProcessor(exporter));
    const moduleRef = await Test.createTestingModule({
      imports: [
        WorkerModule.forRoot({ ...workerOptions({ pool: 'inline', concurrency: 4 }), name: 'trace-test' }),
      ],
    }).compile();
    app = await moduleRef.init();
    client = app.get(TaskClient);
    reader = new Redis(redis.url);
  }, 60_000);

  afterAll(async () => {
    await stopTracing();
    reader?.disconnect();
    await app?.close();
    await redis?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('continues the caller’s trace: request span → send → process, attributes set', async () => {
    const tracer = trace.getTracer('test');
    const request = tracer.startSpan('POST /tasks/:name', { kind: SpanKind.SERVER });
    const handle = await context.with(trace.setSpan(context.active(), request), () =>
      client.submit(Add, { x: 2, y: 3 }),
    );
    request.end();
    expect(await handle.get(20)).toBe(5);

    const traceId = request.spanContext().traceId;
    const data = JSON.parse((await reader.hget(`${prefix}:default:${handle.id}`, 'data')) ?? '{}') as {
      tp?: Record<string, string>;
    };
    expect(data.tp?.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    const spans = await spansOf(exporter, traceId, 3);
    const send = spans.find((s) => s.kind === SpanKind.PRODUCER);
    const run = spans.find((s) => s.kind === SpanKind.CONSUMER);
    expect(send).toMatchObject({ name: 'send tasks.add' });
    expect(parentOf(send!)).toBe(request.spanContext().spanId);
    expect(data.tp?.traceparent).toContain(send!.spanContext().spanId);
    expect(run).toMatchObject({ name: 'process tasks.add', status: { code: SpanStatusCode.UNSET } });
    expect(parentOf(run!)).toBe(send!.spanContext().spanId);
    expect(run!.attributes).toMatchObject({
      'messaging.system': 'bullmq',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'default',
      'messaging.message.id': handle.id,
      'codehubot.task.name': 'tasks.add',
    });
    expect(send!.attributes).toMatchObject({
      'messaging.system': 'bullmq',
      'messaging.message.id': handle.id,
    });
    expect(run!.resource.attributes['service.name']).toBe('codehubot-test');
  });

  it('marks the run span failed with the task’s error', async () => {
    const handle = await client.submit(Fail, { message: 'traced failure' });
    await expect(handle.get(20)).rejects.toBeInstanceOf(TaskFailedError);
    const deadline = Date.now() + 20_000;
    let run: ReadableSpan | undefined;
    while (!run && Date.now() < deadline) {
      run = exporter
        .getFinishedSpans()
        .find((s) => s.attributes['messaging.message.id'] === handle.id && s.kind === SpanKind.CONSUMER);
      await sleep(25);
    }
    expect(run?.status).toMatchObject({
      code: SpanStatusCode.ERROR,
      message: expect.stringMatching(/traced failure/),
    });
    expect(run?.events.map((e) => e.name)).toContain('exception');
    // a submit with no active span starts a trace of its own
    expect(parentOf(run!)).toBeDefined();
  });

  it('with tracing off: no tracer, nothing injected into the job, no span', async () => {
    await stopTracing();
    expect(activeTracer()).toBeUndefined();
    exporter.reset();
    const handle = await client.submit(Add, { x: 1, y: 1 });
    expect(await handle.get(20)).toBe(2);
    const data = JSON.parse((await reader.hget(`${prefix}:default:${handle.id}`, 'data')) ?? '{}') as object;
    expect(data).not.toHaveProperty('tp');
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
