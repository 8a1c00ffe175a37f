import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { ReportEntity } from './report.entity.js';
import type { WeeklyFigures } from './weekly-figures.js';

export interface ReportSummary {
  id: string;
  period_start: string;
  period_end: string;
  created_at: string;
  totals: WeeklyFigures['totals'];
  mailed: boolean;
}

export interface Report extends ReportSummary {
  tasks: WeeklyFigures['tasks'];
  recipients: string[];
}

const iso = (ms: string): string => new Date(Number(ms)).toISOString();

function view(row: ReportEntity): Report {
  const figures = JSON.parse(row.figures) as WeeklyFigures;
  return {
    id: row.id,
    period_start: iso(row.periodStart),
    period_end: iso(row.periodEnd),
    created_at: iso(row.createdAt),
    totals: figures.totals,
    mailed: row.mailId !== null,
    tasks: figures.tasks,
    recipients: JSON.parse(row.recipients) as string[],
  };
}

/** The reports table: the only place that writes its queries. */
@Injectable()
export class ReportsRepository {
  constructor(@InjectRepository(ReportEntity) private readonly repo: Repository<ReportEntity>) {}

  /** Stores a report unless one of that id exists (a retried run); returns the stored one. */
  async store(
    id: string,
    period: { start: number; end: number },
    figures: WeeklyFigures,
    recipients: readonly string[],
    now = Date.now(),
  ): Promise<Report> {
    const row = this.repo.create({
      id,
      periodStart: String(period.start),
      periodEnd: String(period.end),
      createdAt: String(now),
      figures: JSON.stringify(figures),
      mailId: null,
      recipients: JSON.stringify(recipients),
    });
    await this.repo.createQueryBuilder().insert().values(row).orIgnore().execute();
    return view(await this.repo.findOneByOrFail({ id }));
  }

  async markMailed(id: string, mailId: string): Promise<void> {
    await this.repo.update({ id, mailId: IsNull() }, { mailId: mailId.slice(0, 300) });
  }

  async list(limit = 100): Promise<ReportSummary[]> {
    const rows = await this.repo.find({ order: { periodEnd: 'DESC' }, take: limit });
    return rows.map((row) => {
      const { tasks: _tasks, recipients: _recipients, ...summary } = view(row);
      return summary;
    });
  }

  async get(id: string): Promise<Report | undefined> {
    const row = await this.repo.findOneBy({ id });
    return row ? view(row) : undefined;
  }
}
