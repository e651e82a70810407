// List-then-watch of one resource into a map, restarting after any error (relisting on 410),
// for the simulation agent.
import type { ApiClient } from './api-client.js';

type Obj = Record<string, any>;

export class Reflector {
  readonly items = new Map<string, Obj>();
  private stopWatch: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private rv = '';
  synced = false;

  /** `path`: a collection, e.g. /apis/apps/v1/deployments; `onChange` after every change. */
  constructor(private readonly api: ApiClient, private readonly path: string, private readonly onChange: () => void) {}

  start(): void {
    void this.list();
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
    if (this.timer) clearTimeout(this.timer);
  }

  private retry(relist: boolean): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => (relist ? void this.list() : this.watch()), 500);
  }

  private async list(): Promise<void> {
    if (this.stopped) return;
    try {
      const body = await this.api.must('GET', this.path);
      this.items.clear();
      for (const o of (body.items ?? []) as Obj[]) this.items.set(key(o), o);
      this.rv = String(body.metadata?.resourceVersion ?? '');
      this.synced = true;
      this.onChange();
      this.watch();
    } catch {
      this.retry(true);
    }
  }

  private watch(): void {
    if (this.stopped) return;
    const sep = this.path.includes('?') ? '&' : '?';
    this.stopWatch = this.api.watch(`${this.path}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(this.rv)}`, {
      onEvent: (type, obj) => {
        if (obj.metadata?.resourceVersion) this.rv = String(obj.metadata.resourceVersion);
        if (type === 'BOOKMARK') return;
        if (type === 'DELETED') this.items.delete(key(obj));
        else this.items.set(key(obj), obj);
        this.onChange();
      },
      onEnd: (_err, gone) => this.retry(gone),
    });
  }
}

function key(o: Obj): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
}
