import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NodeProcess } from '../test/utils/node-process.js';

/** `dist/`, where the compiled bench (dist/bench) and apps (dist/apps) live. */
export const DIST_DIR = resolve(import.meta.dirname, '..');
/** The repository root. */
export const ROOT_DIR = resolve(DIST_DIR, '..');

const CLOCK_TICKS = ((): number => {
  const answer = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(answer.stdout?.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
})();

/**
 * One compiled script (`dist/...js`) as a child `node` process: a worker or an API under test. The CPU time
 * it has used is read from /proc, so the measured program needs no cooperation.
 */
export class BenchProcess extends NodeProcess {
  constructor(script: string, args: string[], env: Record<string, string>, nodeArgs: string[] = []) {
    super(resolve(DIST_DIR, script), args, env, ROOT_DIR, nodeArgs);
  }

  /** User + system CPU time of the process (all its threads) so far, in µs; 10 ms resolution on Linux. */
  cpuMicros(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // fields after "pid (comm)": state is field 3, utime field 14, stime field 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1_000_000) / CLOCK_TICKS;
  }
}
