import { IsObject } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class ProcessItemPayload {
  @IsObject() item!: Record<string, unknown>;
}

export interface ProcessItemResult {
  /** The item's `id` when it has a string or number one, else null. */
  item_id: string | number | null;
  processed: true;
  /** Its number of fields. */
  fields: number;
  /** The sum of its numeric fields. */
  total: number;
}

/** The chord demo's header task: processes one item (counts its fields, sums its numbers). */
export const ProcessItem = defineTask<ProcessItemPayload, ProcessItemResult>({
  name: 'tasks.process_item',
  params: ['item'],
  payload: ProcessItemPayload,
  // a few microseconds of work: the hop to a thread would cost more than the task
  isolation: 'none',
  description: "Processes one item: counts its fields and sums its numeric ones (the chord demo's header).",
});
