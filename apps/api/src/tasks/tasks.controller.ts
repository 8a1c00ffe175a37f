import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res, Sse } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiNoContentResponse,
  ApiParam,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import {
  TaskClient,
  TaskNotFoundError,
  TaskStatusReader,
  type RequestContext,
  type SubmitOptions,
  type TaskStatus,
} from '@app/tasks';
import { HistoryService } from '@app/history';
import type { FastifyReply } from 'fastify';
import { EMPTY, type Observable } from 'rxjs';
import type { ApiConfig } from '../config/api.config.js';
import { ApiErrors, ApiUuidParam, BROKER_ERRORS, JSON_BODY_ERRORS } from '../openapi/decorators.js';
import { RequestOrigin } from '../observability/request-origin.decorator.js';
import { IdParamPipe } from '../validation/id-param.pipe.js';
import { SubmitTaskDto, SubmittedTaskDto } from './dto/submit-task.dto.js';
import { RevokeTaskDto, TaskStatusDto } from './dto/task-status.dto.js';
import { hasFinalState, resumeFrom, sseEvents, type SseMessage } from './sse-events.js';

const statusUrl = (id: string): string => `/tasks/${id}`;
/** `{task_id}`: one that is not a UUID is answered as an unknown one. */
const TASK_ID = new IdParamPipe((id) => new TaskNotFoundError(id));

function submitOptions(body: SubmitTaskDto, origin: RequestContext): SubmitOptions {
  return {
    ...origin,
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
@ApiErrors(BROKER_ERRORS)
@Controller('tasks')
export class TasksController {
  constructor(
    private readonly tasks: TaskClient,
    private readonly reader: TaskStatusReader,
    private readonly config: ConfigService,
    private readonly history: HistoryService,
  ) {}

  @Post(':name')
  @HttpCode(202)
  @ApiOperation({ summary: 'Submit a registered task (Celery apply_async)' })
  @ApiParam({
    name: 'name',
    description: 'The registered name of the task to submit',
    example: 'tasks.add',
  })
  @ApiBody({ type: SubmitTaskDto, required: false, description: 'None at all: no args, default options' })
  @ApiAcceptedResponse({ type: SubmittedTaskDto })
  @ApiErrors({
    ...JSON_BODY_ERRORS,
    400: 'Malformed JSON, or the payload or an option fails validation; the message names the field',
    404: 'No task of that name',
    409: 'idempotency_key already used for another task or other arguments',
  })
  async submit(
    @Param('name') name: string,
    // no body at all (a task without parameters) means no args and default options
    @Body() body: SubmitTaskDto = {},
    @RequestOrigin() origin: RequestContext,
  ): Promise<SubmittedTaskDto> {
    const handle = await this.tasks.submitByName(name, body.args, body.kwargs, submitOptions(body, origin));
    const state = handle.submittedState ?? (await handle.status()).state;
    return { task_id: handle.id, state, status_url: statusUrl(handle.id) };
  }

  @Get(':task_id')
  @ApiOperation({ summary: "A task's state, progress and result" })
  @ApiUuidParam('task_id', 'the task')
  @ApiOkResponse({ type: TaskStatusDto })
  @ApiErrors({ 404: 'Unknown id, or one the history no longer keeps (HISTORY_RETENTION_DAYS)' })
  async status(@Param('task_id', TASK_ID) id: string): Promise<TaskStatus> {
    // once the live result has expired (RESULT_EXPIRES), the history answers for as long as it keeps the task
    return this.found(id, (await this.reader.status(id)) ?? (await this.history.taskStatus(id)));
  }

  @Sse(':task_id/events')
  @ApiOperation({
    summary: 'Server-Sent Events: every state and progress change until a final state',
    description:
      "Each event's data is the JSON that GET /tasks/{task_id} answers at that moment; its id is `<n>-<STATE>`. " +
      'A client reconnecting with Last-Event-ID gets the current state at once (numbering goes on), or 204 when ' +
      'its last event was the final state. A `: keep-alive` comment comes every SSE_KEEPALIVE seconds.',
  })
  @ApiUuidParam('task_id', 'the task')
  @ApiOkResponse({
    description: `A stream of events; each \`data:\` line is a [TaskStatusDto](${getSchemaPath(TaskStatusDto)})`,
    content: {
      'text/event-stream': {
        schema: {
          type: 'string',
          example: 'data: {"task_id":"…","state":"STARTED","status":"Started",…}\n\n',
        },
      },
    },
  })
  @ApiNoContentResponse({ description: 'Last-Event-ID names the final state: nothing more to send' })
  @ApiErrors({ 404: 'Unknown id' })
  async stream(
    @Param('task_id', TASK_ID) id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Observable<SseMessage>> {
    const initial = this.found(id, await this.reader.status(id));
    const resume = resumeFrom(lastEventId);
    if (hasFinalState(resume, initial)) {
      // 204 tells an EventSource to stop reconnecting
      void reply.status(204);
      return EMPTY;
    }
    const { sseKeepAliveMs } = this.config.getOrThrow<ApiConfig>('api');
    return sseEvents(this.reader.watch(initial), resume.next, sseKeepAliveMs);
  }

  @Post(':task_id/revoke')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke: a task not yet started never runs; with terminate a running one is stopped',
  })
  @ApiUuidParam('task_id', 'the task')
  @ApiBody({ type: RevokeTaskDto, required: false, description: 'None at all: terminate is false' })
  @ApiOkResponse({ type: TaskStatusDto })
  @ApiErrors({
    ...JSON_BODY_ERRORS,
    400: 'Malformed JSON, or a bad field (the message names it)',
    404: 'Unknown id',
  })
  async revoke(@Param('task_id', TASK_ID) id: string, @Body() body: RevokeTaskDto = {}): Promise<TaskStatus> {
    return this.found(id, await this.tasks.revoke(id, body.terminate ?? false));
  }

  private found(id: string, status: TaskStatus | null): TaskStatus {
    if (!status) throw new TaskNotFoundError(id);
    return status;
  }
}
