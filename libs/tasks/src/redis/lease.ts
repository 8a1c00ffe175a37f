import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/**
 * One process at a time among all that try: a Redis key holding the holder's id, with an expiry. The holder
 * renews it; when it dies, another takes it once it expires.
 */
export class Lease {
  private readonly owner = randomUUID();
  private heldUntil = 0;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  /** Takes or renews the lease; false while another process holds it (or Redis is away). */
  async hold(): Promise<boolean> {
    const now = Date.now();
    try {
      if (this.heldUntil > now) {
        if ((await this.redis.eval(RENEW, 1, this.key, this.owner, this.ttlMs)) === 1) {
          this.heldUntil = now + this.ttlMs;
          return true;
        }
      }
      const taken = await this.redis.set(this.key, this.owner, 'PX', this.ttlMs, 'NX');
      this.heldUntil = taken === 'OK' ? now + this.ttlMs : 0;
    } catch {
      this.heldUntil = 0;
    }
    return this.heldUntil > 0;
  }

  /** Whether this process held the lease at its last renewal, and it has not expired since. */
  get held(): boolean {
    return this.heldUntil > Date.now();
  }

  async release(): Promise<void> {
    if (this.heldUntil === 0) return;
    this.heldUntil = 0;
    await this.redis.eval(RELEASE, 1, this.key, this.owner).catch(() => 0);
  }
}
