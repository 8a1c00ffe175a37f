import { Logger } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { deserializeError, serializeError } from './serialized-error.js';
import { THREAD_BEAT_MS, type FromThread, type ToThread } from './thread-protocol.js';
import type { ExecutionCallbacks, ExecutionRequest, ExecutorStats, TaskExecutor } from './task-executor.js';

export interface ThreadPoolOptions {
  /** The compiled module whose body calls `runExecutorThread(...)`. */
  entry: URL;
  size: number;
  /** A thread is replaced (gracefully: after its running tasks end) once it has run this many tasks. */
  maxTasksPerChild: number;
  /** V8 old-generation ceiling per thread, in MiB; a thread over it ends and its tasks fail (retryable). */
  maxMemoryMb?: number;
}

interface Pending {
  request: ExecutionRequest;
  callbacks: ExecutionCallbacks;
  resolve(result: unknown): void;
  reject(error: Error): void;
  /** How many threads died under this task; a task that kills two threads fails instead of killing a third. */
  crashes: number;
  /** A stop asked for while the task waited for a thread: sent with it. */
  abortReason?: Error;
}

const BLOCKED_AFTER_MS = THREAD_BEAT_MS * 4;

class ExecutorThread {
  readonly running = new Map<string, Pending>();
  completed = 0;
  /** Tasks handed to this thread so far: it takes no more than `maxTasksPerChild`. */
  assigned = 0;
  retiring = false;
  ready = false;
  lastBeat = Date.now();
  lagMs = 0;
  heapMb = 0;
  /** Set when we end the thread on purpose, so that its exit is not taken for a crash. */
  ending = false;

  constructor(
    readonly id: number,
    readonly worker: Worker,
  ) {}

  get blocked(): boolean {
    return this.running.size > 0 && Date.now() - this.lastBeat > BLOCKED_AFTER_MS;
  }

  post(message: ToThread): void {
    this.worker.postMessage(message);
  }
}

/**
 * Celery's prefork pool, on worker threads: task code runs off the consumer's event loop, so BullMQ's lock
 * renewal never stalls; a task past its hard time limit is stopped by ending its thread (which works even on
 * code that never yields); threads are recycled after `maxTasksPerChild` tasks; a thread's other tasks are
 * re-run on another thread, never lost. Each thread runs several tasks at once (async handlers); tasks go to
 * the least busy thread that is not stuck in code that never yields.
 */
export class ThreadPoolExecutor implements TaskExecutor {
  private readonly logger = new Logger('ExecutorPool');
  private readonly threads = new Set<ExecutorThread>();
  private readonly owner = new Map<string, ExecutorThread>();
  /** Tasks waiting for a thread (none is ready yet, at start-up or after a crash), oldest first. */
  private readonly backlog: Pending[] = [];
  private handlerNames: string[] = [];
  private nextId = 1;
  private replaced = 0;
  private closing = false;

  constructor(private readonly options: ThreadPoolOptions) {}

  /**
   * Spawns the threads; resolves once every one is ready (each boots the handlers' Nest context, about a second
   * of CPU). Tasks may be handed over before: they wait for the first thread ready.
   */
  async start(): Promise<void> {
    const spawned = Array.from({ length: this.options.size }, () => this.spawn());
    await Promise.all(spawned.map((s) => s.ready));
  }

