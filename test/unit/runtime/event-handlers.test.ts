import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import type { InformerHandlers } from '../../../src/kube/informer.js';
import { Controller } from '../../../src/runtime/controller.js';
import { enqueueHandlers, generationOrMetadataChanged, keyOf, type KeyedObject } from '../../../src/runtime/event-handlers.js';

const obj = (name: string, extra: Partial<KeyedObject['metadata']> = {}): KeyedObject => ({ metadata: { name, namespace: 'ns', ...extra } });

describe('enqueueHandlers', () => {
  it('enqueues ns/name by default for add, update and delete', () => {
    const keys: string[] = [];
    const h = enqueueHandlers({ enqueue: (k) => keys.push(k) });
    h.onAdd(obj('a'));
    h.onDelete(obj('b'));
    const same = obj('c');
    h.onUpdate(same, same); // resync
    expect(keys).toEqual(['ns/a', 'ns/b', 'ns/c']);
    expect(keyOf({ metadata: { name: 'cluster-scoped' } })).toBe('cluster-scoped');
  });

  it('maps secondary objects to owner keys and wakes old and new owners', () => {
    const keys: string[] = [];
    const owner = (o: KeyedObject) => (o.metadata.labels?.owner ? `ns/${o.metadata.labels.owner}` : undefined);
    const h = enqueueHandlers({ enqueue: (k) => keys.push(k) }, owner);
    h.onAdd(obj('x'));
    h.onUpdate(obj('x', { labels: { owner: 'one' } }), obj('x', { labels: { owner: 'two' } }));
    expect(keys).toEqual(['ns/one', 'ns/two']);
  });

  it('a predicate drops irrelevant updates but never resyncs', () => {
    const keys: string[] = [];
    const h = enqueueHandlers({ enqueue: (k) => keys.push(k) }, (o) => [keyOf(o), `cluster:${o.metadata.name}`], generationOrMetadataChanged);
    h.onUpdate(obj('a', { generation: 1, resourceVersion: '1' }), obj('a', { generation: 1, resourceVersion: '2' })); // status only
    expect(keys).toEqual([]);
    h.onUpdate(obj('a', { generation: 1 }), obj('a', { generation: 2 }));
    expect(keys).toEqual(['ns/a', 'cluster:a', 'ns/a', 'cluster:a']);
    const same = obj('r', { generation: 1 });
    keys.length = 0;
    h.onUpdate(same, same);
    expect(keys).toEqual(['ns/r', 'cluster:r']);
  });

  it('generationOrMetadataChanged sees labels, annotations and deletion', () => {
    expect(generationOrMetadataChanged(obj('a', { labels: { a: '1' } }), obj('a', { labels: { a: '2' } }))).toBe(true);
    expect(generationOrMetadataChanged(obj('a', { annotations: {} }), obj('a'))).toBe(false);
    expect(generationOrMetadataChanged(obj('a'), obj('a', { annotations: { x: 'y' } }))).toBe(true);
    expect(generationOrMetadataChanged(obj('a'), obj('a', { deletionTimestamp: '2026-01-01T00:00:00Z' }))).toBe(true);
  });
});

describe('compatibility', () => {
  it('plugs into an Informer and a Controller without adapters', () => {
    const c = new Controller({ name: 'compat', reconcile: async () => undefined });
    const h: InformerHandlers<KubeObject> = enqueueHandlers<KubeObject>(c);
    h.onAdd?.({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'n' } });
    expect(c.queue.length).toBe(1);
  });
});
