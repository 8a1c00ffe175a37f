import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TaskState } from '@app/tasks';
import { IsBoolean, IsOptional } from 'class-validator';
import { ANY_JSON_VALUE } from '../../openapi/decorators.js';

export class WorkflowMemberDto {
  @ApiProperty({ format: 'uuid' }) task_id!: string;
  @ApiProperty({ example: 'tasks.add' }) name!: string;
  @ApiProperty({ description: 'Where it sits in the submitted workflow', example: 'chain[1].group[0]' })
  path!: string;
  @ApiProperty({ enum: Object.values(TaskState) }) state!: string;
}

/** `GET /tasks/{task_id}`: the original's shapes by state, plus the task's identity. */
export class TaskStatusDto {
  @ApiProperty({ format: 'uuid' }) task_id!: string;
  @ApiProperty({ enum: Object.values(TaskState) }) state!: string;
  @ApiProperty({ description: 'Human-readable state', example: 'Task completed!' }) status!: string;
  @ApiProperty({ example: 'tasks.add' }) name!: string;
  @ApiProperty({ example: 'default' }) queue!: string;
  @ApiProperty({ type: 'integer', description: 'Retries so far' }) retries!: number;
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description:
      'Times the task went back to its queue because the worker running it died (absent when none)',
  })
  redeliveries?: number;
  @ApiPropertyOptional({ format: 'date-time', description: 'When it finished' }) date_done?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'SCHEDULED: when it may run' }) eta?: string;
  @ApiPropertyOptional({ description: 'Queued by a schedule: its name' }) schedule?: string;
  @ApiPropertyOptional({ format: 'date-time', description: "Queued by a schedule: the tick's nominal time" })
  scheduled_for?: string;
  @ApiPropertyOptional({ description: 'PROGRESS only' }) current?: number;
  @ApiPropertyOptional({ description: 'PROGRESS only' }) total?: number;
  @ApiPropertyOptional({ description: 'PROGRESS only, 0–100' }) percent?: number;
  @ApiPropertyOptional({ description: 'SUCCESS only: the JSON result, any JSON value', ...ANY_JSON_VALUE })
  result?: unknown;
  @ApiPropertyOptional({ description: 'FAILURE (and REVOKED): why' }) error?: string;
  @ApiPropertyOptional({
    format: 'uuid',
    description: "The task replaced itself with this workflow: its state and result are the task's",
  })
  replaced_by?: string;
  @ApiPropertyOptional({
    enum: ['task', 'chain', 'group', 'chord'],
    description: 'Set when the id names a workflow; current/total then count its tasks done',
  })
  workflow?: string;
  @ApiPropertyOptional({ type: () => [WorkflowMemberDto], description: "A workflow's tasks, in order" })
  members?: WorkflowMemberDto[];
}

export class RevokeTaskDto {
  @ApiPropertyOptional({ description: 'Also stop the task if it is running', default: false })
  @IsOptional()
  @IsBoolean()
  terminate?: boolean;
}
