import { IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class FailPayload {
  @IsString() @MaxLength(1000) message!: string;
  /** Seconds to wait before failing. */
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(3600) seconds?: number;
}

/** Always fails with `message` (after `seconds`), and never retries: the demo of a failing member. */
export const Fail = defineTask<FailPayload, never>({
  name: 'tasks.fail',
  params: ['message', 'seconds'],
  payload: FailPayload,
  isolation: 'none',
  description: 'Fails with the given message, without retrying.',
});
