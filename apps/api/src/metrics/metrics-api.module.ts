import { Module } from '@nestjs/common';
import { MonitoringModule } from '@app/tasks';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

/** `GET /metrics`, over the metrics and alerts of `MonitoringModule` (which this process runs too). */
@Module({
  imports: [MonitoringModule],
  controllers: [MetricsController],
  providers: [MetricsService],
})
export class MetricsApiModule {}
