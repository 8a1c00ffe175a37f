import { Histogram } from 'prom-client';
import { DURATION_BUCKETS, cumulativeBuckets, type StoredHistogram } from '@app/tasks';

type Labels = Record<string, string>;

/**
 * A histogram whose buckets were counted elsewhere (by the metrics sink, in Redis, across every worker):
 * prom-client's `Histogram` only counts its own observations, so this one is given the totals and lets
 * prom-client's registry write them out (names, escaping, `le` lines, `_sum`, `_count`).
 */
export class AggregatedHistogram extends Histogram<string> {
  private readonly series: { labels: Labels; stored: StoredHistogram }[] = [];
  private readonly metricName: string;
  private readonly metricHelp: string;

  constructor(config: { name: string; help: string; labelNames: string[] }) {
    super({ ...config, buckets: [...DURATION_BUCKETS], registers: [] });
    this.metricName = config.name;
    this.metricHelp = config.help;
  }

  add(labels: Labels, stored: StoredHistogram): void {
    this.series.push({ labels, stored });
  }

  /** What the registry renders (prom-client calls this rather than `get` for the text format). */
  getForPromString(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: {
      labels: Record<string, string | number>;
      sharedLabels: Labels;
      value: number;
      metricName: string;
    }[];
  }> {
    const [name, help] = [this.metricName, this.metricHelp];
    const values = this.series.flatMap(({ labels, stored }) => [
      ...cumulativeBuckets(stored).map((bucket) => ({
        labels: { ...labels, le: bucket.le },
        sharedLabels: {},
        value: bucket.count,
        metricName: `${name}_bucket`,
      })),
      { labels, sharedLabels: {}, value: stored.sum, metricName: `${name}_sum` },
      { labels, sharedLabels: {}, value: stored.count, metricName: `${name}_count` },
    ]);
    return Promise.resolve({ name, help, type: 'histogram', aggregator: 'sum', values });
  }
}
