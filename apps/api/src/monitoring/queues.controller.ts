import { Controller, Delete, Get, Param } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { QueueInspector, type QueueCounts } from '@app/tasks';
import { PurgedDto, QueueDto } from './monitoring.dto.js';

@ApiTags('monitoring')
@ApiBearerAuth()
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
  @ApiOkResponse({ type: PurgedDto })
  @ApiBadRequestResponse({ description: 'Invalid queue name' })
  async purge(@Param('name') name: string): Promise<PurgedDto> {
    return { queue: name, purged: await this.inspector.purge(name) };
  }
}
