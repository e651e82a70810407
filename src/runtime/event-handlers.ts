// Update predicates for watch mappers (level-triggered, see docs/contributing.md): a
// mapper given to ControllerBuilder.watch may drop updates that cannot matter. The object
// key itself is kube/resource.ts's objectKey, the one in kfed.

/** The object shape the helpers need; structurally compatible with KubeObject. */
export interface KeyedObject {
  metadata: { name?: string; namespace?: string; generation?: number; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string };
}

/** Decides whether an update event should enqueue; resyncs (same object) always pass. */
export type UpdatePredicate<T> = (oldObj: T, newObj: T) => boolean;

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
