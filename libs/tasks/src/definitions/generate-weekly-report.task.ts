import { defineTask } from '../core/define-task.js';

export class GenerateWeeklyReportPayload {}

export interface GenerateWeeklyReportResult {
  report_id: string;
  period_start: string;
  period_end: string;
  /** Tasks that ended in the period. */
  tasks: number;
  /** Addresses it was mailed to (REPORT_RECIPIENTS; none: stored only). */
  mailed_to: string[];
}

/**
 * Per-task counts, failure rate and runtime percentiles of the 7 days before the tick, from the history; stored
 * (`GET /reports`) and mailed to REPORT_RECIPIENTS (Mondays 10:00, `weekly-report`). A retry stores and mails once.
 */
export const GenerateWeeklyReport = defineTask<GenerateWeeklyReportPayload, GenerateWeeklyReportResult>({
  name: 'tasks.generate_weekly_report',
  params: [],
  payload: GenerateWeeklyReportPayload,
  retry: { maxRetries: 3 },
  isolation: 'none',
  description: "The last 7 days' per-task figures from the history: stored and mailed to REPORT_RECIPIENTS.",
});
