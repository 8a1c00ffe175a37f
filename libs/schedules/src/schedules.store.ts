import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { Not, type Repository } from 'typeorm';
import { canonicalJson } from '@app/tasks';
import { ScheduleEntity } from './entities/schedule.entity.js';
import {
  fingerprintOf,
  OVERLAP_POLICIES,
  type OverlapPolicy,
  type ScheduleDefinition,
  type ScheduleTaskOptions,
} from './schedule-definition.js';

export type ScheduleSource = 'code' | 'api';

/** A stored schedule: its definition, where it comes from, whether it is paused. */
export interface StoredSchedule extends ScheduleDefinition {
  source: ScheduleSource;
  paused: boolean;
  createdAt: number;
  updatedAt: number;
}

const hash = (d: ScheduleDefinition): string =>
  createHash('sha256')
    .update(canonicalJson(JSON.parse(fingerprintOf(d))))
    .digest('hex');

function toRow(d: ScheduleDefinition, source: ScheduleSource, now: number): ScheduleEntity {
  const row = new ScheduleEntity();
  row.name = d.name;
  row.task = d.task;
  row.kwargs = JSON.stringify(d.kwargs);
  row.cron = d.cron ?? null;
  row.every = d.every ?? null;
  row.timezone = d.timezone;
  row.options = JSON.stringify(d.options);
  row.overlap = d.overlap;
  row.catchup = d.catchup;
  row.paused = 0;
  row.source = source;
  row.fingerprint = hash(d);
  row.createdAt = String(now);
  row.updatedAt = String(now);
  return row;
}

function fromRow(row: ScheduleEntity): StoredSchedule {
  const overlap = (OVERLAP_POLICIES as readonly string[]).includes(row.overlap)
    ? (row.overlap as OverlapPolicy)
    : 'skip';
  return {
    name: row.name,
    task: row.task,
    kwargs: JSON.parse(row.kwargs) as Record<string, unknown>,
    ...(row.cron !== null ? { cron: row.cron } : {}),
    ...(row.every !== null ? { every: Number(row.every) } : {}),
    timezone: row.timezone,
    options: JSON.parse(row.options) as ScheduleTaskOptions,
    overlap,
    catchup: Number(row.catchup),
    source: row.source === 'code' ? 'code' : 'api',
    paused: Number(row.paused) === 1,
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
  };
}

/** The schedules table: the only place that writes its queries. */
@Injectable()
export class SchedulesStore {
  constructor(@InjectRepository(ScheduleEntity) private readonly repo: Repository<ScheduleEntity>) {}

  async list(): Promise<StoredSchedule[]> {
    const rows = await this.repo.find({ order: { name: 'ASC' } });
    return rows.map(fromRow);
  }

  async get(name: string): Promise<StoredSchedule | undefined> {
    const row = await this.repo.findOneBy({ name });
    return row ? fromRow(row) : undefined;
  }

  /**
   * A declaration in code, applied without races: inserted if the name is new (a concurrent insert of the same
   * name is ignored, not an error), updated only if it was declared in code and said something else. A replica
   * starting with the same declaration changes nothing; one replaced at run time (`api`) is left alone.
   */
  async upsertDeclared(d: ScheduleDefinition, now = Date.now()): Promise<void> {
    const row = toRow(d, 'code', now);
    await this.repo.createQueryBuilder().insert().values(row).orIgnore().execute();
    await this.repo.update(
      { name: d.name, source: 'code', fingerprint: Not(row.fingerprint) },
      {
        task: row.task,
        kwargs: row.kwargs,
        cron: row.cron,
        every: row.every,
        timezone: row.timezone,
        options: row.options,
        overlap: row.overlap,
        catchup: row.catchup,
        fingerprint: row.fingerprint,
        updatedAt: row.updatedAt,
      },
    );
  }

  /** Adds or replaces a schedule at run time (it is then the API's: a declaration in code no longer changes it). */
  async save(d: ScheduleDefinition, now = Date.now()): Promise<{ created: boolean }> {
    const existing = await this.repo.findOneBy({ name: d.name });
    const row = toRow(d, 'api', now);
    if (existing) {
      row.createdAt = existing.createdAt;
      row.paused = existing.paused;
    }
    await this.repo.save(row);
    return { created: !existing };
  }

  async remove(name: string): Promise<boolean> {
    const result = await this.repo.delete({ name });
    return (result.affected ?? 0) > 0;
  }

  async setPaused(name: string, paused: boolean, now = Date.now()): Promise<boolean> {
    const result = await this.repo.update({ name }, { paused: paused ? 1 : 0, updatedAt: String(now) });
    return (result.affected ?? 0) > 0;
  }
}
