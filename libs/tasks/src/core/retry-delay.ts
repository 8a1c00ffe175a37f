import { UnrecoverableError } from 'bullmq';
import type { RetryPolicy } from './define-task.js';

/**
 * Milliseconds before retry number `retry` (1-based). Fixed by default; exponential doubles from `delay`,
 * capped at `maxDelay`; jitter draws uniformly from the upper half so the mean stays near the nominal delay.
 */
export function retryDelayMs(
  policy: RetryPolicy | undefined,
  retry: number,
  defaultDelaySeconds: number,
  random: () => number = Math.random,
): number {
  const base = policy?.delay ?? defaultDelaySeconds;
  let seconds = policy?.backoff === 'exponential' ? base * 2 ** Math.max(0, retry - 1) : base;
  if (policy?.maxDelay !== undefined) seconds = Math.min(seconds, policy.maxDelay);
  if (policy?.jitter) seconds = seconds / 2 + random() * (seconds / 2);
  return Math.round(seconds * 1000);
}

/**
 * Whether a failure is a task's last: it is permanent, or `attemptsMade` (attempts counted so far, this one
 * included) has reached the job's `attempts`.
 */
export function isFinalFailure(
  job: { opts: { attempts?: number } },
  error: unknown,
  attemptsMade: number,
): boolean {
  return error instanceof UnrecoverableError || attemptsMade >= (job.opts.attempts ?? 1);
}
