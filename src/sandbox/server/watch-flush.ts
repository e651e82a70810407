// When watch streams write their queued events. An event on a quiet hub leaves on the next turn of
// the event loop; while events keep coming, the streams are written at most once per window, so a
// busy stream sends several events per chunk (one TLS record, one syscall, one read for the client)
// instead of one each. The cost is at most one window of delay, only under load.

export class WatchFlusher {
  private readonly dirty = new Set<() => void>();
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastRun = -Infinity;

  constructor(private readonly windowMs: number) {}

  /** Calls `flush` soon: on the next turn when the last run is a window ago, else when the window ends. */
  add(flush: () => void): void {
    this.dirty.add(flush);
    if (this.immediate !== undefined || this.timer !== undefined) return;
    const wait = this.lastRun + this.windowMs - performance.now();
    if (wait <= 0) this.immediate = setImmediate(this.run);
    else this.timer = setTimeout(this.run, wait);
  }

  /** Forgets a pending call (its stream flushes and ends by itself). */
  remove(flush: () => void): void {
    this.dirty.delete(flush);
  }

  private readonly run = (): void => {
    this.immediate = undefined;
    this.timer = undefined;
    this.lastRun = performance.now();
    const due = [...this.dirty];
    this.dirty.clear();
    for (const flush of due) flush();
  };
}
