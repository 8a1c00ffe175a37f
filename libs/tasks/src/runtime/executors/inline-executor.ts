import { Injectable } from '@nestjs/common';
import { HandlerRegistry } from '../handler-registry.js';
import { invokeHandler } from './invoke-handler.js';
import { LazyAbort } from './lazy-abort.js';
import type { ExecutionCallbacks, ExecutionRequest, ExecutorStats, TaskExecutor } from './task-executor.js';

/**
 * Runs handlers on the consumer's own event loop (`--pool inline`, Celery's `solo`/`gevent` spirit): the least
 * overhead, but a task that never yields stalls the worker and cannot be killed, only abandoned.
 */
@Injectable()
export class InlineExecutor implements TaskExecutor {
  private readonly running = new Map<string, LazyAbort>();

  constructor(private readonly handlers: HandlerRegistry) {}

  async start(): Promise<void> {}

  execute(request: ExecutionRequest, callbacks: ExecutionCallbacks): Promise<unknown> {
    const abort = new LazyAbort();
    this.running.set(request.id, abort);
    const forget = (): void => {
      if (this.running.get(request.id) === abort) this.running.delete(request.id);
    };
    const done = invokeHandler(this.handlers, request, abort, callbacks.onProgress);
    done.then(forget, forget);
    return done;
  }

  abort(id: string, reason: Error): void {
    this.running.get(id)?.abort(reason);
  }

  kill(): boolean {
    return false;
  }

  registered(): string[] {
    return this.handlers.names();
  }

  stats(): ExecutorStats {
    return { kind: 'inline', size: 0, running: this.running.size, replaced: 0, threads: [] };
  }

  async close(): Promise<void> {}
}
