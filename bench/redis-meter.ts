import type { Redis } from 'ioredis';

/**
 * What the redis-server has done so far: commands run, CPU time used (user + system, µs) and time spent in
 * EVALSHA (BullMQ's Lua scripts with the commands they run, µs).
 */
export interface RedisUsage {
  calls: number;
  cpuMicros: number;
  scriptMicros: number;
}

/** Per unit of work (a task, a request) between two readings. */
export interface RedisCost {
  callsPer: number;
  cpuMicrosPer: number;
  scriptMicrosPer: number;
}

/**
 * Reads the server's own counters (INFO commandstats and cpu): the Redis side of a measurement, which a busy
 * machine disturbs less than rates do. The bench's own few probe commands are counted too.
 */
export async function redisUsage(redis: Redis): Promise<RedisUsage> {
  const [commands, cpu] = await Promise.all([redis.info('commandstats'), redis.info('cpu')]);
  let calls = 0;
  for (const match of commands.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) calls += Number(match[1]);
  const seconds = (name: string): number =>
    Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? NaN);
  const scriptMicros = Number(/^cmdstat_evalsha:.*usec=(\d+)/m.exec(commands)?.[1] ?? 0);
  return { calls, cpuMicros: (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6, scriptMicros };
}

export function redisCost(before: RedisUsage, after: RedisUsage, units: number): RedisCost {
  return {
    callsPer: (after.calls - before.calls) / units,
    cpuMicrosPer: (after.cpuMicros - before.cpuMicros) / units,
    scriptMicrosPer: (after.scriptMicros - before.scriptMicros) / units,
  };
}
