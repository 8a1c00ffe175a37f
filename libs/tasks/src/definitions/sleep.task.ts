import { IsDefined, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class SleepPayload {
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(3600) seconds!: number;
  /** Returned as the result (default: `seconds`). */
  @IsOptional() @IsDefined() value?: unknown;
}

/** Waits `seconds` (stopping early when told to), then returns `value`: a member that takes a while. */
export const Sleep = defineTask<SleepPayload, unknown>({
  name: 'tasks.sleep',
  params: ['seconds', 'value'],
  payload: SleepPayload,
  isolation: 'none',
  description: 'Waits the given seconds, then returns value (or the seconds).',
});
