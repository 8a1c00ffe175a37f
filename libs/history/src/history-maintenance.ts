import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Lease, PRODUCER_REDIS, TASKS_CONFIG, type TasksConfig } from '@app/tasks';
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HistoryConfig } from './history.config.js';
import { HistoryReconciler } from './history-reconciler.js';
import type { HistoryStore } from './store/history-store.js';
import { HISTORY_CONFIG, HISTORY_STORE } from './tokens.js';

/** How often the lease holder reconciles and prunes. */
const ROUND_MS = 5_000;
/** The lease outlives a few missed rounds. */
const LEASE_MS = 20_000;
/** Rows deleted per transaction when pruning: short transactions, no long lock. */
export const PRUNE_BATCH = 5_000;
/** Pause between two pruning transactions, so that the sink's writes interleave. */
const PRUNE_PAUSE_MS = 20;
const DAY_MS = 86_400_000;

/**
 * The history's housekeeping, in one process at a time (a lease of its own, `<prefix>:_history_maintenance`,
 * taken by any API or worker process): the reconciler's rounds, and pruning rows (with their search text and
 * stats) older than HISTORY_RETENTION_DAYS, a batch per transaction.
 */
@Injectable()
export class HistoryMaintenance implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HistoryMaintenance');
  private readonly lease: Lease;
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    @Inject(HISTORY_STORE) private readonly store: HistoryStore,
    private readonly reconciler: HistoryReconciler,
    @Inject(PRODUCER_REDIS) redis: Redis,
    @Inject(TASKS_CONFIG) private readonly tasks: TasksConfig,
    @Inject(HISTORY_CONFIG) private readonly config: HistoryConfig,
  ) {
    this.lease = new Lease(redis, `${tasks.prefix}:_history_maintenance`, LEASE_MS);
  }

  onApplicationBootstrap(): void {
    if (!this.tasks.events.history) return;
    this.running = this.loop();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.running;
    await this.lease.release();
  }

  private async loop(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        if (await this.lease.hold()) {
          await this.reconciler.round();
          await this.prune(Date.now() - this.config.retentionDays * DAY_MS);
        }
      } catch (error) {
        this.logger.warn(`history maintenance: ${String(error)}`);
      }
      await sleep(ROUND_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Deletes every row received before `cutoff`, a batch per transaction; returns how many. */
  async prune(cutoff: number): Promise<number> {
    let total = 0;
    while (!this.stopping.signal.aborted) {
      const deleted = await this.store.prune(cutoff, PRUNE_BATCH);
      total += deleted;
      if (deleted < PRUNE_BATCH) break;
      await sleep(PRUNE_PAUSE_MS);
    }
    if (total > 0)
      this.logger.log(`pruned ${total} history row(s) older than ${this.config.retentionDays} day(s)`);
    return total;
  }
}
