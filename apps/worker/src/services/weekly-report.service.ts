import { Inject, Injectable, Logger } from '@nestjs/common';
import { HistoryService } from '@app/history';
import {
  HOUSEKEEPING_CONFIG,
  renderWeeklyReport,
  ReportsRepository,
  weeklyFigures,
  type HousekeepingConfig,
} from '@app/housekeeping';
import { idempotentTaskId, type GenerateWeeklyReportResult } from '@app/tasks';
import { MailerService } from './mailer.service.js';

const WEEK_MS = 7 * 86_400_000;

/**
 * `tasks.generate_weekly_report`: the 7 days before `end` (the tick's nominal time, or now), from the history's
 * per-minute stats; stored under an id of its period, so a retried run stores it once and mails it once.
 */
@Injectable()
export class WeeklyReportService {
  private readonly logger = new Logger('WeeklyReport');

  constructor(
    private readonly history: HistoryService,
    private readonly reports: ReportsRepository,
    private readonly mailer: MailerService,
    @Inject(HOUSEKEEPING_CONFIG) private readonly config: HousekeepingConfig,
  ) {}

  async generate(end: number): Promise<GenerateWeeklyReportResult> {
    const start = end - WEEK_MS;
    const figures = weeklyFigures(await this.history.stats(start, end));
    const id = idempotentTaskId(`weekly-report@${new Date(end).toISOString()}`);
    const recipients = this.config.reportRecipients;
    const report = await this.reports.store(id, { start, end }, figures, recipients);
    if (recipients.length > 0 && !report.mailed) {
      const mail = renderWeeklyReport(figures, { start: report.period_start, end: report.period_end });
      const mailId = await this.mailer.send({ to: recipients.join(', '), ...mail });
      await this.reports.markMailed(id, mailId);
      this.logger.log(`weekly report ${id} mailed to ${recipients.join(', ')}`);
    }
    return {
      report_id: id,
      period_start: report.period_start,
      period_end: report.period_end,
      tasks: figures.totals.total,
      mailed_to: recipients,
    };
  }
}
