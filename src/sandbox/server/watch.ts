// Streaming watches: history replay from a resourceVersion, selector transitions,
// bookmarks, timeouts, 410 for compacted history, and fault-driven drops.
import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/meta.js';
import { ResourceVersionGoneError, type ObjectStore, type StoreEvent } from '../store/object-store.js';
import { matchFilter, type ObjectFilter } from '../store/selectors.js';
import { gvString, resourceKey, type ResourceDef } from '../resources/types.js';
import { toTable, type IncludeObject } from './table.js';
import { objectJson } from '../store/object-json.js';
import { WatchFlusher } from './watch-flush.js';

export interface WatchRequest {
  def: ResourceDef;
  version: string;
  filter: ObjectFilter;
  resourceVersion: string | undefined;
  allowBookmarks: boolean;
  timeoutSeconds: number;
  bookmarkIntervalMs: number;
  /**
   * Watch-list (client-go's WatchListClient, on by default in kubectl 1.35+): the current
   * state as ADDED events, then a BOOKMARK annotated `k8s.io/initial-events-end`, then
   * changes, whatever resourceVersion was asked for (NotOlderThan: now is never older).
   */
  sendInitialEvents?: boolean;
  table?: IncludeObject;
}

/** The last event line built: every watcher of a resource sends the same line for an event, encoded once. */
let lastLine = { type: '', objectText: '', line: Buffer.alloc(0) };

function eventLine(type: string, objectText: string): Buffer {
  if (lastLine.objectText === objectText && lastLine.type === type) return lastLine.line;
  const line = Buffer.from(`{"type":"${type}","object":${objectText}}\n`);
  lastLine = { type, objectText, line };
  return line;
}

export class WatchHub {
  private readonly active = new Set<() => void>();
  private readonly flusher: WatchFlusher;

  /** `batchWindowMs`: under load, how long events may wait to leave together (default 2 ms). */
  constructor(private readonly store: ObjectStore, batchWindowMs = 2) {
    this.flusher = new WatchFlusher(batchWindowMs);
  }

  get count(): number {
    return this.active.size;
  }

  /** End every open watch (clients see the stream close and must re-watch). */
  dropAll(): void {
    for (const end of [...this.active]) end();
  }

  serve(res: ServerResponse, w: WatchRequest): void {
    const key = resourceKey(w.def.group, w.def.plural);
    const apiVersion = gvString(w.def.group, w.version);
    /** The event's object as JSON text: the cached text of the stored object when no conversion is needed. */
    const out = (o: KubeObject): string => {
      if (w.table) return JSON.stringify(toTable(w.def, w.version, [o.apiVersion === apiVersion ? o : { ...o, apiVersion, kind: w.def.kind }], { resourceVersion: o.metadata.resourceVersion }, w.table));
      return o.apiVersion === apiVersion ? objectJson(o) : JSON.stringify({ ...o, apiVersion, kind: w.def.kind });
    };
    // Events are queued and written in batches (see WatchFlusher): several events leave as one
    // chunk, one TLS record and one syscall per watcher instead of one each. Order is kept.
    // A history replay goes out in pieces of about 256 KiB rather than as one string.
    let queued: Buffer[] = [];
    let queuedBytes = 0;
    const flush = (): void => {
      if (queued.length === 0 || res.writableEnded || res.destroyed) return;
      const data = queued.length === 1 ? queued[0]! : Buffer.concat(queued, queuedBytes);
      queued = [];
      queuedBytes = 0;
      res.write(data);
    };
    const send = (type: string, objectText: string): void => {
      const line = eventLine(type, objectText);
      queued.push(line);
      queuedBytes += line.length;
      if (queuedBytes >= 256 * 1024) flush();
      else this.flusher.add(flush);
    };
    /** Ends the stream after the events already sent. */
    const finish = (): void => {
      this.flusher.remove(flush);
      flush();
      if (!res.writableEnded) res.end();
    };
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    // `setNoDelay` so small events are not held back by Nagle
    res.socket?.setNoDelay(true);
    // clients wait for the response headers before they count the watch as established
    res.flushHeaders();

    const deliver = (ev: StoreEvent): void => {
      if (ev.resource !== key) return;
      const now = matchFilter(w.filter, ev.obj);
      if (ev.type === 'MODIFIED' && ev.prev) {
        const before = matchFilter(w.filter, ev.prev);
        if (before && now) send('MODIFIED', out(ev.obj));
        else if (!before && now) send('ADDED', out(ev.obj));
        else if (before && !now) send('DELETED', out(ev.obj));
      } else if (now) send(ev.type, out(ev.obj));
    };

    let pending: StoreEvent[] | undefined;
    const rvParam = w.resourceVersion;
    if (w.sendInitialEvents) {
      for (const o of this.store.list(key, w.filter.namespace)) if (matchFilter(w.filter, o)) send('ADDED', out(o));
      send('BOOKMARK', JSON.stringify({ kind: w.def.kind, apiVersion, metadata: { resourceVersion: String(this.store.currentRv), annotations: { 'k8s.io/initial-events-end': 'true' } } }));
    } else if (rvParam && rvParam !== '0') {
      const rv = Number(rvParam);
      if (!Number.isFinite(rv)) {
        send('ERROR', JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `invalid resource version "${rvParam}"`, reason: 'BadRequest', code: 400 }));
        finish();
        return;
      }
      try {
        pending = this.store.eventsSince(rv);
      } catch (err) {
        if (!(err instanceof ResourceVersionGoneError)) throw err;
        send('ERROR', JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.message, reason: 'Expired', code: 410 }));
        finish();
        return;
      }
    } else {
      for (const o of this.store.list(key, w.filter.namespace)) if (matchFilter(w.filter, o)) send('ADDED', out(o));
    }
    for (const ev of pending ?? []) deliver(ev);
    const unsubscribe = this.store.subscribe(deliver);

    const bookmark = w.allowBookmarks
      ? setInterval(() => send('BOOKMARK', JSON.stringify({ kind: w.def.kind, apiVersion, metadata: { resourceVersion: String(this.store.currentRv) } })), w.bookmarkIntervalMs)
      : undefined;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      unsubscribe();
      if (bookmark) clearInterval(bookmark);
      clearTimeout(timer);
      this.active.delete(end);
      finish();
    };
    const timer = setTimeout(end, w.timeoutSeconds * 1000);
    this.active.add(end);
    res.on('close', end);
  }
}
