import { ArrayMaxSize, IsArray, IsNumber } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class SumInParallelPayload {
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  numbers!: number[];
}

/**
 * Replaces itself (`ctx.replace`) with a chord: one `tasks.add` per number, then `tasks.xsum` over them. Its
 * result is the chord's: the sum. The demo of a task that fans out.
 */
export const SumInParallel = defineTask<SumInParallelPayload, number>({
  name: 'tasks.sum_in_parallel',
  params: ['numbers'],
  payload: SumInParallelPayload,
  isolation: 'none',
  description: 'Sums numbers by replacing itself with a chord of tasks.add and tasks.xsum.',
});
