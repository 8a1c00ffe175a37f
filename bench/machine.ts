import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { ROOT_DIR } from './node-process.js';

export interface MachineNotes {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  redis: string;
  bullmq: string;
  nest: string;
  /** 1-minute load average when the run started: other work on the machine makes the figures noisy. */
  loadAtStart: number;
  loadAtEnd?: number;
}

function packageVersion(name: string): string {
  try {
    const file = resolve(ROOT_DIR, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function describeMachine(redis: Redis): Promise<MachineNotes> {
  const info = await redis.info('server');
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    bullmq: packageVersion('bullmq'),
    nest: packageVersion('@nestjs/core'),
    loadAtStart: loadavg()[0],
  };
}

export const currentLoad = (): number => loadavg()[0];
