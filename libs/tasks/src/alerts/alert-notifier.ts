import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TasksConfig } from '../config/tasks.config.js';
import { ownKeys } from '../core/keys.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import { AlertLease } from './alert-lease.js';
import { ALERTS_CONFIG, type AlertsConfig } from './alerts.config.js';

/** Attempts per notice before it is dropped (logged): about three minutes of a webhook away. */
const MAX_ATTEMPTS = 8;
/** Back-off after a failed attempt: 1 s, doubling up to 30 s. */
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;
/** One attempt's limit, connection and answer included. */
const TIMEOUT_MS = 5_000;
/** Pause when nothing waits, or while another process holds the lease. */
const IDLE_MS = 500;

/** The delay before attempt `attempt + 1` after `attempt` failed ones. */
export const retryDelayMs = (attempt: number): number =>
  Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.max(0, attempt - 1));

/**
 * Delivers the alert notices queued in Redis (`<prefix>:_alert_outbox`, oldest first) to ALERT_WEBHOOK_URL:
 * a POST of the notice as JSON, retried with back-off on an error answer, a timeout or a refused connection.
 * Runs in the alert lease's holder, on its own loop: a webhook that hangs delays notices, never a task or the
 * events recorder. A notice leaves the outbox once delivered (or given up), so one delivered twice (the holder
 * died between the answer and the removal) carries the same `id`.
 */
@Injectable()
export class AlertNotifier implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Alerts');
  private readonly keys: ReturnType<typeof ownKeys>;
  private readonly stopping = new AbortController();

  constructor(
    @Inject(TASKS_CONFIG) config: TasksConfig,
    @Inject(ALERTS_CONFIG) private readonly alerts: AlertsConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    private readonly lease: AlertLease,
  ) {
    this.keys = ownKeys(config.prefix);
  }

  onApplicationBootstrap(): void {
    if (this.alerts.webhookUrl) void this.loop(this.alerts.webhookUrl);
  }

  /** Ends the loop, and aborts a delivery in flight (the notice stays in the outbox for the next holder). */
  onApplicationShutdown(): void {
    this.stopping.abort();
  }

  private async loop(url: string): Promise<void> {
    const signal = this.stopping.signal;
    let attempts = 0;
    let current: string | undefined;
    while (!signal.aborted) {
      let wait = IDLE_MS;
      try {
        const raw = this.lease.held ? await this.redis.lindex(this.keys.alertOutbox, -1) : null;
        if (raw !== null) {
          if (raw !== current) [current, attempts] = [raw, 0];
          attempts++;
          const problem = await this.post(url, raw, signal);
          if (problem === undefined || attempts >= MAX_ATTEMPTS) {
            if (problem !== undefined) {
              this.logger.warn(`alert notice dropped after ${attempts} attempts (${problem}): ${raw}`);
            }
            await this.redis.lrem(this.keys.alertOutbox, -1, raw);
            wait = 0;
          } else {
            wait = retryDelayMs(attempts);
            this.logger.warn(`alert webhook: ${problem}; attempt ${attempts + 1} in ${wait} ms`);
          }
        }
      } catch (error) {
        this.logger.warn(`alert notices: ${String(error)}`);
      }
      if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
    }
  }

  /** One attempt; undefined when delivered (a 2xx answer), else what went wrong. */
  private async post(url: string, body: string, stopping: AbortSignal): Promise<string | undefined> {
    try {
      const answer = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.any([stopping, AbortSignal.timeout(TIMEOUT_MS)]),
      });
      await answer.body?.cancel();
      return answer.ok ? undefined : `answered ${answer.status}`;
    } catch (error) {
      return error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    }
  }
}
