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
  description: 'Counts the keys of an object.',
});
