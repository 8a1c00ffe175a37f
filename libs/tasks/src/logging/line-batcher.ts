import type { DestinationStream } from 'pino';

/** What the batcher writes to: a sonic-boom stream (pino.destination). */
interface Sink {
  write(data: string): boolean;
  flush(cb?: (error?: Error) => void): void;
  flushSync(): void;
}

/** A batch is handed over once it holds this many characters… */
const MAX_CHARS = 64 * 1024;
/** …or this long after its first line: a log line is out within this of being written. */
const HAND_OVER_MS = 20;

/**
 * Gathers lines and hands them to the sink as one string: when they reach `MAX_CHARS`, `HAND_OVER_MS` after
 * the first of them, on `flush`, and when the process exits. Each hand-over is one write system call (to a
 * pipe, it also wakes the reader): a busy worker writes two lines per task, tens of thousands a second, and
 * one call per turn of the event loop cost it about a sixth of its CPU (docs/OBSERVABILITY.md); one per 20 ms
 * or 64 KiB costs nearly nothing. sonic-boom would also measure the UTF-8 length of its pending chunk on
 * every write call. What a SIGKILL catches here is lost, as it would be in sonic-boom's own buffer.
 */
export class LineBatcher implements DestinationStream {
  private lines: string[] = [];
  private chars = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly sink: Sink) {
    // pino's own exit hook flushes the sink: lines still here must reach it first
    process.once('exit', () => this.flushSync());
  }

  write(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= MAX_CHARS) this.handOver();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.handOver(), HAND_OVER_MS);
      // pending lines never keep a process alive: the exit hook writes them
      this.timer.unref();
    }
  }

  flush(cb?: (error?: Error) => void): void {
    this.handOver();
    this.sink.flush(cb);
  }

  flushSync(): void {
    this.handOver();
    try {
      this.sink.flushSync();
    } catch {
      // not open yet, or closed: nothing more can be written
    }
  }

  private handOver(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines.length === 0) return;
    const batch = this.lines.length === 1 ? this.lines[0] : this.lines.join('');
    this.lines = [];
    this.chars = 0;
    this.sink.write(batch);
  }
}
