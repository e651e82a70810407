// Informer handlers that only compute keys and enqueue them (level-triggered, see
// docs/contributing.md). A pure mapping function turns a primary or secondary object into the
// keys of the objects to reconcile; predicates drop updates that cannot matter.

/** The object shape the helpers need; structurally compatible with KubeObject. */
export interface KeyedObject {
  metadata: { name?: string; namespace?: string; generation?: number; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string };
}

export type KeyMapper<T> = (obj: T) => string | readonly string[] | undefined;

/** Decides whether an update event should enqueue; resyncs (same object) always pass. */
export type UpdatePredicate<T> = (oldObj: T, newObj: T) => boolean;

export interface EnqueueTarget {
  enqueue(key: string): void;
}

export interface Handlers<T> {
  onAdd(obj: T): void;
  onUpdate(oldObj: T, newObj: T): void;
  onDelete(obj: T): void;
}

/** `ns/name`, or `name` for cluster-scoped objects: the default key of a primary object. */
export function keyOf(obj: KeyedObject): string {
  const name = obj.metadata.name ?? '';
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${name}` : name;
}

export function enqueueHandlers<T extends KeyedObject>(
  target: EnqueueTarget,
  map: KeyMapper<T> = keyOf,
  predicate?: UpdatePredicate<T>,
): Handlers<T> {
  const push = (obj: T): void => {
    const keys = map(obj);
    if (keys === undefined) return;
    if (typeof keys === 'string') target.enqueue(keys);
    else for (const k of keys) target.enqueue(k);
  };
  return {
    onAdd: push,
    onUpdate: (oldObj, newObj) => {
      if (oldObj !== newObj && predicate && !predicate(oldObj, newObj)) return;
      // A secondary object can move between owners (e.g. a label change): wake both.
      if (oldObj !== newObj) push(oldObj);
      push(newObj);
    },
    onDelete: push,
  };
}

/** Spec changes (generation), label/annotation changes, and the start of deletion. */
export function generationOrMetadataChanged<T extends KeyedObject>(oldObj: T, newObj: T): boolean {
  const a = oldObj.metadata;
  const b = newObj.metadata;
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    !shallowEqual(a.labels, b.labels) ||
    !shallowEqual(a.annotations, b.annotations)
  );
}

function shallowEqual(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  if (ka.length !== kb.length) return false;
  return ka.every((k) => a?.[k] === b?.[k]);
}
