import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { ownKeys } from '../core/keys.js';
import { HEARTBEAT_INTERVAL_S, HEARTBEAT_TTL_S, type WorkerInfo } from '../core/worker-info.js';
import { LoopLag } from './loop-lag.js';
import { BEAT } from './recovery-scripts.js';

/** What the worker itself says in its heartbeat; the rest is measured here. */
export type WorkerSnapshot = Omit<
  WorkerInfo,
  'host' | 'pid' | 'uptime_s' | 'memory_rss_mb' | 'loop_lag_ms' | 'last_heartbeat'
>;

/**
 * Publishes one worker's heartbeat every few seconds, from its first moment of consuming, and at once after
 * Redis comes back; with it, the ids of the BullMQ workers whose locks it holds, by which live workers find and
 * hand back its tasks should it die (`DeadWorkerReclaimer`). Removes it on a clean stop.
 */
export class WorkerHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private lag: LoopLag | undefined;
  private lastLag = 0;
  private readonly keys: ReturnType<typeof ownKeys>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly id: string,
    private readonly snapshot: () => WorkerSnapshot,
    private readonly lockOwners: () => readonly string[],
  ) {
    this.keys = ownKeys(prefix);
  }

  start(): void {
    this.lag = new LoopLag();
    void this.beat();
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_S * 1000);
    this.timer.unref();
    this.redis.on('ready', this.onReady);
  }

  private readonly onReady = (): void => void this.beat();

  info(): WorkerInfo {
    const base = this.snapshot();
    return {
      ...base,
      host: hostname(),
      pid: process.pid,
      uptime_s: Math.round((Date.now() - Date.parse(base.started_at)) / 1000),
      memory_rss_mb: Math.round(process.memoryUsage.rss() / 2 ** 20),
      loop_lag_ms: this.lastLag,
      last_heartbeat: new Date().toISOString(),
    };
  }

  private async beat(): Promise<void> {
    this.lastLag = this.lag?.take() ?? 0;
    try {
      await this.publish(JSON.stringify(this.info()), 0);
    } catch {
      // Redis away: the worker reconnects by itself and beats again as soon as it is back
    }
  }

  private publish(info: string, scoreOffsetMs: number): Promise<unknown> {
    return BEAT.run(
      this.redis,
      [this.keys.worker(this.id), this.keys.workers, this.keys.lockOwners],
      [this.id, info, HEARTBEAT_TTL_S, JSON.stringify(this.lockOwners()), scoreOffsetMs],
    );
  }

  /**
   * Stops beating. A worker that leaves tasks behind (its warm shutdown ran out of grace) is marked dead at
   * once, `deadAfterMs` in the past, so that live workers hand its tasks back now; otherwise it is removed.
   */
  async stop(leftTasks = false, deadAfterMs = 0): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.redis.off('ready', this.onReady);
    this.lag?.stop();
    const done = leftTasks
      ? this.publish('', -deadAfterMs - 1)
      : this.redis
          .multi()
          .del(this.keys.worker(this.id))
          .zrem(this.keys.workers, this.id)
          .hdel(this.keys.lockOwners, this.id)
          .exec();
    await done.catch(() => undefined);
  }
}
