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

/** The server's `used_memory` (INFO memory): every byte the allocator holds for data, buffers and overhead. */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
}

/** The longest single run of one command type since the last CONFIG RESETSTAT (µs). */
export interface LongestCommand {
  command: string;
  micros: number;
}

/** What `watchCommands` reads: the longest command of all, and the longest EXEC (a MULTI's whole run). */
export interface LongestCommands {
  longest: LongestCommand;
  /** NaN when no EXEC ran. */
  execMicros: number;
}

/**
 * Makes INFO latencystats report each command type's maximum (p100), from the server's per-command latency
 * histograms (on by default since Redis 7, no cost beyond what it always does). SLOWLOG cannot serve here:
 * Redis 7 logs the commands inside a MULTI one by one and never the EXEC that runs them all in one go.
 */
export async function trackLongestCommands(redis: Redis): Promise<void> {
  await redis.config('SET', 'latency-tracking', 'yes');
  await redis.config('SET', 'latency-tracking-info-percentiles', '50 99 100');
}

/**
 * The longest command of each type since the last CONFIG RESETSTAT, from INFO latencystats (histograms of two
 * significant digits: within 1 %); the EXEC's exact time from INFO commandstats when a single one ran.
 */
export async function longestCommands(redis: Redis): Promise<LongestCommands> {
  const [latency, commands] = await Promise.all([redis.info('latencystats'), redis.info('commandstats')]);
  const longest: LongestCommand = { command: '–', micros: 0 };
  let execMicros = NaN;
  for (const [, command, p100] of latency.matchAll(/^latency_percentiles_usec_([^:]+):.*p100=([\d.]+)/gm)) {
    const micros = Number(p100);
    if (command === 'exec') execMicros = micros;
    if (micros > longest.micros) Object.assign(longest, { command, micros });
  }
  const exec = /^cmdstat_exec:calls=(\d+),usec=(\d+)/m.exec(commands);
  if (exec && Number(exec[1]) === 1) {
    execMicros = Number(exec[2]);
    if (longest.command === 'exec') longest.micros = execMicros;
  }
  return { longest, execMicros };
}

/** MEMORY USAGE (SAMPLES 0: every field counted) of each key, summed; pipelined in batches. */
export async function keysMemory(redis: Redis, keys: readonly string[], batch = 1_000): Promise<number> {
  let total = 0;
  for (let i = 0; i < keys.length; i += batch) {
    const pipeline = redis.pipeline();
    for (const key of keys.slice(i, i + batch)) pipeline.memory('USAGE', key, 'SAMPLES', 0);
    for (const [error, bytes] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      if (bytes === null) throw new Error('a key to measure is gone');
      total += Number(bytes);
    }
  }
  return total;
}

/** The length of one field (HSTRLEN) across hashes: total and largest. */
export async function fieldLengths(
  redis: Redis,
  keys: readonly string[],
  field: string,
  batch = 1_000,
): Promise<{ total: number; largest: number }> {
  let total = 0;
  let largest = 0;
  for (let i = 0; i < keys.length; i += batch) {
    const pipeline = redis.pipeline();
    for (const key of keys.slice(i, i + batch)) pipeline.hstrlen(key, field);
    for (const [error, length] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      total += Number(length);
      largest = Math.max(largest, Number(length));
    }
  }
  return { total, largest };
}
