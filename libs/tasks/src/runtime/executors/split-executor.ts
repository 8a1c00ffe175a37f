import type { TaskCatalogue } from '../../core/task-catalogue.js';
import type { ExecutionCallbacks, ExecutionRequest, ExecutorStats, TaskExecutor } from './task-executor.js';

/**
 * The default pool: each task runs where its definition asks (`isolation`), in the thread pool or on the
 * consumer's event loop. Stopping a task goes to both sides; each ignores ids it does not run.
 */
export class SplitExecutor implements TaskExecutor {
  constructor(
    private readonly catalogue: TaskCatalogue,
    private readonly threads: TaskExecutor,
    private readonly inline: TaskExecutor,
  ) {}

  async start(): Promise<void> {
    await Promise.all([this.threads.start(), this.inline.start()]);
  }

  execute(request: ExecutionRequest, callbacks: ExecutionCallbacks): Promise<unknown> {
    const side = this.catalogue.find(request.name)?.isolation === 'none' ? this.inline : this.threads;
    return side.execute(request, callbacks);
  }

  abort(id: string, reason: Error): void {
    this.inline.abort(id, reason);
    this.threads.abort(id, reason);
  }

  kill(id: string, reason: Error): boolean {
    return this.threads.kill(id, reason) || this.inline.kill(id, reason);
  }

  /** The consumer loads every handler too (it refuses to start without one per task), and knows them first. */
  registered(): string[] {
    return this.inline.registered();
  }

  stats(): ExecutorStats {
    const threads = this.threads.stats();
    return { ...threads, running: threads.running + this.inline.stats().running };
  }

  async close(): Promise<void> {
    await Promise.all([this.threads.close(), this.inline.close()]);
  }
}
