import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { ownKeys } from '../core/keys.js';
import { HEARTBEAT_INTERVAL_S, HEARTBEAT_TTL_S, type WorkerInfo } from '../core/worker-info.js';
import { LoopLag } from './loop-lag.js';

/** Publishes one worker's heartbeat every few seconds; removes it on a clean stop. */
export class WorkerHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private lag: LoopLag | undefined;
  private lastLag = 0;
  private readonly keys: ReturnType<typeof ownKeys>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly id: string,
    private readonly snapshot: () => Omit<
      WorkerInfo,
      'host' | 'pid' | 'uptime_s' | 'memory_rss_mb' | 'loop_lag_ms' | 'last_heartbeat'
    >,
  ) {
    this.keys = ownKeys(prefix);
  }

  start(): void {
    this.lag = new LoopLag();
    void this.beat();
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_S * 1000);
    this.timer.unref();
  }

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
    const info = this.info();
    try {
      await this.redis
        .multi()
        .set(this.keys.worker(this.id), JSON.stringify(info), 'EX', HEARTBEAT_TTL_S)
        .zadd(this.keys.workers, Date.now(), this.id)
        .exec();
    } catch {
      // Redis away: the worker reconnects by itself and the next beat goes through
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.lag?.stop();
    await this.redis
      .multi()
      .del(this.keys.worker(this.id))
      .zrem(this.keys.workers, this.id)
      .exec()
      .catch(() => undefined);
  }
}
