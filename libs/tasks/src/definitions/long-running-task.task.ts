import { IsInt, Max, Min } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class LongRunningTaskPayload {
  @IsInt() @Min(0) @Max(86_400) total_steps!: number;
}

export interface LongRunningTaskResult {
  status: 'completed';
  result: number;
}

/** One step a second, reporting PROGRESS `{current, total, percent}` after each; stops early when revoked. */
export const LongRunningTask = defineTask<LongRunningTaskPayload, LongRunningTaskResult>({
  name: 'tasks.long_running_task',
  params: ['total_steps'],
  payload: LongRunningTaskPayload,
  // it only awaits I/O: a thread would add a hop and protect nothing
  isolation: 'none',
  description: 'Counts total_steps seconds, reporting progress after each.',
});
