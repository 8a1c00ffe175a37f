import autocannon from 'autocannon';
import { QueueProbe } from '../queue-probe.js';
import { redisCost, type RedisCost } from '../redis-meter.js';
import { BENCH_QUEUE, type BenchEnv, type RestTarget, type SystemUnderTest } from '../systems/system.js';

export interface RestResult {
  /** 2xx answers per second. */
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 2xx, plus connection errors and timeouts: should be 0. */
  failures: number;
  /** CPU time of the API process per answered request (µs): less sensitive to a busy machine than req/s. */
  cpuMicrosPerRequest: number;
  /** Redis commands and CPU per request. */
  redis: RedisCost;
}

function fire(target: RestTarget, connections: number, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: target.url,
    method: 'POST',
    headers: target.headers,
    body: target.body,
    connections,
    duration: seconds,
  });
}

/**
 * REST enqueue: `connections` keep-alive connections POST one task each as fast as answered, for `seconds`
 * after an uncounted warm-up. Nothing consumes the queue meanwhile.
 */
export async function measureRest(
  system: SystemUnderTest,
  env: BenchEnv,
  options: { connections: number; seconds: number; warmupSeconds: number },
): Promise<RestResult> {
  const target = await system.startApi(env);
  const probe = new QueueProbe(env.redisUrl, env.prefix, BENCH_QUEUE);
  try {
    if (options.warmupSeconds > 0) await fire(target, options.connections, options.warmupSeconds);
    const redisBefore = await probe.usage();
    const cpuBefore = target.process.cpuMicros();
    const result = await fire(target, options.connections, options.seconds);
    const cpu = target.process.cpuMicros() - cpuBefore;
    const redis = redisCost(redisBefore, await probe.usage(), result.requests.total);
    return {
      reqPerSec: result['2xx'] / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      failures: result.non2xx + result.errors + result.timeouts,
      cpuMicrosPerRequest: cpu / result.requests.total,
      redis,
    };
  } finally {
    await target.process.stop();
    await probe.close();
  }
}
