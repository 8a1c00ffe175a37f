import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HISTORY_STATES } from '@app/history';
import { QUEUE_NAME_PATTERN } from '@app/tasks';
import { IsISO8601, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { ANY_JSON_VALUE } from '../../openapi/decorators.js';

export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 500;
const STATES = HISTORY_STATES.join(', ');
const ISO = { strict: true } as const;

/**
 * The query of `GET /tasks`. Values are checked for shape here (an unknown parameter is refused by the
 * validation pipe, naming it); what needs more than a pattern (each state, the cursor, the times' order) is
 * checked as the query is built (`history-query.ts`).
 */
export class ListTasksQueryDto {
  @ApiPropertyOptional({
    description: `One or more of ${STATES}, comma separated`,
    example: 'SUCCESS,FAILURE',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  state?: string;

  @ApiPropertyOptional({ description: 'Task name, exactly', example: 'tasks.add' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ description: 'Queue name', example: 'default' })
  @IsOptional()
  @IsString()
  @Matches(QUEUE_NAME_PATTERN, { message: 'queue must hold letters, digits, _ and - only' })
  queue?: string;

  @ApiPropertyOptional({ description: 'The worker that ran it (its id, as GET /workers shows it)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  worker?: string;

  @ApiPropertyOptional({ description: 'Received at or after (ISO 8601)', format: 'date-time' })
  @IsOptional()
  @IsISO8601(ISO, { message: 'since must be an ISO 8601 time' })
  since?: string;

  @ApiPropertyOptional({ description: 'Received before (ISO 8601)', format: 'date-time' })
  @IsOptional()
  @IsISO8601(ISO, { message: 'until must be an ISO 8601 time' })
  until?: string;

  @ApiPropertyOptional({ description: 'The workflow it belongs to', format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'parent must be a UUID (a workflow id)' })
  parent?: string;

  @ApiPropertyOptional({
    description:
      'Free text: words (each of at least 3 characters) that must all appear, in any case, in the arguments, the result or the error',
    example: 'bob@example',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @Length(3, 200, { message: 'q must hold 3 to 200 characters' })
  q?: string;

  @ApiPropertyOptional({
    description: `Items per page, 1–${LIST_LIMIT_MAX}`,
    type: 'integer',
    default: LIST_LIMIT_DEFAULT,
    minimum: 1,
    maximum: LIST_LIMIT_MAX,
  })
  @IsOptional()
  @Matches(/^\d{1,6}$/, { message: `limit must be a whole number from 1 to ${LIST_LIMIT_MAX}` })
  limit?: string;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  cursor?: string;
}

export class TransitionDto {
  @ApiProperty({
    enum: ['received', 'started', 'retry', 'succeeded', 'failed', 'revoked', 'reconciled'],
    description: '`reconciled`: finished from the live task, its worker\u2019s own events having been lost',
  })
  event!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiPropertyOptional({ type: 'integer', description: 'Attempt (1 is the first run)' }) attempt?: number;
  @ApiPropertyOptional() worker?: string;
  @ApiPropertyOptional({ description: 'retry: why the attempt failed' }) error?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'retry: ms until the next attempt' })
  delay_ms?: number;
}

const nullable = (description: string, extra: Record<string, unknown> = {}) =>
  ({ description, nullable: true, type: String, ...extra }) as const;

/** One task of `GET /tasks`: the fields of `GET /tasks/{task_id}`, and what the history keeps beside. */
export class TaskHistoryItemDto {
  @ApiProperty({ format: 'uuid' }) task_id!: string;
  @ApiProperty({ enum: HISTORY_STATES, description: 'SCHEDULED until a task with a countdown or eta starts' })
  state!: string;
  @ApiProperty({ example: 'Task completed!' }) status!: string;
  @ApiProperty({ example: 'tasks.add' }) name!: string;
  @ApiProperty({ example: 'default' }) queue!: string;
  @ApiProperty({ type: 'integer' }) retries!: number;
  @ApiPropertyOptional({
    description: 'SUCCESS only: the JSON result (a string when cut)',
    ...ANY_JSON_VALUE,
  })
  result?: unknown;
  @ApiPropertyOptional({
    description: 'SUCCESS only: the result was over HISTORY_RESULT_MAX_BYTES and is cut',
  })
  result_truncated?: boolean;
  @ApiPropertyOptional({ description: 'FAILURE and REVOKED: why' }) error?: string;
  @ApiPropertyOptional({ description: 'FAILURE: the stack trace' }) traceback?: string;
  @ApiProperty({
    type: 'array',
    items: {},
    description: 'Always empty: positional arguments are kept under their parameter names, in kwargs',
  })
  args!: unknown[];
  @ApiProperty({
    description: 'Keyword arguments, secrets redacted (`***`); a string when cut (kwargs_truncated)',
    // null: a task whose `received` event was never read (trimmed from the stream while the database was away)
    anyOf: [{ type: 'object', additionalProperties: true, nullable: true }, { type: 'string' }],
  })
  kwargs!: unknown;
  @ApiProperty() kwargs_truncated!: boolean;
  @ApiProperty(nullable('The worker that ran it (the last attempt)')) worker!: string | null;
  @ApiProperty(nullable('The workflow it belongs to', { format: 'uuid' })) parent_id!: string | null;
  @ApiProperty(nullable('The request id of the HTTP call that queued it')) request_id!: string | null;
  @ApiProperty({ format: 'date-time' }) received_at!: string;
  @ApiProperty(nullable('When it may run, if later than received', { format: 'date-time' })) eta!:
    string | null;
  @ApiProperty(nullable('When its last attempt started', { format: 'date-time' })) started_at!: string | null;
  @ApiProperty(nullable('When it finished', { format: 'date-time' })) date_done!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Ms its code ran (the last attempt)' })
  runtime_ms!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Ms from ready to run to its first start' })
  queue_wait_ms!: number | null;
  @ApiProperty({ type: () => [TransitionDto], description: 'Its steps, oldest first' })
  transitions!: TransitionDto[];
}

export class TaskHistoryPageDto {
  @ApiProperty({ type: () => [TaskHistoryItemDto], description: 'Newest first' })
  items!: TaskHistoryItemDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last',
  })
  next_cursor!: string | null;
}

export class StatsQueryDto {
  @ApiPropertyOptional({
    description: 'Window start (ISO 8601); default: an hour before until',
    format: 'date-time',
  })
  @IsOptional()
  @IsISO8601(ISO, { message: 'since must be an ISO 8601 time' })
  since?: string;

  @ApiPropertyOptional({ description: 'Window end (ISO 8601); default: now', format: 'date-time' })
  @IsOptional()
  @IsISO8601(ISO, { message: 'until must be an ISO 8601 time' })
  until?: string;
}

export class PercentilesDto {
  @ApiProperty({ type: 'integer', description: 'Observations' }) count!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'ms, within 1 %' }) p50!: number | null;
  @ApiProperty({ type: Number, nullable: true }) p95!: number | null;
  @ApiProperty({ type: Number, nullable: true }) p99!: number | null;
}

export class TaskNameStatsDto {
  @ApiProperty({ example: 'tasks.add' }) name!: string;
  @ApiProperty({ type: 'integer' }) succeeded!: number;
  @ApiProperty({ type: 'integer' }) failed!: number;
  @ApiProperty({ type: 'integer', description: 'Retries (attempts that failed and ran again)' })
  retried!: number;
  @ApiProperty({ type: 'integer' }) revoked!: number;
  @ApiProperty({ type: () => PercentilesDto, description: 'Runtime of finished tasks (their last attempt)' })
  runtime_ms!: PercentilesDto;
  @ApiProperty({ type: () => PercentilesDto, description: 'Queue wait: ready to run → first start' })
  queue_wait_ms!: PercentilesDto;
}

export class ThroughputPointDto {
  @ApiProperty({ format: 'date-time', description: "The minute's start" }) minute!: string;
  @ApiProperty({ type: 'integer' }) succeeded!: number;
  @ApiProperty({ type: 'integer' }) failed!: number;
  @ApiProperty({ type: 'integer' }) retried!: number;
  @ApiProperty({ type: 'integer' }) revoked!: number;
}

export class StatsDto {
  @ApiProperty({ format: 'date-time' }) since!: string;
  @ApiProperty({ format: 'date-time' }) until!: string;
  @ApiProperty({ type: () => [TaskNameStatsDto], description: 'Per task name, by name' })
  tasks!: TaskNameStatsDto[];
  @ApiProperty({ type: () => [ThroughputPointDto], description: 'Every minute of the window, all names' })
  throughput!: ThroughputPointDto[];
}
