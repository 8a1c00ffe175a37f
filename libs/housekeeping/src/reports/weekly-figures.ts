import type { StatsSummary } from '@app/history';

export interface RuntimeFigures {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** One task name's week. */
export interface TaskFigures {
  name: string;
  /** Runs that ended: succeeded + failed (+ revoked). */
  total: number;
  succeeded: number;
  failed: number;
  retried: number;
  revoked: number;
  /** failed / total, 0 … 1 (0 when nothing ran). */
  failure_rate: number;
  runtime_ms: RuntimeFigures;
}

export interface WeeklyFigures {
  totals: Omit<TaskFigures, 'name' | 'runtime_ms'>;
  tasks: TaskFigures[];
}

const rate = (failed: number, total: number): number =>
  total > 0 ? Math.round((failed / total) * 10_000) / 10_000 : 0;

/** The week's figures from the history's stats: per task name, busiest first. Pure. */
export function weeklyFigures(stats: StatsSummary): WeeklyFigures {
  const tasks = stats.tasks
    .map((t): TaskFigures => {
      const total = t.succeeded + t.failed + t.revoked;
      return {
        name: t.name,
        total,
        succeeded: t.succeeded,
        failed: t.failed,
        retried: t.retried,
        revoked: t.revoked,
        failure_rate: rate(t.failed, total),
        runtime_ms: { p50: t.runtime_ms.p50, p95: t.runtime_ms.p95, p99: t.runtime_ms.p99 },
      };
    })
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
  const sum = (key: 'total' | 'succeeded' | 'failed' | 'retried' | 'revoked'): number =>
    tasks.reduce((n, t) => n + t[key], 0);
  const total = sum('total');
  return {
    totals: {
      total,
      succeeded: sum('succeeded'),
      failed: sum('failed'),
      retried: sum('retried'),
      revoked: sum('revoked'),
      failure_rate: rate(sum('failed'), total),
    },
    tasks,
  };
}

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const ms = (v: number | null): string => (v === null ? '–' : `${Math.round(v)} ms`);
const percent = (r: number): string => `${(r * 100).toFixed(1)} %`;
const day = (iso: string): string => iso.slice(0, 10);

/** The report as mail: a subject, a plain-text part and a readable HTML part. */
export function renderWeeklyReport(
  figures: WeeklyFigures,
  period: { start: string; end: string },
): { subject: string; text: string; html: string } {
  const subject = `CodeHubot weekly report ${day(period.start)} – ${day(period.end)}`;
  const { totals } = figures;
  const summary = `${totals.total} tasks, ${totals.succeeded} succeeded, ${totals.failed} failed (${percent(totals.failure_rate)}), ${totals.retried} retried`;
  const header = ['task', 'total', 'succeeded', 'failed', 'failure rate', 'p50', 'p95', 'p99'];
  const rows = figures.tasks.map((t) => [
    t.name,
    String(t.total),
    String(t.succeeded),
    String(t.failed),
    percent(t.failure_rate),
    ms(t.runtime_ms.p50),
    ms(t.runtime_ms.p95),
    ms(t.runtime_ms.p99),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const text = [
    subject,
    '',
    `From ${period.start} to ${period.end} (UTC): ${summary}.`,
    '',
    ...(rows.length > 0 ? [line(header), ...rows.map(line)] : ['No task ran this week.']),
    '',
  ].join('\n');
  const cell = (c: string, i: number): string =>
    `<td style="padding:4px 10px;${i > 0 ? 'text-align:right;' : ''}">${escape(c)}</td>`;
  const html = `<!doctype html>
<html><body style="font-family:sans-serif;color:#222">
<h2>${escape(subject)}</h2>
<p>From ${escape(period.start)} to ${escape(period.end)} (UTC): <strong>${escape(summary)}</strong>.</p>
${
  rows.length > 0
    ? `<table style="border-collapse:collapse">
<thead><tr>${header.map((h) => `<th style="padding:4px 10px;border-bottom:1px solid #999">${escape(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('\n')}
</tbody></table>`
    : '<p>No task ran this week.</p>'
}
</body></html>
`;
  return { subject, text, html };
}
