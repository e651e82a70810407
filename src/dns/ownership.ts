// Who may publish a DNS name. The one decision the embedded server's feed, the publishing
// pipeline and the status controller share, so that a name no provider publishes is not
// served either, and the objects that lost are told why (issue 18 item 1).
//
// 1. Scope: a DNSEndpoint is read only from the KubeFed namespace and from namespaces that
//    hold a DNSEndpoint kfed rendered from a ServiceDNSRecord or IngressDNSRecord (where
//    kfed's own records live); external-dns's DNSEndpoints (externaldns.k8s.io) also from
//    the namespaces or labels an operator lists (`--dns-endpoint-namespaces`,
//    `--dns-endpoint-selector`). Everything else is ignored.
// 2. Checks: record types the server cannot serve (DNAME, NAPTR, TLSA, ...) and a CNAME
//    whose target is an IP address are rejected, per endpoint.
// 3. Ownership: a name belongs to the oldest source that publishes it (creationTimestamp,
//    then namespace/name, then group: the same answer on every replica and after every
//    restart); another source's endpoints at that name are dropped, whatever their type or
//    set identifier, and both sides get a conflict.
// 4. One TTL per record set (RFC 2181 section 5.2): where an owner's endpoints of one name
//    and type carry different TTLs, all take the lowest, with a warning.
import type { LabelSelector } from '../api/meta.js';
import { DNS_GROUP, EXTERNALDNS_GROUP, type DNSEndpoint, type Endpoint } from '../api/multiclusterdns.js';
import { selectorMatches } from '../kube/label-selector.js';
import { classifyTarget, compareText, normalizeDNSName } from './naming.js';

/** Record types the embedded server answers and the providers publish. */
export const SERVED_RECORD_TYPES: ReadonlySet<string> = new Set(['A', 'AAAA', 'CNAME', 'TXT', 'NS', 'SRV', 'MX', 'PTR', 'CAA']);

/** Owner kinds of the DNSEndpoints kfed renders. */
const RECORD_KINDS = new Set(['ServiceDNSRecord', 'IngressDNSRecord']);

export interface EndpointScope {
  /** The KubeFed namespace: always read. */
  kubefedNamespace: string;
  /** external-dns's DNSEndpoints are also read from these namespaces (`*`: every namespace). */
  externalDNSNamespaces?: readonly string[] | undefined;
  /** ... and wherever their labels match this selector. */
  externalDNSSelector?: LabelSelector | undefined;
  /**
   * Namespaces of kfed's records, when the objects resolved are a selection (a DNSProvider's
   * endpointSelector): computed from every DNSEndpoint with recordNamespacesOf. Default:
   * from the objects resolved.
   */
  recordNamespaces?: ReadonlySet<string> | undefined;
}

/** One source of records: a DNSEndpoint of either group. */
export interface SourceId {
  group: string;
  namespace: string;
  name: string;
}

export type RejectReason = 'UnsupportedType' | 'CNAMEToAddress';

export interface Rejection {
  source: SourceId;
  dnsName: string;
  recordType: string;
  reason: RejectReason;
  message: string;
}

/** A name two or more sources publish: the owner keeps it, the others lose it. */
export interface NameConflict {
  name: string;
  owner: SourceId;
  losers: SourceId[];
}

export interface TTLAdjustment {
  source: SourceId;
  name: string;
  recordType: string;
  /** The TTLs found, sorted; 0 stands for an unset one (the server's default). */
  ttls: number[];
  used: number;
}

export interface Resolution {
  /** Endpoints to serve and publish, per in-scope source (TTLs unified; never the input objects changed). */
  accepted: { object: DNSEndpoint; source: SourceId; endpoints: Endpoint[] }[];
  conflicts: NameConflict[];
  rejections: Rejection[];
  ttl: TTLAdjustment[];
  /** DNSEndpoints left out because of their namespace (not counted as problems). */
  outOfScope: number;
}

