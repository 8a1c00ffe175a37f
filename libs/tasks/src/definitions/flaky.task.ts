import { IsDefined, IsInt, IsOptional, Max, Min } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class FlakyPayload {
  /** Attempts that fail before one succeeds. */
  @IsInt() @Min(0) @Max(5) failures!: number;
  /** Returned once it succeeds (default: the number of retries it took). */
  @IsOptional() @IsDefined() value?: unknown;
}

/** Fails its first `failures` attempts, then succeeds: the demo of a member that retries and recovers. */
export const Flaky = defineTask<FlakyPayload, unknown>({
  name: 'tasks.flaky',
  params: ['failures', 'value'],
  payload: FlakyPayload,
  retry: { maxRetries: 5, delay: 0.2 },
  isolation: 'none',
  description: 'Fails its first `failures` attempts (retrying after 0.2 s), then returns value.',
});
