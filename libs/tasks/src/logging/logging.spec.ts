import { describe, expect, it } from '@jest/globals';
import type { Job } from 'bullmq';
import pino from 'pino';
import type { TaskEnvelope } from '../core/envelope.js';
import { LineBatcher } from './line-batcher.js';
import { PinoNestLogger } from './nest-logger.js';
import { errSerializer } from './root-logger.js';
import { preview } from './preview.js';
import { SecretScrubber } from './secret-scrubber.js';
import { TaskLog } from './task-log.js';
import { redactUrl } from './url.js';

/** A pino logger writing JSON lines into an array. */
function capture(level = 'info'): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    {
      level,
      base: {},
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: errSerializer },
    },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

const job = (over: Partial<Job<TaskEnvelope>> = {}): Job<TaskEnvelope> =>
  ({
    id: 't-1',
    name: 'tasks.add',
    queueName: 'default',
    attemptsMade: 0,
    data: { kwargs: { x: 1 }, rid: 'abc-123' },
    ...over,
  }) as Job<TaskEnvelope>;

describe('SecretScrubber', () => {
  it('replaces secret settings and URL passwords, as written and JSON-escaped', () => {
    const scrubber = new SecretScrubber({
      API_KEYS: 'key-one-123, key-two-456',
      SMTP_URL: 'smtp://user:smtp-pw-1@mail:25',
      REDIS_URL: 'redis://:r%40dis-pw@host:6379',
      EMBEDDING_API_KEY: 'quo"te-key',
      PORT: '3000',
      SHORT_TOKEN: 'abc',
    });
    expect(scrubber.scrub('keys key-one-123 and key-two-456, smtp-pw-1, r@dis-pw, r%40dis-pw')).toBe(
      'keys *** and ***, ***, ***, ***',
    );
    expect(scrubber.scrub(JSON.stringify({ msg: 'quo"te-key' }))).toBe('{"msg":"***"}');
    expect(scrubber.scrub('port 3000, abc')).toBe('port 3000, abc');
    expect(new SecretScrubber({ PORT: '1' }).empty).toBe(true);
  });
});

describe('redactUrl and preview', () => {
  it('masks secret query values only', () => {
    expect(redactUrl('/tasks/x')).toBe('/tasks/x');
    expect(redactUrl('/x?api_key=s3&limit=5&token=t')).toBe('/x?api_key=***&limit=5&token=***');
    expect(redactUrl('/x?q=1')).toBe('/x?q=1');
  });

  it('shows results as JSON, redacted and capped', () => {
    expect(preview(8)).toBe('8');
    expect(preview(undefined)).toBe('undefined');
    expect(preview({ ok: true, password: 'p' })).toBe('{"ok":true,"password":"***"}');
    const long = preview('x'.repeat(1000));
    expect(long).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('TaskLog', () => {
  it('writes Celery-style lines with the task fields', () => {
    const { logger, lines } = capture('debug');
    const log = new TaskLog(logger);
    log.received(job());
    log.started(job(), 1);
    log.succeeded(job(), 3, 8);
    log.retrying(job({ attemptsMade: 1 }), new Error('smtp://u:pw-secret@h down'), 1500);
    const failure = new TypeError('boom');
    log.failed(job(), failure, 4);
    log.revoked(job(), 'REVOKED: terminated');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['info', 'Task tasks.add[t-1] received'],
      ['debug', 'Task tasks.add[t-1] started'],
      ['info', 'Task tasks.add[t-1] succeeded in 3 ms: 8'],
      ['warn', 'Task tasks.add[t-1] retry in 1.5 s: Error: smtp://u:***@h down'],
      ['error', 'Task tasks.add[t-1] failed: TypeError: boom'],
      ['info', 'Task tasks.add[t-1] revoked: terminated'],
    ]);
    for (const line of lines) {
      expect(line).toMatchObject({
        task_id: 't-1',
        task_name: 'tasks.add',
        queue: 'default',
        request_id: 'abc-123',
      });
    }
    expect(lines[4].err).toEqual({ type: 'TypeError', message: 'boom', stack: failure.stack });
  });

  it('writes nothing below its level', () => {
    const { logger, lines } = capture('warn');
    const log = new TaskLog(logger);
    log.received(job());
    log.started(job(), 1);
    log.succeeded(job(), 3, 8);
    log.revoked(job(), 'revoked');
    expect(lines).toEqual([]);
  });
});

describe('PinoNestLogger', () => {
  it('maps Nest levels and contexts, and keeps framework chatter at debug', () => {
    const { logger, lines } = capture('trace');
    const nest = new PinoNestLogger(logger);
    nest.log('listening', 'Api');
    nest.log('module loaded', 'InstanceLoader');
    nest.warn('careful', 'Api');
    nest.error('failed', 'Error: failed\n    at x (y.js:1:1)', 'ApiError');
    nest.verbose('details', 'Api');
    nest.log({ some: 'fields' }, 'Api');
    expect(lines.map((l) => [l.level, l.context, l.msg])).toEqual([
      ['info', 'Api', 'listening'],
      ['debug', 'InstanceLoader', 'module loaded'],
      ['warn', 'Api', 'careful'],
      ['error', 'ApiError', 'failed'],
      ['trace', 'Api', 'details'],
      ['info', 'Api', undefined],
    ]);
    expect(lines[3].err).toMatchObject({ stack: expect.stringContaining('at x (y.js') });
    expect(lines[5]).toMatchObject({ some: 'fields' });
  });
});

describe('LineBatcher', () => {
  const recording = (): { writes: string[]; batcher: LineBatcher } => {
    const writes: string[] = [];
    const batcher = new LineBatcher({
      write: (data) => writes.push(data) > 0,
      flush: (cb) => cb?.(),
      flushSync: () => undefined,
    });
    return { writes, batcher };
  };

  it('hands the lines of a short span to the sink as one write, in order', async () => {
    const { writes, batcher } = recording();
    batcher.write('a\n');
    await new Promise((resolve) => setImmediate(resolve));
    batcher.write('b\n');
    expect(writes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(writes).toEqual(['a\nb\n']);
    batcher.write('c\n');
    batcher.flushSync();
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('hands over at once when the batch is large', () => {
    const { writes, batcher } = recording();
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 64; i++) batcher.write(line);
    expect(writes).toEqual([line.repeat(64)]);
    batcher.flushSync();
    expect(writes).toHaveLength(1);
  });
});
