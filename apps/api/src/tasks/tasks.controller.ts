import { Body, Controller, Get, HttpCode, Param, Post, Sse } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { TaskClient, TaskNotFoundError, type SubmitOptions, type TaskStatus } from '@app/tasks';
import { map, type Observable } from 'rxjs';
import { IdParamPipe } from '../validation/id-param.pipe.js';
import { SubmitTaskDto, SubmittedTaskDto } from './dto/submit-task.dto.js';
import { RevokeTaskDto, TaskStatusDto } from './dto/task-status.dto.js';
import { TaskEventsService } from './task-events.service.js';

const statusUrl = (id: string): string => `/tasks/${id}`;
/** `{task_id}`: one that is not a UUID is answered as an unknown one. */
const TASK_ID = new IdParamPipe((id) => new TaskNotFoundError(id));

function submitOptions(body: SubmitTaskDto): SubmitOptions {
  return {
    countdown: body.countdown,
    eta: body.eta !== undefined ? new Date(body.eta) : undefined,
    expires: typeof body.expires === 'string' ? new Date(body.expires) : body.expires,
    priority: body.priority,
    queue: body.queue,
    idempotencyKey: body.idempotency_key,
  };
}

@ApiTags('tasks')
@ApiBearerAuth()
@ApiServiceUnavailableResponse({ description: 'Redis unavailable' })
@Controller('tasks')
export class TasksController {
  constructor(
    private readonly tasks: TaskClient,
    private readonly events: TaskEventsService,
  ) {}

  @Post(':name')
  @HttpCode(202)
  @ApiOperation({ summary: 'Submit a registered task (Celery apply_async)' })
  @ApiAcceptedResponse({ type: SubmittedTaskDto })
  @ApiBadRequestResponse({
    description: 'The payload or an option fails validation; the message names the field',
  })
  @ApiNotFoundResponse({ description: 'No task of that name' })
  @ApiConflictResponse({ description: 'idempotency_key already used for another task or other arguments' })
  async submit(
    @Param('name') name: string,
    // no body at all (a task without parameters) means no args and default options
    @Body() body: SubmitTaskDto = {},
  ): Promise<SubmittedTaskDto> {
    const handle = await this.tasks.submitByName(name, body.args, body.kwargs, submitOptions(body));
    const state = handle.submittedState ?? (await handle.status()).state;
    return { task_id: handle.id, state, status_url: statusUrl(handle.id) };
  }

  @Get(':task_id')
  @ApiOperation({ summary: "A task's state, progress and result" })
  @ApiOkResponse({ type: TaskStatusDto })
  @ApiNotFoundResponse({ description: 'Unknown id, or its result expired' })
  async status(@Param('task_id', TASK_ID) id: string): Promise<TaskStatus> {
    return this.found(id, await this.tasks.status(id));
  }

  @Sse(':task_id/events')
  @ApiOperation({
    summary: 'Server-Sent Events: every state and progress change until a final state',
    description: "Each event's data is the JSON that GET /tasks/{task_id} answers at that moment.",
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ type: TaskStatusDto, description: 'a stream of these, as `data:` lines' })
  @ApiNotFoundResponse({ description: 'Unknown id' })
  async stream(@Param('task_id', TASK_ID) id: string): Promise<Observable<{ data: TaskStatus }>> {
    const initial = this.found(id, await this.tasks.status(id));
    return this.events.watch(initial).pipe(map((status) => ({ data: status })));
  }

  @Post(':task_id/revoke')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke: a task not yet started never runs; with terminate a running one is stopped',
  })
  @ApiOkResponse({ type: TaskStatusDto })
  @ApiNotFoundResponse({ description: 'Unknown id' })
  async revoke(@Param('task_id', TASK_ID) id: string, @Body() body: RevokeTaskDto = {}): Promise<TaskStatus> {
    return this.found(id, await this.tasks.revoke(id, body.terminate ?? false));
  }

  private found(id: string, status: TaskStatus | null): TaskStatus {
    if (!status) throw new TaskNotFoundError(id);
    return status;
  }
}