  private spawn(): { thread: ExecutorThread; ready: Promise<void> } {
    const worker = new Worker(this.options.entry, {
      resourceLimits: this.options.maxMemoryMb
        ? { maxOldGenerationSizeMb: this.options.maxMemoryMb }
        : undefined,
      stdout: false,
      stderr: false,
    });
    const thread = new ExecutorThread(this.nextId++, worker);
    this.threads.add(thread);
    const ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromThread) => {
        if (message.t === 'ready') {
          thread.ready = true;
          this.handlerNames = message.handlers;
          resolve();
          this.drainBacklog();
        } else if (message.t === 'fatal') {
          reject(new Error(`executor thread failed to start: ${message.message}`));
        } else {
          this.onMessage(thread, message);
        }
      });
      worker.on('error', (error) => {
        if (!thread.ready) reject(error);
        else this.logger.warn(`executor thread ${thread.id} error: ${error.message}`);
      });
      worker.on('exit', (code) => this.onExit(thread, code));
    });
    ready.catch(() => undefined);
    return { thread, ready };
  }

  private onMessage(thread: ExecutorThread, message: Exclude<FromThread, { t: 'ready' | 'fatal' }>): void {
    thread.lastBeat = Date.now();
    if (message.t === 'beat') {
      thread.lagMs = message.lagMs;
      thread.heapMb = message.heapMb;
      return;
    }
    const pending = thread.running.get(message.id);
    if (!pending) return;
    if (message.t === 'progress') {
      void pending.callbacks.onProgress(message.progress).catch(() => undefined);
      return;
    }
    this.release(thread, message.id);
    thread.completed++;
    if (message.t === 'done') pending.resolve(message.result);
    else pending.reject(deserializeError(message.error));
    this.endIfDrained(thread);
  }

  private release(thread: ExecutorThread, id: string): void {
    thread.running.delete(id);
    this.owner.delete(id);
  }

  /**
   * Recycling, once a thread has been handed its last task: no new work for it; a fresh one takes its place; it
   * ends once its tasks are done.
   */
  private retire(thread: ExecutorThread): void {
    if (thread.retiring || this.closing) return;
    thread.retiring = true;
    this.replaced++;
    this.spawn();
  }

  /** A thread ended before its time gets a successor, unless it was retiring and already has one. */
  private replace(thread: ExecutorThread): void {
    if (thread.retiring || this.closing) return;
    thread.retiring = true;
    this.replaced++;
    this.spawn();
  }

  private endIfDrained(thread: ExecutorThread): void {
    if (thread.retiring && thread.running.size === 0 && !thread.ending) {
      thread.ending = true;
      void thread.worker.terminate();
    }
  }

  private onExit(thread: ExecutorThread, code: number): void {
    this.threads.delete(thread);
    if (thread.ending || this.closing) {
      this.failAll(thread, new Error('executor pool closed'));
      return;
    }
    this.logger.warn(`executor thread ${thread.id} exited unexpectedly (code ${code}); replacing it`);
    const orphans = [...thread.running.values()];
    thread.running.clear();
    this.replace(thread);
    for (const pending of orphans) {
      this.owner.delete(pending.request.id);
      pending.crashes++;
      if (pending.crashes >= 2)
        pending.reject(new Error(`executor thread died twice running this task (exit ${code})`));
      else this.dispatch(pending);
    }
  }

  private failAll(thread: ExecutorThread, error: Error): void {
    for (const [id, pending] of thread.running) {
      this.owner.delete(id);
      pending.reject(error);
    }
    thread.running.clear();
  }

  private drainBacklog(): void {
    while (this.backlog.length > 0 && this.pick()) this.dispatch(this.backlog.shift()!);
  }

  private pick(): ExecutorThread | undefined {
    let best: ExecutorThread | undefined;
    let bestScore = Infinity;
    for (const thread of this.threads) {
      if (!thread.ready || thread.retiring || thread.ending) continue;
      const score = thread.running.size + (thread.blocked ? 1e6 : 0);
      if (score < bestScore) {
        best = thread;
        bestScore = score;
      }
    }
    return best;
  }

  /** Hands a task to the least busy ready thread, or keeps it in the backlog until one is ready. */
  private dispatch(pending: Pending): void {
    if (this.closing) return pending.reject(new Error('executor pool closed'));
    const thread = this.pick();
    if (!thread) {
      this.backlog.push(pending);
      return;
    }
    thread.running.set(pending.request.id, pending);
    this.owner.set(pending.request.id, thread);
    thread.assigned++;
    thread.post({ t: 'run', request: pending.request });
    if (pending.abortReason) {
      thread.post({ t: 'abort', id: pending.request.id, reason: serializeError(pending.abortReason) });
    }
    // its time limits run from here, not from the wait for a thread
    pending.callbacks.onStart();
    // a thread runs several tasks at once: count what it was given, or it would run far more than the limit
    if (thread.assigned >= this.options.maxTasksPerChild) this.retire(thread);
  }

  execute(request: ExecutionRequest, callbacks: ExecutionCallbacks): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      this.dispatch({ request, callbacks, resolve, reject, crashes: 0 });
    });
  }

  abort(id: string, reason: Error): void {
    const thread = this.owner.get(id);
    if (thread) thread.post({ t: 'abort', id, reason: serializeError(reason) });
    else {
      const waiting = this.backlog.find((pending) => pending.request.id === id);
      if (waiting) waiting.abortReason = reason;
    }
  }

  kill(id: string, reason: Error): boolean {
    const thread = this.owner.get(id);
    if (!thread) {
      const waiting = this.backlog.findIndex((pending) => pending.request.id === id);
      if (waiting < 0) return false;
      this.backlog.splice(waiting, 1)[0]?.reject(reason);
      return true;
    }
    const pending = thread.running.get(id);
    this.release(thread, id);
    pending?.reject(reason);
    thread.ending = true;
    const others = [...thread.running.values()];
    thread.running.clear();
    for (const other of others) this.owner.delete(other.request.id);
    void thread.worker.terminate();
    this.replace(thread);
    for (const other of others) this.dispatch(other);
    return true;
  }

  registered(): string[] {
    return this.handlerNames;
  }

  stats(): ExecutorStats {
    const threads = [...this.threads].map((t) => ({
      id: t.id,
      running: t.running.size,
      completed: t.completed,
      lag_ms: Math.round(t.lagMs * 10) / 10,
      heap_mb: Math.round(t.heapMb),
      blocked: t.blocked,
    }));
    return {
      kind: 'threads',
      size: threads.length,
      running: this.owner.size,
      replaced: this.replaced,
      threads,
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const pending of this.backlog.splice(0)) pending.reject(new Error('executor pool closed'));
    await Promise.all([...this.threads].map((t) => t.worker.terminate()));
  }
}
