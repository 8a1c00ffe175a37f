import { ArrayMaxSize, IsArray, IsNumber } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class XsumPayload {
  @IsArray()
  @ArrayMaxSize(100_000)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  numbers!: number[];
}

/** `xsum(numbers)` → their sum: the classic chord body. */
export const Xsum = defineTask<XsumPayload, number>({
  name: 'tasks.xsum',
  params: ['numbers'],
  payload: XsumPayload,
  // a few microseconds of work: the hop to a thread would cost more than the task
  isolation: 'none',
  description: 'Returns the sum of a list of numbers.',
});
