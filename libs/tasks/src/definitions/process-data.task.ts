import { IsObject } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class ProcessDataPayload {
  @IsObject() data!: Record<string, unknown>;
}

export interface ProcessDataResult {
  processed: true;
  count: number;
}

/** `process_data(data)` → `{processed: true, count}`, count being the number of keys. */
export const ProcessData = defineTask<ProcessDataPayload, ProcessDataResult>({
  name: 'tasks.process_data',
  params: ['data'],
  payload: ProcessDataPayload,
  // a few microseconds of work: the hop to a thread would cost more than the task
  isolation: 'none',
  description: 'Counts the keys of an object.',
});
