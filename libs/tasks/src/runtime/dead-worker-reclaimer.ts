import { Logger } from '@nestjs/common';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { ownKeys } from '../core/keys.js';
import { HEARTBEAT_INTERVAL_S, HEARTBEAT_TTL_S } from '../core/worker-info.js';
import { FIND_DEAD, RECLAIM } from './recovery-scripts.js';

/** How often a live worker looks for dead ones. */
const SWEEP_MS = (HEARTBEAT_INTERVAL_S * 1000) / 2;

/**
 * A worker's own connection must have been up this long before it may take others for dead: after Redis was
 * away, every live worker needs a moment to reconnect and beat again, or all would look dead at once.
 */
const SETTLE_MS = HEARTBEAT_TTL_S * 1000;

/** A dead worker is forgotten this long after its last beat; by then BullMQ's own lock expiry has caught up too. */
const FORGET_MS = 10 * 60 * 1000;

/**
 * Crash recovery in seconds: a worker whose heartbeat has been silent for `deadAfter` seconds is dead, and any
 * live worker consuming the same queues hands that worker's running tasks back to their queues at once, instead
 * of waiting for BullMQ's locks to lapse and two stalled-check rounds to pass (30–100 s with the defaults).
 *
 * A task is identified as the dead worker's by its lock token (`<bullmq worker id>:<n>`), not by the last
 * heartbeat's task list, which may miss a task fetched after it. A worker taken for dead that was only stopped
 * (SIGSTOP, a long pause) finds its locks gone when it resumes: BullMQ then refuses to record its outcome, and
 * the task keeps the one result of the worker that took it over.
 */
export class DeadWorkerReclaimer {
  private readonly logger = new Logger('CrashRecovery');
  private readonly keys: ReturnType<typeof ownKeys>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private connectedSince: number | undefined;
  /** `<dead worker>|<queue>` pairs already handled: a dead worker takes no new tasks. */
  private readonly handled = new Set<string>();

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly selfId: string,
    /** This process's BullMQ worker for each queue it consumes. */
    private readonly consumers: ReadonlyMap<string, Worker>,
    private readonly deadAfterMs: number,
  ) {
    this.keys = ownKeys(prefix);
  }

  start(): void {
    if (this.redis.status === 'ready') this.connectedSince = Date.now();
    this.redis.on('ready', this.onReady);
    this.redis.on('close', this.onClose);
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .catch((error: unknown) => this.logger.warn(`looking for dead workers: ${String(error)}`))
        .finally(() => (this.running = undefined));
    }, SWEEP_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.redis.off('ready', this.onReady);
    this.redis.off('close', this.onClose);
    await this.running;
  }

  private readonly onReady = (): void => {
    this.connectedSince = Date.now();
  };

  private readonly onClose = (): void => {
    this.connectedSince = undefined;
  };

  /** One look for dead workers; returns the ids of the tasks handed back to their queues. */
  async sweep(): Promise<string[]> {
    if (this.connectedSince === undefined || Date.now() - this.connectedSince < SETTLE_MS) return [];
    const flat = (await FIND_DEAD.run(
      this.redis,
      [this.keys.workers, this.keys.lockOwners],
      [this.deadAfterMs, FORGET_MS, this.selfId],
    )) as string[];
    const dead = new Map<string, string[]>();
    for (let i = 0; i + 1 < flat.length; i += 2) dead.set(flat[i], JSON.parse(flat[i + 1]) as string[]);
    for (const pair of this.handled)
      if (!dead.has(pair.slice(0, pair.lastIndexOf('|')))) this.handled.delete(pair);

    const reclaimed: string[] = [];
    for (const [workerId, owners] of dead) {
      for (const [queue, consumer] of this.consumers) {
        const pair = `${workerId}|${queue}`;
        if (this.handled.has(pair)) continue;
        const ids = (await RECLAIM.run(
          this.redis,
          [consumer.keys.active, consumer.keys.stalled, consumer.keys['stalled-check']],
          [consumer.toKey(''), ...owners.map((owner) => `${owner}:`)],
        )) as string[];
        this.handled.add(pair);
        if (ids.length === 0) continue;
        this.logger.warn(
          `worker ${workerId} is silent for over ${this.deadAfterMs / 1000} s: ${ids.length} task(s) of ` +
            `queue ${queue} handed back (${ids.join(', ')})`,
        );
        // BullMQ's stalled check moves them back to wait now (it runs at once when restarted)
        await consumer.startStalledCheckTimer();
        reclaimed.push(...ids);
      }
    }
    return reclaimed;
  }
}
