import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { readableLine } from './log-lines.js';

/** Kept output is capped, so that a chatty process cannot grow its watcher's memory without bound. */
const MAX_OUTPUT_CHARS = 1_000_000;

/**
 * A compiled script run as a child `node` process (an app under test, or under a benchmark), started and
 * stopped from outside as a deployment would. Output is kept for assertions and failure messages: as
 * written (`output`, e.g. JSON log lines) and as read (`text`: each JSON log line as `LEVEL [context] msg`).
 */
export class NodeProcess {
  readonly child: ChildProcess;
  output = '';
  /** `output` with JSON log lines made readable; what `waitForOutput` matches. */
  text = '';
  /** Each stream's last line so far, while it is not complete yet. */
  private readonly partial = { stdout: '', stderr: '' };
  readonly exited: Promise<number | null>;

  constructor(
    script: string,
    args: string[],
    env: Record<string, string>,
    cwd: string,
    nodeArgs: string[] = [],
  ) {
    this.child = spawn(process.execPath, [...nodeArgs, script, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const append =
      (stream: 'stdout' | 'stderr') =>
      (chunk: Buffer): void => {
        if (this.output.length >= MAX_OUTPUT_CHARS) return;
        const text = chunk.toString();
        this.output += text;
        const lines = (this.partial[stream] + text).split('\n');
        this.partial[stream] = lines.pop() ?? '';
        for (const line of lines) this.text += `${readableLine(line)}\n`;
      };
    this.child.stdout?.on('data', append('stdout'));
    this.child.stderr?.on('data', append('stderr'));
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)));
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Waits until the output matches; fails with the output so far when the process exits or time runs out. The
   * default is generous: a start-up on a busy 2-core machine running other suites can take well over 20 s.
   */
  async waitForOutput(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.text + this.partial.stdout + this.partial.stderr)) {
      if (!this.running) throw new Error(`process exited before ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${this.output}`);
      await sleep(25);
    }
  }

  /** Sends a signal and returns at once (SIGSTOP/SIGCONT to pause and resume it). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Sends a signal, waits for the exit (SIGKILL after `timeoutMs`) and returns the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<number | null> {
    if (!this.running) return this.child.exitCode;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
