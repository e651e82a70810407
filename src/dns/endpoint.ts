// The endpoint model every DNS layer shares: the renderer, the plan, the registry, the
// embedded server and each provider. An endpoint is one record set in external-dns's
// shape (name, type, optional set identifier); its identity, order and canonical forms
// live here so that every layer agrees on when two endpoints are "the same record".
import type { Endpoint, ProviderSpecificProperty } from '../api/multiclusterdns.js';
import { canonicalTarget, compareText, normalizeDNSName } from './naming.js';

export type { Endpoint, ProviderSpecificProperty, RecordType } from '../api/multiclusterdns.js';

/** Identity of an endpoint: name, type and set identifier (what external-dns keys records by). */
export function endpointKey(e: Pick<Endpoint, 'dnsName' | 'recordType' | 'setIdentifier'>): string {
  return `${normalizeDNSName(e.dnsName)}\u0000${e.recordType}\u0000${e.setIdentifier ?? ''}`;
}

/** A key in a readable form, for messages: `name TYPE [set]`. */
export function describeEndpoint(e: Pick<Endpoint, 'dnsName' | 'recordType' | 'setIdentifier'>): string {
  return `${normalizeDNSName(e.dnsName)} ${e.recordType}${e.setIdentifier ? ` [${e.setIdentifier}]` : ''}`;
}

/** Canonical endpoint order: name, then record type, then set identifier. */
export function compareEndpoints(a: Endpoint, b: Endpoint): number {
  return compareText(a.dnsName, b.dnsName) || compareText(a.recordType, b.recordType) || compareText(a.setIdentifier ?? '', b.setIdentifier ?? '');
}

/** Targets in canonical form (case, trailing dot and IPv6 spelling folded), deduplicated and sorted. */
export function canonicalTargets(targets: readonly string[] | undefined): string[] {
  return [...new Set((targets ?? []).map(canonicalTarget).filter((t) => t.length > 0))].sort(compareText);
}

/** Provider-specific properties sorted by name, then value (copies). */
export function canonicalProps(props: readonly ProviderSpecificProperty[] | undefined): ProviderSpecificProperty[] {
  return [...(props ?? [])].map((p) => ({ name: p.name, value: p.value })).sort((a, b) => compareText(a.name, b.name) || compareText(a.value, b.value));
}

/** The value of one provider-specific property, or undefined. */
export function propertyOf(e: Pick<Endpoint, 'providerSpecific'>, name: string): string | undefined {
  return e.providerSpecific?.find((p) => p.name === name)?.value;
}

/** Groups items by a key, keeping first-seen order within each group. */
export function groupEndpoints<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = m.get(k);
    if (group) group.push(item);
    else m.set(k, [item]);
  }
  return m;
}
