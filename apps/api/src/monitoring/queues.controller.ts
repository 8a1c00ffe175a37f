import { Controller, Delete, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { QueueInspector, type QueueCounts } from '@app/tasks';
import { ApiErrors, BROKER_ERRORS } from '../openapi/decorators.js';
import { PurgedDto, QueueDto } from './monitoring.dto.js';

@ApiTags('monitoring')
@ApiBearerAuth()
@ApiErrors(BROKER_ERRORS)
@Controller('queues')
export class QueuesController {
  constructor(private readonly inspector: QueueInspector) {}

  @Get()
  @ApiOperation({ summary: 'Task counts by state for every queue' })
  @ApiOkResponse({ type: [QueueDto] })
  list(): Promise<QueueCounts[]> {
    return this.inspector.counts();
  }

  @Delete(':name')
  @ApiOperation({ summary: "Purge a queue's waiting tasks; purged tasks never run and read REVOKED" })
  @ApiParam({ name: 'name', description: 'The queue to purge', example: 'default' })
  @ApiOkResponse({ type: PurgedDto })
  @ApiErrors({ 400: 'Invalid queue name' })
  async purge(@Param('name') name: string): Promise<PurgedDto> {
    return { queue: name, purged: await this.inspector.purge(name) };
  }
}
