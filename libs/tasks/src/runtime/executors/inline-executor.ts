import { Injectable } from '@nestjs/common';
import { HandlerRegistry } from '../handler-registry.js';
import { invokeHandler } from './invoke-handler.js';
import type { ExecutionCallbacks, ExecutionRequest, ExecutorStats, TaskExecutor } from './task-executor.js';

/**
 * Runs handlers on the consumer's own event loop (`--pool inline`, Celery's `solo`/`gevent` spirit): the least
 * overhead, but a task that never yields stalls the worker and cannot be killed, only abandoned.
 */
@Injectable()
export class InlineExecutor implements TaskExecutor {
  private running = 0;

  constructor(private readonly handlers: HandlerRegistry) {}

  async start(): Promise<void> {}

  execute(request: ExecutionRequest, callbacks: ExecutionCallbacks): Promise<unknown> {
    this.running++;
    callbacks.onStart();
    const done = invokeHandler(this.handlers, request, callbacks.abort, callbacks.onProgress);
    const settled = (): void => {
      this.running--;
    };
    done.then(settled, settled);
    return done;
  }

  /** Nothing to forward: the task watches `callbacks.abort`, which the runner fires itself. */
  abort(): void {}

  kill(): boolean {
    return false;
  }

  registered(): string[] {
    return this.handlers.names();
  }

  stats(): ExecutorStats {
    return { kind: 'inline', size: 0, running: this.running, replaced: 0, threads: [] };
  }

  async close(): Promise<void> {}
}
