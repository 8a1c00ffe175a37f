import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { SchedulesService, type ScheduleView } from '@app/schedules';
import type { FastifyReply } from 'fastify';
import type { RequestContext } from '@app/tasks';
import { RequestOrigin } from '../observability/request-origin.decorator.js';
import { ApiErrors, BROKER_ERRORS, JSON_BODY_ERRORS } from '../openapi/decorators.js';
import { CreateScheduleDto, ScheduleDto, ScheduleRunDto } from './dto/schedule.dto.js';

const NAME_PARAM = ApiParam({ name: 'name', description: 'The schedule name', example: 'sync-data' });
const UNKNOWN = { 404: 'No schedule of that name' };

/** Periodic tasks at run time: list, add or replace, remove, run now, pause, resume. */
@ApiTags('schedules')
@ApiBearerAuth()
@ApiErrors(BROKER_ERRORS)
@Controller('schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Get()
  @ApiOperation({ summary: 'Every schedule, with its next and last runs and its state' })
  @ApiOkResponse({ type: [ScheduleDto] })
  list(): Promise<ScheduleView[]> {
    return this.schedules.list();
  }

  @Post()
  @ApiOperation({ summary: 'Add a schedule, or replace the one of that name (kept across restarts)' })
  @ApiCreatedResponse({ type: ScheduleDto, description: 'Added' })
  @ApiOkResponse({ type: ScheduleDto, description: 'Replaced; its ticks start again from now' })
  @ApiErrors({
    ...JSON_BODY_ERRORS,
    400: 'A bad field, named: an invalid cron, cron and every both or neither, every under 1 s, an unknown time zone, arguments the task refuses',
    404: 'No task of that name',
  })
  async save(
    @Body() body: CreateScheduleDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScheduleView> {
    const { view, created } = await this.schedules.save(body);
    void reply.status(created ? 201 : 200);
    return view;
  }

  @Delete(':name')
  @HttpCode(204)
  @NAME_PARAM
  @ApiOperation({ summary: 'Remove a schedule (one declared in code comes back at the next start)' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(UNKNOWN)
  async remove(@Param('name') name: string): Promise<void> {
    await this.schedules.remove(name);
  }

  @Post(':name/run')
  @HttpCode(202)
  @NAME_PARAM
  @ApiOperation({ summary: "Queue the schedule's task now, whatever its policies and pause say" })
  @ApiAcceptedResponse({ type: ScheduleRunDto })
  @ApiErrors({
    ...UNKNOWN,
    400: 'The task no longer takes the stored arguments (the message names the field)',
  })
  async run(@Param('name') name: string, @RequestOrigin() origin: RequestContext): Promise<ScheduleRunDto> {
    const id = await this.schedules.runNow(name, origin);
    return { task_id: id, status_url: `/tasks/${id}` };
  }

  @Post(':name/pause')
  @HttpCode(200)
  @NAME_PARAM
  @ApiOperation({ summary: 'Pause a schedule: its ticks are skipped until it is resumed' })
  @ApiOkResponse({ type: ScheduleDto })
  @ApiErrors(UNKNOWN)
  pause(@Param('name') name: string): Promise<ScheduleView> {
    return this.schedules.setPaused(name, true);
  }

  @Post(':name/resume')
  @HttpCode(200)
  @NAME_PARAM
  @ApiOperation({
    summary: 'Resume a schedule: its next tick is the first after now (paused ones are not caught up)',
  })
  @ApiOkResponse({ type: ScheduleDto })
  @ApiErrors(UNKNOWN)
  resume(@Param('name') name: string): Promise<ScheduleView> {
    return this.schedules.setPaused(name, false);
  }
}
