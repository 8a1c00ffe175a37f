import { isMainThread } from 'node:worker_threads';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { REDACTED } from '../core/redact.js';
import { LineBatcher } from './line-batcher.js';
import { loadLogSettings, type LogSettings } from './log-settings.js';
import { SecretScrubber } from './secret-scrubber.js';

export type { Logger } from 'pino';

/** Field paths that never reach a line, whoever logs them (values replaced, keys kept). */
const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'password',
  'api_key',
  'token',
  'secret',
  'kwargs.password',
  'kwargs.api_key',
];

export interface LoggerOptions {
  /** Fields on every line of this process (e.g. `worker`). */
  bindings?: Record<string, unknown>;
  /**
   * Write each line before returning. Off (the default) on the main thread: lines are buffered and written
   * by the event loop, and flushed when the process exits. Executor threads write synchronously: they log
   * little, and a thread that is ended would lose its buffer.
   */
  sync?: boolean;
  /** Fields computed for each line (e.g. the request id of the call being served). */
  mixin?: () => object;
  env?: NodeJS.ProcessEnv;
}

/**
 * Where lines go: the secret scrubber, then (pretty) the human format, then (async) the batcher, then stdout
 * or the log file through one sonic-boom stream. pino's own exit hook flushes that stream when the process
 * exits.
 */
function destination(settings: LogSettings, options: LoggerOptions): DestinationStream {
  const sync = options.sync ?? !isMainThread;
  const out = pino.destination({ dest: settings.file ?? 1, sync, mkdir: true, append: true });
  const scrubber = new SecretScrubber(options.env);
  const prettify =
    settings.format === 'pretty'
      ? pretty.prettyFactory({
          // colorette's answer: a terminal, or FORCE_COLOR; never with NO_COLOR
          colorize: !settings.file && pretty.isColorSupported,
          translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
          ignore: 'pid,hostname,context',
          messageFormat: '{if context}[{context}] {end}{msg}',
        })
      : undefined;
  const sink = sync ? out : new LineBatcher(out);
  if (scrubber.empty && !prettify) return sink;
  return {
    write(line: string): void {
      const clean = scrubber.empty ? line : scrubber.scrub(line);
      sink.write(prettify ? prettify(clean) : clean);
    },
    // pino calls these on `logger.flush()`
    flush: (cb?: (error?: Error) => void) => sink.flush(cb),
    flushSync: () => sink.flushSync(),
  } as DestinationStream;
}

/** `err`: an Error as {type, message, stack, …}; an object already in that shape (TaskLog's) as it is. */
export function errSerializer(error: unknown): unknown {
  return error instanceof Error ? pino.stdSerializers.err(error) : error;
}

export function createLogger(settings: LogSettings, options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: settings.level,
      base: { pid: process.pid, ...options.bindings },
      timestamp: isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      ...(options.mixin ? { mixin: options.mixin } : {}),
      serializers: { err: errSerializer },
    },
    destination(settings, options),
  );
}

let lastMs = 0;
let lastTime = '';

/**
 * pino's `timestamp`: ISO time, made once per millisecond (`toISOString` costs about a microsecond, and a
 * busy worker writes many lines within one).
 */
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

let root: Logger | undefined;

/** Makes the process's logger from these settings; every later `rootLogger()` returns it. */
export function configureLogging(settings: LogSettings, options: LoggerOptions = {}): Logger {
  root = createLogger(settings, options);
  return root;
}

/** The process's logger: the one `configureLogging` made, else one from the environment (tests, scripts). */
export function rootLogger(): Logger {
  if (!root) {
    let settings: LogSettings;
    try {
      settings = loadLogSettings();
    } catch {
      settings = { level: 'info', format: 'json' };
    }
    root = createLogger(settings);
  }
  return root;
}

/** Writes what is buffered (before a planned exit; an exit flushes too). */
export function flushLogs(): Promise<void> {
  const logger = root;
  if (!logger) return Promise.resolve();
  return new Promise((resolve) => logger.flush(() => resolve()));
}
