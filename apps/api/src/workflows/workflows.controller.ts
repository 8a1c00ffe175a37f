import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { WorkflowClient, type RequestContext, type WorkflowSpec } from '@app/tasks';
import { RequestOrigin } from '../observability/request-origin.decorator.js';
import { ApiErrors, BROKER_ERRORS, JSON_BODY_ERRORS } from '../openapi/decorators.js';

export class SubmittedWorkflowDto {
  @ApiProperty({ format: 'uuid', description: "The workflow's id: GET /tasks/{task_id} reads it" })
  task_id!: string;
  @ApiProperty({ example: '/tasks/5c0e…' }) status_url!: string;
}

@ApiTags('workflows')
@ApiBearerAuth()
@ApiErrors(BROKER_ERRORS)
@Controller('workflows')
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowClient) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Submit a workflow: a chain, group or chord of tasks, nested at will (Celery canvas)',
    description:
      'Every member is validated before anything is queued; the workflow is then queued atomically. Its id ' +
      'reads as a task: state, progress as tasks done / total, members with their states, and the result (the ' +
      "last link's for a chain, the list of results in order for a group, the body's for a chord). " +
      'See docs/WORKFLOWS.md.',
  })
  @ApiBody({ schema: { $ref: '#/components/schemas/WorkflowSpec' } })
  @ApiAcceptedResponse({ type: SubmittedWorkflowDto })
  @ApiErrors({
    ...JSON_BODY_ERRORS,
    400: "A member's shape, arguments or options are wrong; the message names its path (chain[1].group[0]) and field",
    404: 'A member names an unknown task; the message names it and its path',
  })
  async submit(
    @Body() body: Record<string, unknown>,
    @RequestOrigin() origin: RequestContext,
  ): Promise<SubmittedWorkflowDto> {
    const handle = await this.workflows.submitSpec(body as WorkflowSpec, origin);
    return { task_id: handle.id, status_url: `/tasks/${handle.id}` };
  }
}
