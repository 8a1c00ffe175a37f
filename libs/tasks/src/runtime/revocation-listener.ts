import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import { ownKeys } from '../core/keys.js';
import { REVOKE_MARK_TTL_MS, type RevokeMessage } from '../core/revocations.js';
import { createRedis } from '../redis/redis-connection.js';
import { TASKS_CONFIG } from '../tokens.js';

/**
 * A worker's copy of the revoked set, as Celery keeps one: loaded at start and after every reconnect, kept
 * current from the control channel, so checking a job costs no Redis call. Terminate requests are passed on.
 */
@Injectable()
export class RevocationListener implements OnApplicationShutdown {
  private readonly logger = new Logger(RevocationListener.name);
  private readonly revoked = new Map<string, number>();
  private readonly keys: ReturnType<typeof ownKeys>;
  private subscriber: Redis | undefined;
  private reader: Redis | undefined;

  constructor(@Inject(TASKS_CONFIG) private readonly config: TasksConfig) {
    this.keys = ownKeys(config.prefix);
  }

  /** Subscribes first, then loads, so that no revoke falls between the two. */
  async start(onTerminate: (id: string) => void): Promise<void> {
    this.reader = createRedis(this.config.redisUrl, 'consumer', 'codehubot:revocations');
    this.subscriber = createRedis(this.config.redisUrl, 'consumer', 'codehubot:control');
    this.subscriber.on('message', (_channel: string, raw: string) => {
      const message = this.parse(raw);
      if (!message) return;
      const until = Date.now() + REVOKE_MARK_TTL_MS;
      for (const id of message.ids) {
        this.revoked.set(id, until);
        if (message.terminate) onTerminate(id);
      }
    });
    this.subscriber.on('ready', () => void this.load());
    this.subscriber.on('error', (error: Error) => this.logger.warn(`control channel: ${error.message}`));
    this.reader.on('error', () => undefined);
    await this.subscriber.subscribe(this.keys.control);
    await this.load();
  }

  private parse(raw: string): RevokeMessage | undefined {
    try {
      const message = JSON.parse(raw) as RevokeMessage;
      return message.type === 'revoke' && Array.isArray(message.ids) ? message : undefined;
    } catch {
      return undefined;
    }
  }

  private async load(): Promise<void> {
    if (!this.reader) return;
    try {
      const now = Date.now();
      const entries = await this.reader.zrangebyscore(this.keys.revoked, now, '+inf', 'WITHSCORES');
      for (const [id, until] of this.revoked) if (until <= now) this.revoked.delete(id);
      for (let i = 0; i < entries.length; i += 2) this.revoked.set(entries[i], Number(entries[i + 1]));
    } catch (error) {
      this.logger.warn(`could not load revoked tasks: ${String(error)}`);
    }
  }

  has(id: string): boolean {
    return this.revoked.has(id);
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
    this.reader?.disconnect();
  }
}
