import { Injectable } from '@nestjs/common';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { MetricsReader } from '@app/tasks';
import { renderSnapshot } from './metrics-exposition.js';

const TOTAL_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** `GET /metrics`'s text: the system's metrics (from Redis) and this API process's own. */
@Injectable()
export class MetricsService {
  /** This process: CPU, memory, event-loop lag, GC, handles (prom-client's default metrics). */
  private readonly process = new Registry();

  constructor(private readonly reader: MetricsReader) {
    collectDefaultMetrics({ register: this.process });
    // gauges named like counters (promtool refuses them); the same figures stay, by type, without `_total`
    for (const name of TOTAL_GAUGES) this.process.removeSingleMetric(name);
  }

  async render(): Promise<string> {
    const [system, own] = await Promise.all([
      this.reader.read().then(renderSnapshot),
      this.process.metrics(),
    ]);
    return `${system}\n${own}`;
  }
}
