// Status conditions, written one way everywhere: one timestamp format (RFC 3339 with whole
// seconds, as metav1.Time serialises; floor, never round, so a time is never in the future),
// one merge (lastTransitionTime moves only when the status flips) and one equality
// (timestamps aside). Propagation, RSP, DNS record, Domain and KubeFedCluster status use it.

/** The fields the helpers read; every condition type in src/api has them. */
export interface ConditionLike {
  type: string;
  status: string;
  reason?: string | undefined;
  message?: string | undefined;
  lastTransitionTime?: string | undefined;
  observedGeneration?: number | undefined;
}

/** A Kubernetes timestamp: `2026-01-01T00:00:00Z`. */
export function kubeTime(at: Date | number): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Replaces the condition of `next.type` in `prev` (others kept), sorted by type; its
 * lastTransitionTime is the old one while the status holds, else `now`.
 */
export function setCondition<C extends ConditionLike>(prev: readonly C[] | undefined, next: C, now: Date | number): C[] {
  const old = (prev ?? []).find((c) => c.type === next.type);
  const lastTransitionTime = old && old.status === next.status && old.lastTransitionTime ? old.lastTransitionTime : kubeTime(now);
  const merged: C = { ...next, lastTransitionTime };
  return [...(prev ?? []).filter((c) => c.type !== next.type), merged].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

function conditionKey(c: ConditionLike, withTime: boolean): string {
  return JSON.stringify([c.type, c.status, c.reason ?? '', c.message ?? '', c.observedGeneration ?? null, withTime ? (c.lastTransitionTime ?? '') : '']);
}

/** Same conditions in any order: types, statuses, reasons, messages, generations, and lastTransitionTime unless `ignoreTime`. */
export function conditionsEqual(a: readonly ConditionLike[] | undefined, b: readonly ConditionLike[] | undefined, opts: { ignoreTime?: boolean } = {}): boolean {
  const withTime = !opts.ignoreTime;
  const ka = (a ?? []).map((c) => conditionKey(c, withTime)).sort();
  const kb = (b ?? []).map((c) => conditionKey(c, withTime)).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}
