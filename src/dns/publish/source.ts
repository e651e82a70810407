// The source: what should be published, per zone of a provider. Desired endpoints come
// from DNSEndpoints (kfed's group, and external-dns's where enabled), each labelled with
// the resource it came from (`kfed.io/resource`), so that the plan keeps a stable winner
// when two resources want one name and the status can be written back to the resource.
//
// Which endpoints may be published at all is decided in ../ownership.ts, as for the
// embedded server: sources outside the scope are ignored, a name is published only from
// its owner, rejected record types never reach a provider, one TTL per record set.
//
// An endpoint goes to the most specific zone of the provider that contains its name,
// and only when the name is inside one of the provider's domains.
import type { DNSEndpoint, Endpoint } from '../../api/multiclusterdns.js';
import { EXTERNALDNS_GROUP } from '../../api/multiclusterdns.js';
import { normalizeDNSName } from '../naming.js';
import { resolveOwnership, type EndpointScope } from '../ownership.js';
import { RESOURCE_LABEL } from '../plan.js';
import { DEFAULT_KUBEFED_NAMESPACE } from '../../api/core.js';
import type { ProviderZone } from './provider.js';

/** Where a desired endpoint came from. */
export interface SourceRef {
  group: string;
  namespace: string;
  name: string;
  generation: number;
  /** uid and resourceVersion when the object has no generation: what identifies its content. */
  version: string;
}

/**
 * The resource label of a DNSEndpoint: external-dns's own form (`crd/<ns>/<name>`) for
 * its group, so that external-dns reading kfed's claims sees a familiar value.
 */
export function resourceId(ref: Pick<SourceRef, 'group' | 'namespace' | 'name'>): string {
  return ref.group === EXTERNALDNS_GROUP ? `crd/${ref.namespace}/${ref.name}` : `dnsendpoint/${ref.namespace}/${ref.name}`;
}

export function sourceRef(obj: DNSEndpoint): SourceRef {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.slice(0, obj.apiVersion.indexOf('/')) : '';
  const m = obj.metadata;
  return { group, namespace: m.namespace ?? '', name: m.name ?? '', generation: m.generation ?? 0, version: `${m.uid ?? ''}/${m.generation !== undefined ? '' : (m.resourceVersion ?? '')}` };
}

export function inDomain(name: string, domain: string): boolean {
  const n = normalizeDNSName(name);
  const d = normalizeDNSName(domain);
  return n === d || n.endsWith(`.${d}`);
}

/** The most specific zone holding `name`, or undefined. */
export function zoneFor(name: string, zones: readonly ProviderZone[]): ProviderZone | undefined {
  let best: ProviderZone | undefined;
  for (const z of zones) if (inDomain(name, z.name) && (!best || z.name.length > best.name.length)) best = z;
  return best;
}

export interface DesiredZone {
  zone: ProviderZone;
  /** Endpoints per source resource id. */
  byResource: Map<string, Endpoint[]>;
}

export interface DesiredState {
  zones: Map<string, DesiredZone>;
  /** Every source resource seen, by resource id (also those with nothing in this provider). */
  sources: Map<string, SourceRef>;
}

/** Desired endpoints of `objects` for a provider's zones and domains. Deleted objects are left out. */
export function desiredState(
  objects: readonly DNSEndpoint[], zones: readonly ProviderZone[], domains: readonly string[],
  scope: EndpointScope = { kubefedNamespace: DEFAULT_KUBEFED_NAMESPACE },
): DesiredState {
  const state: DesiredState = { zones: new Map(zones.map((z) => [z.id, { zone: z, byResource: new Map() }])), sources: new Map() };
  for (const obj of objects) {
    if (obj.metadata.deletionTimestamp) continue;
    const ref = sourceRef(obj);
    state.sources.set(resourceId(ref), ref);
  }
  for (const { object, endpoints } of resolveOwnership(objects, scope).accepted) {
    const id = resourceId(sourceRef(object));
    for (const e of endpoints) {
      if (typeof e?.dnsName !== 'string' || !domains.some((d) => inDomain(e.dnsName, d))) continue;
      const zone = zoneFor(e.dnsName, zones);
      if (!zone) continue;
      const desired = state.zones.get(zone.id);
      if (!desired) continue;
      const labelled: Endpoint = { ...e, targets: [...(e.targets ?? [])], labels: { ...(e.labels ?? {}), [RESOURCE_LABEL]: id } };
      const list = desired.byResource.get(id);
      if (list) list.push(labelled);
      else desired.byResource.set(id, [labelled]);
    }
  }
  return state;
}
