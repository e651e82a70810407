import { describe, expect, it } from 'vitest';
import { objectKey } from '../../../src/kube/resource.js';
import { ControllerBuilder, type Source, type SourceEvent, type SourceHandlers } from '../../../src/runtime/controller-builder.js';
import { generationOrMetadataChanged, type KeyedObject } from '../../../src/runtime/event-handlers.js';

const obj = (name: string, extra: Partial<KeyedObject['metadata']> = {}): KeyedObject => ({ metadata: { name, namespace: 'ns', ...extra } });

/** A synced source whose events the test sends. */
function source(): Source<KeyedObject> & { emit(e: SourceEvent<KeyedObject>): void } {
  const handlers = new Set<SourceHandlers<KeyedObject>>();
  return {
    name: 'test',
    addHandlers: (h) => (handlers.add(h), () => handlers.delete(h)),
    hasSynced: () => true,
    waitForSync: async () => undefined,
    emit: (e) => {
      for (const h of handlers) {
        if (e.type === 'add') h.onAdd?.(e.obj);
        else if (e.type === 'update') h.onUpdate?.(e.old, e.obj);
        else h.onDelete?.(e.obj);
      }
    },
  };
}

/** Keys a built controller reconciles for the events sent, with `map` as its watch mapper. */
async function keysFor(map: (e: SourceEvent<KeyedObject>) => string | string[] | undefined, events: SourceEvent<KeyedObject>[]): Promise<string[]> {
  const src = source();
  const keys: string[] = [];
  const ctl = new ControllerBuilder('keys', { workers: 1 }).watch(src, map).reconcile(async (k) => void keys.push(k));
  const abort = new AbortController();
  const run = ctl.start(abort.signal);
  await new Promise((r) => setTimeout(r, 5));
  for (const e of events) {
    src.emit(e);
    await new Promise((r) => setTimeout(r, 5));
  }
  abort.abort();
  await run;
  return keys;
}

describe('watch mappers', () => {
  it('enqueue ns/name for add, update and delete; the object key is kube objectKey', async () => {
    const same = obj('c');
    expect(await keysFor((e) => objectKey(e.obj), [{ type: 'add', obj: obj('a') }, { type: 'delete', obj: obj('b') }, { type: 'update', old: same, obj: same }])).toEqual(['ns/a', 'ns/b', 'ns/c']);
    expect(objectKey({ metadata: { name: 'cluster-scoped' } })).toBe('cluster-scoped');
  });

  it('map secondary objects to owner keys and wake old and new owners', async () => {
    const owner = (o: KeyedObject): string | undefined => (o.metadata.labels?.owner ? `ns/${o.metadata.labels.owner}` : undefined);
    const map = (e: SourceEvent<KeyedObject>): string[] => [e.type === 'update' ? owner(e.old) : undefined, owner(e.obj)].filter((k): k is string => k !== undefined);
    expect(await keysFor(map, [{ type: 'add', obj: obj('x') }, { type: 'update', old: obj('x', { labels: { owner: 'one' } }), obj: obj('x', { labels: { owner: 'two' } }) }])).toEqual(['ns/one', 'ns/two']);
  });

  it('a predicate drops irrelevant updates but never resyncs', async () => {
    const map = (e: SourceEvent<KeyedObject>): string[] | undefined =>
      e.type === 'update' && e.old !== e.obj && !generationOrMetadataChanged(e.old, e.obj) ? undefined : [objectKey(e.obj), `cluster:${e.obj.metadata.name}`];
    expect(await keysFor(map, [{ type: 'update', old: obj('a', { generation: 1, resourceVersion: '1' }), obj: obj('a', { generation: 1, resourceVersion: '2' }) }])).toEqual([]);
    expect(await keysFor(map, [{ type: 'update', old: obj('a', { generation: 1 }), obj: obj('a', { generation: 2 }) }])).toEqual(['ns/a', 'cluster:a']);
    const same = obj('r', { generation: 1 });
    expect(await keysFor(map, [{ type: 'update', old: same, obj: same }])).toEqual(['ns/r', 'cluster:r']);
  });

  it('generationOrMetadataChanged sees labels, annotations and deletion', () => {
    expect(generationOrMetadataChanged(obj('a', { labels: { a: '1' } }), obj('a', { labels: { a: '2' } }))).toBe(true);
    expect(generationOrMetadataChanged(obj('a', { annotations: {} }), obj('a'))).toBe(false);
    expect(generationOrMetadataChanged(obj('a'), obj('a', { annotations: { x: 'y' } }))).toBe(true);
    expect(generationOrMetadataChanged(obj('a'), obj('a', { deletionTimestamp: '2026-01-01T00:00:00Z' }))).toBe(true);
  });
});
