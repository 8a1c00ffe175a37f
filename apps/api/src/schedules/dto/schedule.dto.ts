import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  MAX_CATCHUP,
  OVERLAP_POLICIES,
  SCHEDULE_NAME_PATTERN,
  type OverlapPolicy,
  type ScheduleSource,
  type ScheduleTaskOptions,
  type ScheduleView,
} from '@app/schedules';
import { TaskState } from '@app/tasks';
import { IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

const OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    queue: { type: 'string', description: 'Overrides the routing table' },
    priority: { type: 'integer', minimum: 0 },
    expires: { type: 'number', description: 'Seconds after the nominal time past which the task is not run' },
  },
} as const;

/** Body of `POST /schedules`: a schedule added, or one of the same name replaced. */
export class CreateScheduleDto {
  @ApiProperty({
    description: 'Unique name; letters, digits, `_ . -`',
    example: 'nightly-add',
    pattern: SCHEDULE_NAME_PATTERN.source,
  })
  @IsString()
  @Matches(SCHEDULE_NAME_PATTERN, {
    message: 'name must be letters, digits, _ . - (at most 100, not starting with . - _)',
  })
  name!: string;

  @ApiProperty({ description: 'A registered task name', example: 'tasks.add' })
  @IsString()
  task!: string;

  @ApiPropertyOptional({
    description: "Positional arguments, mapped onto the task's parameters",
    type: 'array',
    items: {},
  })
  @IsOptional()
  @IsArray()
  args?: unknown[];

  @ApiPropertyOptional({
    description: 'Keyword arguments',
    type: 'object',
    additionalProperties: true,
    example: { x: 1, y: 2 },
  })
  @IsOptional()
  @IsObject()
  kwargs?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'A crontab (5 fields, or 6 with seconds first); give cron or every',
    example: '0 3 * * *',
  })
  @IsOptional()
  @IsString()
  cron?: string;

  @ApiPropertyOptional({
    description: 'Seconds between ticks (≥ 1), anchored at the Unix epoch; give cron or every',
    minimum: 1,
    example: 1800,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  every?: number;

  @ApiPropertyOptional({
    description: 'IANA zone the crontab is read in; default SCHEDULE_TIMEZONE',
    example: 'Asia/Shanghai',
  })
  @IsOptional()
  @IsString()
  timezone?: string;

  @ApiPropertyOptional({ description: 'Call options of the queued task', ...OPTIONS_SCHEMA })
  @IsOptional()
  @IsObject()
  options?: ScheduleTaskOptions;

  @ApiPropertyOptional({
    description:
      'A tick while the previous run is unfinished: skip it (default), buffer one, or allow overlap',
    enum: OVERLAP_POLICIES,
  })
  @IsOptional()
  @IsIn(OVERLAP_POLICIES)
  overlap?: OverlapPolicy;

  @ApiPropertyOptional({
    description:
      'Seconds: a tick missed while no beat ran is run once if it is this recent; 0 (default) skips it',
    minimum: 0,
    maximum: MAX_CATCHUP,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_CATCHUP)
  catchup?: number;
}

export class ScheduleDto implements ScheduleView {
  @ApiProperty({ example: 'sync-data' }) name!: string;
  @ApiProperty({ example: 'tasks.sync_data' }) task!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) kwargs!: Record<string, unknown>;
  @ApiProperty({ type: 'string', nullable: true, example: '0 3 * * *' }) cron!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 1800 }) every!: number | null;
  @ApiProperty({ example: 'Asia/Shanghai' }) timezone!: string;
  @ApiProperty(OPTIONS_SCHEMA) options!: ScheduleTaskOptions;
  @ApiProperty({ enum: OVERLAP_POLICIES }) overlap!: OverlapPolicy;
  @ApiProperty({ type: 'integer' }) catchup!: number;
  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'Null while paused or in error',
  })
  next_run!: string | null;
  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'Nominal time of the last task queued',
  })
  last_run!: string | null;
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true }) last_task_id!: string | null;
  @ApiProperty({
    type: String,
    enum: [...Object.values(TaskState), null],
    nullable: true,
    description: "That task's state; null once expired",
  })
  last_state!: TaskState | null;
  @ApiProperty() paused!: boolean;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Why the schedule cannot run (it is also alerted)',
  })
  error!: string | null;
  @ApiProperty({ enum: ['code', 'api'], description: 'Declared in code, or added at run time' })
  source!: ScheduleSource;
}

export class ScheduleRunDto {
  @ApiProperty({ format: 'uuid' }) task_id!: string;
  @ApiProperty({ example: '/tasks/5c0e…' }) status_url!: string;
}
