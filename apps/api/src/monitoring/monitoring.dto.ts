import { ApiProperty } from '@nestjs/swagger';

export class ActiveTaskDto {
  @ApiProperty({ format: 'uuid' }) task_id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() queue!: string;
  @ApiProperty({ format: 'date-time' }) started_at!: string;
}

export class PoolThreadDto {
  @ApiProperty() id!: number;
  @ApiProperty() running!: number;
  @ApiProperty() completed!: number;
  @ApiProperty() lag_ms!: number;
  @ApiProperty() heap_mb!: number;
  @ApiProperty({ description: 'Busy in code that does not yield' }) blocked!: boolean;
}

export class PoolDto {
  @ApiProperty({ enum: ['threads', 'inline'] }) kind!: string;
  @ApiProperty() size!: number;
  @ApiProperty() running!: number;
  @ApiProperty({ description: 'Threads replaced: recycled, or ended by a limit or a crash' })
  replaced!: number;
  @ApiProperty({ type: [PoolThreadDto] }) threads!: PoolThreadDto[];
}

/** One live worker, from its last heartbeat. */
export class WorkerDto {
  @ApiProperty({ example: 'host:1234' }) id!: string;
  @ApiProperty() host!: string;
  @ApiProperty() pid!: number;
  @ApiProperty({ type: [String] }) queues!: string[];
  @ApiProperty() concurrency!: number;
  @ApiProperty({ type: [ActiveTaskDto] }) active!: ActiveTaskDto[];
  @ApiProperty({ description: 'Tasks finished (succeeded or failed for good)' }) processed!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ type: [String] }) registered!: string[];
  @ApiProperty({ format: 'date-time' }) started_at!: string;
  @ApiProperty() uptime_s!: number;
  @ApiProperty() memory_rss_mb!: number;
  @ApiProperty({ description: "p99 delay of the consumer's event loop" }) loop_lag_ms!: number;
  @ApiProperty({ type: PoolDto }) pool!: PoolDto;
  @ApiProperty({ format: 'date-time' }) last_heartbeat!: string;
}

export class QueueCountsDto {
  @ApiProperty() waiting!: number;
  @ApiProperty() prioritized!: number;
  @ApiProperty() delayed!: number;
  @ApiProperty() active!: number;
  @ApiProperty() completed!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ name: 'waiting-children' }) 'waiting-children'!: number;
}

export class QueueDto {
  @ApiProperty({ example: 'default' }) name!: string;
  @ApiProperty({ type: QueueCountsDto }) counts!: QueueCountsDto;
}

export class PurgedDto {
  @ApiProperty() queue!: string;
  @ApiProperty({ description: 'Waiting tasks removed; each now reads REVOKED' }) purged!: number;
}
