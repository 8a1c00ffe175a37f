import { ArrayMaxSize, IsArray, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { defineTask } from '../core/define-task.js';
import type { ProcessItemResult } from './process-item.task.js';

export class GenerateReportPayload {
  /** The processed items' results, in order (a chord passes its header's results here). */
  @IsArray()
  @ArrayMaxSize(100_000)
  @IsObject({ each: true })
  results!: ProcessItemResult[];

  @IsOptional() @IsString() @MaxLength(200) title?: string;
}

export interface GenerateReportResult {
  title: string;
  items: number;
  processed: number;
  fields: number;
  total: number;
  /** The item ids in the order processed. */
  item_ids: (string | number | null)[];
}

/**
 * The chord demo's body: one report over every processed item ("process items in parallel, then one report
 * over all results"), e.g. `{chord: {header: [tasks.process_item…], body: tasks.generate_report}}`.
 */
export const GenerateReport = defineTask<GenerateReportPayload, GenerateReportResult>({
  name: 'tasks.generate_report',
  params: ['results', 'title'],
  payload: GenerateReportPayload,
  // a few microseconds of work: the hop to a thread would cost more than the task
  isolation: 'none',
  description: "Sums up processed items in one report (the chord demo's body).",
});
