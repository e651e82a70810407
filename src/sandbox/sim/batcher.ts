// Collects store events and runs a reconcile on the next turn of the event loop, so
// simulated controllers never write from inside another write.
export class Batcher<K> {
  private readonly dirty = new Set<K>();
  private scheduled: NodeJS.Immediate | NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly run: (keys: Set<K>) => void, private readonly delayMs = 0) {}

  add(key: K): void {
    if (this.stopped) return;
    this.dirty.add(key);
    if (!this.scheduled) this.scheduled = this.delayMs > 0 ? setTimeout(() => this.flush(), this.delayMs) : setImmediate(() => this.flush());
  }

  stop(): void {
    this.stopped = true;
    if (this.scheduled) {
      clearTimeout(this.scheduled as NodeJS.Timeout);
      clearImmediate(this.scheduled as NodeJS.Immediate);
    }
    this.scheduled = undefined;
  }

  private flush(): void {
    this.scheduled = undefined;
    if (this.stopped) return;
    const keys = new Set(this.dirty);
    this.dirty.clear();
    this.run(keys);
  }
}
