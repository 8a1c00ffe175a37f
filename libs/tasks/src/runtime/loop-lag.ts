const SAMPLE_MS = 50;

/**
 * Event-loop lag as a ticking timer sees it: how late each 50 ms tick fires. (perf_hooks'
 * monitorEventLoopDelay reports about its own resolution on Node 20, whatever the load.) `take()` returns the
 * worst lag since the last call, in ms, and starts a new window.
 */
export class LoopLag {
  private last = performance.now();
  private worst = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => {
      const now = performance.now();
      this.worst = Math.max(this.worst, now - this.last - SAMPLE_MS);
      this.last = now;
    }, SAMPLE_MS);
    this.timer.unref();
  }

  take(): number {
    const worst = Math.max(this.worst, performance.now() - this.last - SAMPLE_MS, 0);
    this.worst = 0;
    return Math.round(worst * 10) / 10;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
