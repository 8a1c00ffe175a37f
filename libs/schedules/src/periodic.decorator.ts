import { applyDecorators, SetMetadata } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import type { AnySignature, Signature } from '@app/tasks';
import type { OverlapPolicy } from './schedule-definition.js';

export const PERIODIC = Symbol('periodic');

/** When and how a schedule declared in code runs; the decorated method returns the signature it queues. */
export type PeriodicOptions = ({ cron: string; every?: never } | { every: number; cron?: never }) & {
  /** Stable, unique: the schedule's identity (`/schedules/{name}`). */
  name: string;
  /** IANA zone of the crontab's fields; default SCHEDULE_TIMEZONE. */
  timezone?: string;
  overlap?: OverlapPolicy;
  /** Seconds; see `ScheduleDefinition.catchup`. */
  catchup?: number;
};

/** A method that builds, once at start-up, the signature (task, payload, options) its schedule queues. */
export type SignatureFactory = () => Signature<object, unknown> | AnySignature;

/**
 * Declares a periodic task on a provider's method, which returns the signature to queue:
 *
 * ```ts
 * @Periodic({ name: 'sync-data', every: 1800 })
 * syncData() { return signature(SyncData, {}); }
 * ```
 *
 * A crontab is also declared with `@nestjs/schedule`'s `@Cron` (disabled: its registry fires on every replica,
 * ours queues each tick once), so the schedule reads as one to Nest's own tooling; the beats find both with
 * Nest's discovery (`declared-schedules.ts`) and run them.
 */
export function Periodic(options: PeriodicOptions): MethodDecorator {
  const decorators: MethodDecorator[] = [SetMetadata(PERIODIC, options)];
  if (options.cron !== undefined) {
    decorators.push(
      Cron(options.cron, {
        name: options.name,
        disabled: true,
        ...(options.timezone ? { timeZone: options.timezone } : {}),
      }),
    );
  }
  return applyDecorators(...decorators);
}
