import { IsNumber } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class AddPayload {
  @IsNumber({ allowNaN: false, allowInfinity: false }) x!: number;
  @IsNumber({ allowNaN: false, allowInfinity: false }) y!: number;
}

/** `add(x, y)` → x + y: the hello-world of the original note. */
export const Add = defineTask<AddPayload, number>({
  name: 'tasks.add',
  params: ['x', 'y'],
  payload: AddPayload,
  // a few microseconds of work: the hop to a thread would cost more than the task
  isolation: 'none',
  description: 'Returns x + y.',
});
