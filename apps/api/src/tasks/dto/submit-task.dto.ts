import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_PRIORITY, QUEUE_NAME_PATTERN, TaskState } from '@app/tasks';
import {
  IsArray,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';

/** Seconds from now (≥ 0) or an ISO 8601 time, as Celery's `expires`. */
function IsSecondsOrIsoTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSecondsOrIsoTime',
      validator: {
        validate: (value: unknown) =>
          (typeof value === 'number' && Number.isFinite(value) && value > 0) ||
          (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) && !Number.isNaN(Date.parse(value))),
        defaultMessage: () => 'expires must be a number of seconds > 0 or an ISO 8601 time',
      },
    },
    options,
  );
}

/** Body of `POST /tasks/{name}`: Celery's `apply_async` arguments and options, snake_case. */
export class SubmitTaskDto {
  @ApiPropertyOptional({
    description: "Positional arguments, mapped onto the task's declared parameters in order",
    type: 'array',
    items: {},
    example: [4, 4],
  })
  @IsOptional()
  @IsArray()
  args?: unknown[];

  @ApiPropertyOptional({
    description: 'Keyword arguments, by parameter name',
    type: 'object',
    additionalProperties: true,
    example: { y: 4 },
  })
  @IsOptional()
  @IsObject()
  kwargs?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Seconds to wait before the task may run', minimum: 0, example: 10 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(365 * 24 * 3600)
  countdown?: number;

  @ApiPropertyOptional({
    description: 'Earliest time the task may run (ISO 8601)',
    example: '2026-01-01T10:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  eta?: string;

  @ApiPropertyOptional({
    description: 'Seconds from now, or an ISO 8601 time; a task picked up later is not run and reads REVOKED',
    oneOf: [{ type: 'number' }, { type: 'string', format: 'date-time' }],
    example: 300,
  })
  @IsOptional()
  @IsSecondsOrIsoTime()
  expires?: number | string;

  @ApiPropertyOptional({
    description: `1 (first) … ${MAX_PRIORITY} (last); omitted or 0 is plain FIFO, served before prioritized tasks`,
    minimum: 0,
    maximum: MAX_PRIORITY,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_PRIORITY)
  priority?: number;

  @ApiPropertyOptional({ description: 'Queue to use instead of the routing table', example: 'default' })
  @IsOptional()
  @IsString()
  @Matches(QUEUE_NAME_PATTERN, { message: 'queue must hold letters, digits, _ and - only' })
  queue?: string;

  @ApiPropertyOptional({ description: 'Same key → same task id; the task runs once', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  idempotency_key?: string;
}

export class SubmittedTaskDto {
  @ApiProperty({ format: 'uuid' }) task_id!: string;
  @ApiProperty({ enum: Object.values(TaskState), example: 'PENDING' }) state!: string;
  @ApiProperty({ example: '/tasks/5c0e…' }) status_url!: string;
}
