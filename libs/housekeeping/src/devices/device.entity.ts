import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A classroom device (`devices`, migration in libs/database): when it was last heard from. Epoch ms. */
@Entity({ name: 'devices' })
export class DeviceEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 }) id!: string;
  @Column({ type: 'smallint' }) online!: number;
  @Column({ name: 'last_seen', type: 'bigint' }) lastSeen!: string;
  /** JSON: the status its last heartbeat carried, if any. */
  @Column({ type: 'text', nullable: true }) status!: string | null;
}
