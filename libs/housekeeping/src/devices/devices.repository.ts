import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { DeviceEntity } from './device.entity.js';

export interface DeviceView {
  id: string;
  online: boolean;
  last_seen: string;
  status: Record<string, unknown> | null;
}

const view = (row: DeviceEntity): DeviceView => ({
  id: row.id,
  online: Number(row.online) === 1,
  last_seen: new Date(Number(row.lastSeen)).toISOString(),
  status: row.status !== null ? (JSON.parse(row.status) as Record<string, unknown>) : null,
});

/** The devices table: the only place that writes its queries. */
@Injectable()
export class DevicesRepository {
  constructor(@InjectRepository(DeviceEntity) private readonly repo: Repository<DeviceEntity>) {}

  /** A heartbeat: the device is online, seen now (inserted on its first one). */
  async heartbeat(
    id: string,
    status: Record<string, unknown> | undefined,
    now = Date.now(),
  ): Promise<DeviceView> {
    const row = this.repo.create({
      id,
      online: 1,
      lastSeen: String(now),
      status: status !== undefined ? JSON.stringify(status) : null,
    });
    await this.repo.upsert(row, ['id']);
    return view(row);
  }

  async list(): Promise<DeviceView[]> {
    return (await this.repo.find({ order: { id: 'ASC' } })).map(view);
  }

  /** Marks online devices silent since before `before` offline; returns how many. */
  async markOffline(before: number): Promise<number> {
    const result = await this.repo.update({ online: 1, lastSeen: LessThan(String(before)) }, { online: 0 });
    return result.affected ?? 0;
  }
}
