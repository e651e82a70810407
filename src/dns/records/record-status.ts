// Status bookkeeping shared by the ServiceDNSRecord and IngressDNSRecord controllers:
// condition merging that keeps lastTransitionTime, status comparison (write only on
// change), and a small overlay of our own recent writes so that a reconcile running
// before the informer saw our last status write does not PUT a stale resourceVersion
// and earn a 409 for nothing.
import { conditionsEqual, setCondition } from '../../api/conditions.js';
import type { Condition, KubeObject } from '../../api/meta.js';
import type { DNSRecordStatus } from '../../api/multiclusterdns.js';
import type { DynamicClient } from '../../kube/dynamic-client.js';
import type { ResourceRef } from '../../kube/resource.js';
import { clusterDNSEqual } from './service-dns-status.js';
import type { Expectations } from '../../runtime/expectations.js';

/**
 * Replaces the condition of `next.type` in `prev`; lastTransitionTime moves only when
 * the status flips. Other condition types are kept as they are.
 */
export function mergeCondition(prev: readonly Condition[] | undefined, next: Condition, now: () => Date): Condition[] {
  return setCondition(prev, next, now());
}

/** Equality of two statuses as far as the record controllers write them. */
export function recordStatusEqual(a: DNSRecordStatus | undefined, b: DNSRecordStatus | undefined): boolean {
  if ((a?.observedGeneration ?? null) !== (b?.observedGeneration ?? null)) return false;
  if ((a?.domain ?? '') !== (b?.domain ?? '')) return false;
  if (!clusterDNSEqual(a?.dns, b?.dns)) return false;
  return conditionsEqual(a?.conditions, b?.conditions);
}

/**
 * Writes `status` through the status subresource when it differs from `current`'s.
 * The PUT carries current's resourceVersion, so a concurrent change fails with 409 and
 * the controller retries from fresh state. Returns true when it wrote.
 */
export async function writeStatusIfChanged<T extends KubeObject & { status?: DNSRecordStatus }>(
  client: DynamicClient,
  ref: ResourceRef,
  key: string,
  current: T,
  status: DNSRecordStatus,
  overlay: Expectations<T>,
  signal: AbortSignal,
): Promise<boolean> {
  if (recordStatusEqual(current.status, status)) return false;
  // Never mutate a cached object: write a copy.
  const body = { ...structuredClone(current), status } as T;
  try {
    const written = await client.updateStatus<T>(ref, body, { signal });
    overlay.wrote(key, written);
    return true;
  } catch (err) {
    overlay.forget(key);
    throw new Error(`update status of ${ref.kind ?? ref.resource} ${key}`, { cause: err });
  }
}
