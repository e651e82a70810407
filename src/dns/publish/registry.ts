// Ownership registry in external-dns's TXT format, so that external-dns and kfed can
// read each other's claims: each owned record set (name, type, set identifier) has a
// TXT record at `<type>-<name>` (external-dns's "new format", e.g. `a-go.example.com`)
// whose text is `heritage=external-dns,external-dns/owner=<id>,external-dns/resource=<r>`.
// The TXT carries the record's set identifier and routing properties too, so a routed
// record's claim lives beside it (one claim per set: several owners can share a name by
// each owning their own sets).
//
// `read` turns what a provider returned into the plan's view: ownership TXT records
// disappear, and the records they claim gain the labels `kfed.io/owner` and
// `kfed.io/resource` (the plan's OWNER_LABEL and RESOURCE_LABEL). A claim without its
// record is kept as an orphan so that it can be deleted. `withOwnership` adds the TXT
// changes that go with a plan's record changes, in the same batch.
import type { Endpoint } from '../../api/multiclusterdns.js';
import { endpointKey } from '../endpoint.js';
import { normalizeDNSName } from '../naming.js';
import { OWNER_LABEL, RESOURCE_LABEL } from '../plan.js';
import type { ZoneChanges } from './provider.js';

const HERITAGE = 'external-dns';
const OWNER_KEY = 'external-dns/owner';
const RESOURCE_KEY = 'external-dns/resource';

/** Labels of a claim as external-dns serializes them: heritage first, then sorted keys. */
export function formatClaim(owner: string, resource?: string): string {
  const parts = [`heritage=${HERITAGE}`, `${OWNER_KEY}=${owner}`];
  if (resource) parts.push(`${RESOURCE_KEY}=${resource}`);
  return parts.join(',');
}

export interface Claim {
  owner: string;
  resource?: string;
}

