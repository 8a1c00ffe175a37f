import type { DestinationStream } from 'pino';

/** What the batcher writes to: a sonic-boom stream (pino.destination). */
interface Sink {
  write(data: string): boolean;
  flush(cb?: (error?: Error) => void): void;
  flushSync(): void;
}

/** Lines gathered before they are handed over at once, whatever the event loop does. */
const MAX_LINES = 512;

/**
 * Gathers the lines written in one turn of the event loop and hands them to the sink as one string. sonic-boom
 * costs microseconds per write call (it measures the UTF-8 length of its pending chunk each time); a worker
 * writes several lines per task, tens of thousands a second, so that cost is paid once per batch instead.
 * What is gathered is handed over on the next `setImmediate`, on `flush`, and when the process exits.
 */
export class LineBatcher implements DestinationStream {
  private lines: string[] = [];
  private scheduled = false;

  constructor(private readonly sink: Sink) {
    // pino's own exit hook flushes the sink: lines still here must reach it first
    process.once('exit', () => this.flushSync());
  }

  write(line: string): void {
    this.lines.push(line);
    if (this.lines.length >= MAX_LINES) this.handOver();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.handOver();
      });
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
    if (this.lines.length === 0) return;
    const batch = this.lines.length === 1 ? this.lines[0] : this.lines.join('');
    this.lines = [];
    this.sink.write(batch);
  }
}
