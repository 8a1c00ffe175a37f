import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkerDirectory, type WorkerInfo } from '@app/tasks';
import { ApiErrors, BROKER_ERRORS } from '../openapi/decorators.js';
import { WorkerDto } from './monitoring.dto.js';

@ApiTags('monitoring')
@ApiBearerAuth()
@ApiErrors(BROKER_ERRORS)
@Controller('workers')
export class WorkersController {
  constructor(private readonly directory: WorkerDirectory) {}

  @Get()
  @ApiOperation({ summary: 'Live workers (a stopped or dead one drops off within a few heartbeats)' })
  @ApiOkResponse({ type: [WorkerDto] })
  list(): Promise<WorkerInfo[]> {
    return this.directory.list();
  }
}
