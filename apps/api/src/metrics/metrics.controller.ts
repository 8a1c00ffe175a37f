import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { ApiErrors, BROKER_ERRORS } from '../openapi/decorators.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('monitoring')
@ApiBearerAuth()
@ApiErrors(BROKER_ERRORS)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOperation({
    summary: 'Prometheus metrics of the whole system (every worker added up) and of this API process',
    description:
      "Prometheus text format 0.0.4. Per-task counters and histograms are totals of every worker (added up in Redis from the task events), so any API replica answers the same; queue, worker and alert gauges are read at each scrape. Needs the Bearer key like every route once API_KEYS is set: give it to Prometheus as the scrape job's `authorization: {credentials: <key>}`.",
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'The metrics, in the Prometheus text exposition format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  render(): Promise<string> {
    return this.metrics.render();
  }
}