/** Parses an ownership TXT text; undefined when it is not one (any other TXT record). */
export function parseClaim(text: string): Claim | undefined {
  // Most TXT records of a zone are claims or plainly not: decide cheaply before splitting.
  if (!text.startsWith('heritage=') && !text.startsWith('"heritage=')) return undefined;
  const unquoted = text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
  const fields = new Map<string, string>();
  for (const part of unquoted.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const owner = fields.get(OWNER_KEY);
  if (fields.get('heritage') !== HERITAGE || !owner) return undefined;
  const resource = fields.get(RESOURCE_KEY);
  return resource ? { owner, resource } : { owner };
}

/** The TXT name that holds the claim on a record: `<lowercase type>-<name>`, wildcards kept. */
export function claimName(e: Pick<Endpoint, 'dnsName' | 'recordType'>): string {
  const name = normalizeDNSName(e.dnsName);
  const type = e.recordType.toLowerCase();
  // external-dns puts the prefix on the first label; a wildcard keeps its `*` in front.
  return name.startsWith('*.') ? `*.${type}-${name.slice(2)}` : `${type}-${name}`;
}

/** The record a claim name refers to, or undefined when the name is not a claim name. */
function claimedRecord(txt: Endpoint): Pick<Endpoint, 'dnsName' | 'recordType' | 'setIdentifier'> | undefined {
  let name = normalizeDNSName(txt.dnsName);
  let wildcard = '';
  if (name.startsWith('*.')) {
    wildcard = '*.';
    name = name.slice(2);
  }
  const m = /^(a|aaaa|cname|mx|ns|ptr|srv|txt|caa|naptr|tlsa|dname)-(.+)$/.exec(name);
  if (!m || !m[1] || !m[2]) return undefined;
  const recordType = m[1].toUpperCase() as Endpoint['recordType'];
  return { dnsName: wildcard + m[2], recordType, ...(txt.setIdentifier ? { setIdentifier: txt.setIdentifier } : {}) };
}

/** The ownership TXT endpoint of an owned record (same set identifier and properties). */
export function claimFor(e: Endpoint, owner: string): Endpoint {
  const txt: Endpoint = { dnsName: claimName(e), recordType: 'TXT', targets: [formatClaim(owner, e.labels?.[RESOURCE_LABEL])] };
  if (e.recordTTL !== undefined) txt.recordTTL = e.recordTTL;
  if (e.setIdentifier) txt.setIdentifier = e.setIdentifier;
  if (e.providerSpecific && e.providerSpecific.length > 0) txt.providerSpecific = e.providerSpecific.map((p) => ({ ...p }));
  const labels: Record<string, string> = { [OWNER_LABEL]: owner };
  const resource = e.labels?.[RESOURCE_LABEL];
  if (resource) labels[RESOURCE_LABEL] = resource;
  txt.labels = labels;
  return txt;
}

export interface RegistryView {
  /** Records with ownership labels where a claim exists; claims themselves removed. */
  records: Endpoint[];
  /** Claims (TXT) keyed by the key of the record they claim; with orphans (claims without a record). */
  claims: Map<string, Endpoint>;
  /** Claims whose record is gone: the owner may delete them. */
  orphans: Endpoint[];
}

/** Reads ownership out of a zone's records. */
export function readRegistry(zoneRecords: readonly Endpoint[]): RegistryView {
  const claims = new Map<string, { txt: Endpoint; claim: Claim }>();
  const plain: Endpoint[] = [];
  for (const e of zoneRecords) {
    if (e.recordType === 'TXT' && e.targets.length === 1) {
      const claim = parseClaim(e.targets[0] ?? '');
      const target = claim ? claimedRecord(e) : undefined;
      if (claim && target) {
        claims.set(endpointKey(target), { txt: e, claim });
        continue;
      }
    }
    plain.push(e);
  }
  const claimed = new Set<string>();
  const records = plain.map((e) => {
    const key = endpointKey(e);
    const c = claims.get(key);
    if (!c) return e;
    claimed.add(key);
    const labels: Record<string, string> = { ...(e.labels ?? {}), [OWNER_LABEL]: c.claim.owner };
    if (c.claim.resource) labels[RESOURCE_LABEL] = c.claim.resource;
    return { ...e, labels };
  });
  const orphans: Endpoint[] = [];
  for (const [key, c] of claims) {
    if (claimed.has(key)) continue;
    orphans.push({ ...c.txt, labels: { [OWNER_LABEL]: c.claim.owner } });
    // Another owner's claim holds the name even while its record is missing: the plan
    // sees it as a foreign record (never written: it has no targets) and will not take it.
    const target = claimedRecord(c.txt);
    if (target) records.push({ ...target, targets: [], labels: { [OWNER_LABEL]: c.claim.owner } });
  }
  return { records, claims: new Map([...claims].map(([k, c]) => [k, c.txt])), orphans };
}

/**
 * The plan's record changes plus the claims that go with them: a create creates its
 * claim, a delete deletes the claim read from the zone, an update rewrites the claim
 * when its routing, TTL or resource changed. Orphaned claims of `owner` are deleted.
 */
export function withOwnership(changes: ZoneChanges, view: RegistryView, owner: string): ZoneChanges {
  const out: ZoneChanges = { create: [...changes.create], updateOld: [...changes.updateOld], updateNew: [...changes.updateNew], delete: [...changes.delete] };
  const handled = new Set<string>();
  const existing = (e: Endpoint): Endpoint | undefined => {
    handled.add(endpointKey(e));
    return view.claims.get(endpointKey(e));
  };
  for (const c of changes.create) {
    const old = existing(c);
    const claim = claimFor(c, owner);
    if (old) {
      out.updateOld.push(old);
      out.updateNew.push(claim);
    } else out.create.push(claim);
  }
  changes.updateNew.forEach((n, i) => {
    const claim = claimFor(n, owner);
    const old = existing(changes.updateOld[i] ?? n);
    if (!old) out.create.push(claim);
    else if (!sameClaim(old, claim)) {
      out.updateOld.push(old);
      out.updateNew.push(claim);
    }
  });
  for (const d of changes.delete) {
    const old = existing(d);
    if (old && parseClaim(old.targets[0] ?? '')?.owner === owner) out.delete.push(old);
  }
  for (const o of view.orphans) {
    const target = claimedRecord(o);
    if (o.labels?.[OWNER_LABEL] === owner && target && !handled.has(endpointKey(target))) out.delete.push(stripLabels(o));
  }
  return out;
}

function stripLabels(e: Endpoint): Endpoint {
  const { labels: _labels, ...rest } = e;
  return rest;
}

function sameClaim(a: Endpoint, b: Endpoint): boolean {
  const props = (e: Endpoint): string => JSON.stringify([...(e.providerSpecific ?? [])].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)));
  return a.targets[0] === b.targets[0] && (a.recordTTL ?? 0) === (b.recordTTL ?? 0) && props(a) === props(b);
}
