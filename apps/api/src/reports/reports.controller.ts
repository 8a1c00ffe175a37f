import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ReportsRepository, type Report, type ReportSummary } from '@app/housekeeping';
import { ApiErrors, ApiUuidParam } from '../openapi/decorators.js';
import { IdParamPipe } from '../validation/id-param.pipe.js';

const PERCENTILE = { type: 'number', nullable: true } as const;

export class ReportTotalsDto {
  @ApiProperty({ description: 'Tasks that ended in the period' }) total!: number;
  @ApiProperty() succeeded!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() retried!: number;
  @ApiProperty() revoked!: number;
  @ApiProperty({ description: 'failed / total, 0 … 1' }) failure_rate!: number;
}

export class RuntimeFiguresDto {
  @ApiProperty(PERCENTILE) p50!: number | null;
  @ApiProperty(PERCENTILE) p95!: number | null;
  @ApiProperty(PERCENTILE) p99!: number | null;
}

export class ReportTaskDto extends ReportTotalsDto {
  @ApiProperty({ example: 'tasks.add' }) name!: string;
  @ApiProperty({ type: RuntimeFiguresDto, description: 'Runtime percentiles, ms' })
  runtime_ms!: RuntimeFiguresDto;
}

export class ReportSummaryDto implements ReportSummary {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) period_start!: string;
  @ApiProperty({ format: 'date-time' }) period_end!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: ReportTotalsDto }) totals!: ReportTotalsDto;
  @ApiProperty({ description: 'Mailed to REPORT_RECIPIENTS' }) mailed!: boolean;
}

export class ReportDto extends ReportSummaryDto implements Report {
  @ApiProperty({ type: [ReportTaskDto], description: 'Per task name, busiest first' })
  tasks!: ReportTaskDto[];
  @ApiProperty({ type: [String] }) recipients!: string[];
}

const notFound = (id: string): Error => new NotFoundException(`No report ${id}`);

/** The weekly reports (`tasks.generate_weekly_report`). */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsRepository) {}

  @Get()
  @ApiOperation({ summary: 'The weekly reports, newest first (the last 100), without their per-task rows' })
  @ApiOkResponse({ type: [ReportSummaryDto] })
  list(): Promise<ReportSummary[]> {
    return this.reports.list();
  }

  @Get(':id')
  @ApiUuidParam('id', 'the report')
  @ApiOperation({
    summary: 'One weekly report: totals and per-task counts, failure rate, runtime percentiles',
  })
  @ApiOkResponse({ type: ReportDto })
  @ApiErrors({ 404: 'No report of that id' })
  async get(@Param('id', new IdParamPipe(notFound)) id: string): Promise<Report> {
    const report = await this.reports.get(id);
    if (!report) throw notFound(id);
    return report;
  }
}
