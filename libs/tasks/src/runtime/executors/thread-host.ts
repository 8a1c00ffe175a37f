import type { DynamicModule, INestApplicationContext, LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parentPort } from 'node:worker_threads';
import { HandlerRegistry } from '../handler-registry.js';
import { LoopLag } from '../loop-lag.js';
import { invokeHandler } from './invoke-handler.js';
import { LazyAbort } from './lazy-abort.js';
import { deserializeError, serializeError } from './serialized-error.js';
import { THREAD_BEAT_MS, type FromThread, type ToThread } from './thread-protocol.js';

/**
 * The body of an executor thread: boots the handlers' Nest context once, then runs the tasks it is sent,
 * several at a time, each with its own AbortSignal, reporting progress and outcome, and a heartbeat. Its Nest
 * logs go to `logger` (errors and warnings to the console without one).
 */
export async function runExecutorThread(module: Type | DynamicModule, logger?: LoggerService): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('runExecutorThread must run inside a worker thread');
  const send = (message: FromThread): void => port.postMessage(message);
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(module, { logger: logger ?? ['error', 'warn'] });
  } catch (error) {
    send({ t: 'fatal', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const handlers = app.get(HandlerRegistry);
  const running = new Map<string, LazyAbort>();

  port.on('message', (message: ToThread) => {
    if (message.t === 'abort') {
      running.get(message.id)?.abort(deserializeError(message.reason));
      return;
    }
    const { request } = message;
    const abort = new LazyAbort();
    running.set(request.id, abort);
    invokeHandler(handlers, request, abort, (progress) => {
      send({ t: 'progress', id: request.id, progress });
      return Promise.resolve();
    })
      .then(
        (result) => send({ t: 'done', id: request.id, result }),
        (error: unknown) => send({ t: 'failed', id: request.id, error: serializeError(error) }),
      )
      .finally(() => running.delete(request.id));
  });

  const lag = new LoopLag();
  setInterval(() => {
    send({ t: 'beat', lagMs: lag.take(), heapMb: process.memoryUsage().heapUsed / 2 ** 20 });
  }, THREAD_BEAT_MS).unref();
  send({ t: 'ready', handlers: handlers.names() });
}