export function groupOf(obj: Pick<DNSEndpoint, 'apiVersion'>): string {
  const v = obj.apiVersion ?? '';
  const slash = v.indexOf('/');
  return slash < 0 ? '' : v.slice(0, slash);
}

export function sourceId(obj: DNSEndpoint): SourceId {
  return { group: groupOf(obj), namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' };
}

/** `group/namespace/name`: a key for maps and messages. */
export function sourceKey(s: SourceId): string {
  return `${s.group}/${s.namespace}/${s.name}`;
}

/** How a source is named in messages: `DNSEndpoint ns/name` (plus the group for external-dns's). */
export function describeSource(s: SourceId): string {
  return `DNSEndpoint ${s.namespace}/${s.name}${s.group === EXTERNALDNS_GROUP ? ` (${EXTERNALDNS_GROUP})` : ''}`;
}

/** True when kfed rendered this DNSEndpoint from one of its records (controller owner reference). */
export function isRenderedByKfed(obj: DNSEndpoint): boolean {
  return groupOf(obj) === DNS_GROUP && (obj.metadata.ownerReferences ?? []).some((r) => r.controller === true && RECORD_KINDS.has(r.kind));
}

/** Namespaces holding a DNSEndpoint kfed rendered from one of its records. */
export function recordNamespacesOf(objects: readonly DNSEndpoint[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects) if (isRenderedByKfed(o) && o.metadata.namespace) out.add(o.metadata.namespace);
  return out;
}

/** The namespaces DNSEndpoints are read from, given every DNSEndpoint the host holds. */
export function scopeFilter(objects: readonly DNSEndpoint[], scope: EndpointScope): (obj: DNSEndpoint) => boolean {
  const recordNamespaces = new Set<string>([scope.kubefedNamespace, ...(scope.recordNamespaces ?? recordNamespacesOf(objects))]);
  const wide = new Set(scope.externalDNSNamespaces ?? []);
  return (obj) => {
    const ns = obj.metadata.namespace ?? '';
    if (recordNamespaces.has(ns)) return true;
    if (groupOf(obj) !== EXTERNALDNS_GROUP) return false;
    if (wide.has('*') || wide.has(ns)) return true;
    return scope.externalDNSSelector !== undefined && selectorMatches(scope.externalDNSSelector, obj.metadata.labels);
  };
}

/** Older first; the same order on every replica (creationTimestamp has one-second resolution). */
export function compareSeniority(a: DNSEndpoint, b: DNSEndpoint): number {
  return bySeniority({ source: sourceId(a), at: createdAt(a) }, { source: sourceId(b), at: createdAt(b) });
}

/** Why an endpoint cannot be served, or undefined. */
export function endpointProblem(e: Endpoint): { reason: RejectReason; message: string } | undefined {
  const type = String(e.recordType);
  if (!SERVED_RECORD_TYPES.has(type)) {
    return { reason: 'UnsupportedType', message: `record type ${type} is not served or published by kfed (supported: ${[...SERVED_RECORD_TYPES].join(', ')})` };
  }
  if (type === 'CNAME') {
    const ip = (e.targets ?? []).find((t) => { const k = classifyTarget(String(t)).kind; return k === 'ipv4' || k === 'ipv6'; });
    if (ip !== undefined) return { reason: 'CNAMEToAddress', message: `CNAME target ${ip} is an IP address, not a name (use an A or AAAA record)` };
  }
  return undefined;
}

/** The whole decision: scope, checks, ownership and TTLs. Pure; deleted objects are left out. */
export function resolveOwnership(objects: readonly DNSEndpoint[], scope: EndpointScope): Resolution {
  const inScope = scopeFilter(objects, scope);
  const live = objects.filter((o) => !o.metadata.deletionTimestamp);
  // Sort keys computed once per object, not per comparison (this runs on every snapshot build).
  const sources = live.filter(inScope).map((object) => ({ object, source: sourceId(object), at: createdAt(object) })).sort(bySeniority);
  const res: Resolution = { accepted: [], conflicts: [], rejections: [], ttl: [], outOfScope: live.length - sources.length };
  const owners = new Map<string, { owner: SourceId; losers: Map<string, SourceId> | undefined }>();
  for (const { object, source } of sources) {
    const key = sourceKey(source);
    const kept: Endpoint[] = [];
    const names: string[] = [];
    for (const e of object.spec?.endpoints ?? []) {
      if (typeof e?.dnsName !== 'string') continue;
      const problem = endpointProblem(e);
      const name = normalizeDNSName(e.dnsName);
      if (problem) {
        res.rejections.push({ source, dnsName: name, recordType: String(e.recordType), ...problem });
        continue;
      }
      const claim = owners.get(name);
      if (!claim) owners.set(name, { owner: source, losers: undefined });
      else if (claim.owner !== source) {
        (claim.losers ??= new Map()).set(key, source);
        continue;
      }
      kept.push(e);
      names.push(name);
    }
    res.accepted.push({ object, source, endpoints: unifyTTLs(source, kept, names, res.ttl) });
  }
  for (const [name, c] of owners) if (c.losers) res.conflicts.push({ name, owner: c.owner, losers: [...c.losers.values()] });
  return res;
}

function createdAt(obj: DNSEndpoint): number {
  const t = Date.parse(obj.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
}

function bySeniority(a: { source: SourceId; at: number }, b: { source: SourceId; at: number }): number {
  if (a.at !== b.at) return a.at - b.at;
  return compareSources(a.source, b.source);
}

function compareSources(sa: SourceId, sb: SourceId): number {
  // kfed's own group first on a full tie: its records are what kfed vouches for.
  return compareText(sa.namespace, sb.namespace) || compareText(sa.name, sb.name) || (sa.group === sb.group ? 0 : sa.group === DNS_GROUP ? -1 : sb.group === DNS_GROUP ? 1 : compareText(sa.group, sb.group));
}

/** A TTL as the server reads it: a positive integer, else 0 (unset: the server's default). */
function ttlOf(e: Endpoint): number {
  const t = e.recordTTL;
  return typeof t === 'number' && Number.isInteger(t) && t > 0 ? t : 0;
}

/**
 * `endpoints` with one TTL per (name, type): where they differ (an unset TTL counts as the
 * server's default), every endpoint of the set takes the lowest set one (a copy; the others
 * are returned as they are). `names` holds each endpoint's normalized name.
 */
function unifyTTLs(source: SourceId, endpoints: Endpoint[], names: readonly string[], out: TTLAdjustment[]): Endpoint[] {
  if (endpoints.length < 2) return endpoints;
  const ttls = new Map<string, Set<number>>();
  const keys = endpoints.map((e, i) => `${names[i] ?? ''}\u0000${e.recordType}`);
  endpoints.forEach((e, i) => {
    const k = keys[i] as string;
    const s = ttls.get(k);
    if (s) s.add(ttlOf(e));
    else ttls.set(k, new Set([ttlOf(e)]));
  });
  let lowest: Map<string, number> | undefined;
  for (const [k, s] of ttls) {
    if (s.size < 2) continue;
    const set = [...s].filter((t) => t > 0).sort((a, b) => a - b);
    if (set.length === 0) continue;
    const used = set[0] as number;
    (lowest ??= new Map()).set(k, used);
    const [name = '', recordType = ''] = k.split('\u0000');
    out.push({ source, name, recordType, ttls: [...s].sort((a, b) => a - b), used });
  }
  if (!lowest) return endpoints;
  const low = lowest;
  return endpoints.map((e, i) => {
    const used = low.get(keys[i] as string);
    return used === undefined || e.recordTTL === used ? e : { ...e, recordTTL: used };
  });
}
