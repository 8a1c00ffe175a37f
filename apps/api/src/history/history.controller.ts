import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HistoryService } from '@app/history';
import { ApiErrors } from '../openapi/decorators.js';
import { ListTasksQueryDto, StatsDto, StatsQueryDto, TaskHistoryPageDto } from './dto/history.dto.js';
import { historyItem } from './history-item.js';
import { statsWindow, toHistoryQuery } from './history-query.js';

const HISTORY_OFF = { 503: 'Task history is off (HISTORY_ENABLED=false)' } as const;

/** `GET /tasks` (the task history) and `GET /stats`, from the database. */
@ApiBearerAuth()
@Controller()
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get('tasks')
  @ApiTags('tasks')
  @ApiOperation({
    summary: 'Task history, newest first: filters, free text, cursor paging',
    description:
      'Every task from its submission on (listed within 2 s), kept HISTORY_RETENTION_DAYS. Filters combine ' +
      '(AND); `q` searches the arguments, the result and the error.',
  })
  @ApiOkResponse({ type: TaskHistoryPageDto })
  @ApiErrors({
    ...HISTORY_OFF,
    400: 'A bad filter, limit or cursor, or an unknown parameter (the message names it)',
  })
  async list(@Query() query: ListTasksQueryDto): Promise<TaskHistoryPageDto> {
    const page = await this.history.page(toHistoryQuery(query));
    return { items: page.rows.map(historyItem), next_cursor: page.nextCursor };
  }

  @Get('stats')
  @ApiTags('stats')
  @ApiOperation({
    summary: 'Per task name: counts, runtime and queue-wait percentiles; throughput per minute',
    description: 'Over [since, until), by the minute; by default the last hour; at most 7 days.',
  })
  @ApiOkResponse({ type: StatsDto })
  @ApiErrors({ ...HISTORY_OFF, 400: 'A bad time or window, or an unknown parameter (the message names it)' })
  async stats(@Query() query: StatsQueryDto): Promise<StatsDto> {
    const { since, until } = statsWindow(query.since, query.until);
    return this.history.stats(since, until);
  }
}
