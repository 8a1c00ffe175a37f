import { IsNumber, Max, Min } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class CpuBurnPayload {
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(3600) seconds!: number;
}

/** Keeps a CPU busy for `seconds` without ever yielding: the demo of hard time limits. */
export const CpuBurn = defineTask<CpuBurnPayload, { burned: number }>({
  name: 'tasks.cpu_burn',
  params: ['seconds'],
  payload: CpuBurnPayload,
  description: 'Busy-loops for the given seconds without yielding, then returns {burned: seconds}.',
});
