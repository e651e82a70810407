// Ownership claims in external-dns's TXT format, so that external-dns and kfed read each
// other's: a claim on a record set (name, type, set identifier) is a TXT record set at
// `<type>-<name>` (external-dns's "new format", e.g. `a-go.example.com`) whose text is
// `heritage=external-dns,external-dns/owner=<id>,external-dns/resource=<r>`.
//
// Shared address sets: a plain A or AAAA record set (no set identifier) can hold the
// targets of several owners, e.g. two kfed instances that both publish `go.example.com`
// with simple routing. Each owner's claim then lists the targets it owns
// (`kfed.io/targets=192.0.2.1 192.0.2.2`) and the TTL it asked for (`kfed.io/ttl=30`);
// the claims of all owners sit in the one TXT record set, one or more strings each (a
// TXT string holds at most 255 bytes, so a long target list is split over strings).
// external-dns reads the first string of a TXT record set as its claim, sees a foreign
// owner and leaves the name alone; it ignores label keys without its own prefix.
import type { Endpoint } from '../../api/multiclusterdns.js';
import { canonicalTargets } from '../endpoint.js';
import { normalizeDNSName } from '../naming.js';

const HERITAGE = 'external-dns';
const OWNER_KEY = 'external-dns/owner';
const RESOURCE_KEY = 'external-dns/resource';
const TARGETS_KEY = 'kfed.io/targets';
const TTL_KEY = 'kfed.io/ttl';
/** RFC 1035 §3.3: a character-string is at most 255 bytes. */
const MAX_TEXT = 255;

export interface Claim {
  owner: string;
  resource?: string;
  /** The targets this owner holds in a shared address set; undefined: the whole record set. */
  targets?: string[];
  /** The TTL this owner asked for in a shared address set. */
  ttl?: number;
}

/** True for record sets that owners may share target by target: plain A and AAAA sets. */
export function sharesTargets(e: Pick<Endpoint, 'recordType' | 'setIdentifier'>): boolean {
  return !e.setIdentifier && (e.recordType === 'A' || e.recordType === 'AAAA');
}

/** Text of a whole-set claim as external-dns serializes it: heritage first, then sorted keys. */
export function formatClaim(owner: string, resource?: string): string {
  const parts = [`heritage=${HERITAGE}`, `${OWNER_KEY}=${owner}`];
  if (resource) parts.push(`${RESOURCE_KEY}=${resource}`);
  return parts.join(',');
}

/**
 * Texts of one owner's claim on targets of a shared address set: one string when the
 * targets fit, else the targets split over as many strings as needed.
 */
export function formatTargetClaims(owner: string, resource: string | undefined, targets: readonly string[], ttl?: number): string[] {
  const list = canonicalTargets(targets);
  const longest = Math.max(...list.map((t) => t.length), 0);
  const headOf = (r: string | undefined): string => formatClaim(owner, r) + (ttl !== undefined && ttl > 0 ? `,${TTL_KEY}=${ttl}` : '') + `,${TARGETS_KEY}=`;
  // A long resource id (namespace and name) would leave no room for one target: the
  // resource is optional in the format, so it is left out rather than failing the pass.
  let head = headOf(resource);
  if (head.length + longest > MAX_TEXT) head = headOf(undefined);
  if (head.length + longest > MAX_TEXT) {
    throw new Error(`ownership claim of ${JSON.stringify(owner)} is longer than a TXT string can hold: shorten the owner id`);
  }
  const texts: string[] = [];
  let current: string[] = [];
  for (const t of list) {
    if (current.length > 0 && head.length + [...current, t].join(' ').length > MAX_TEXT) {
      texts.push(head + current.join(' '));
      current = [];
    }
    current.push(t);
  }
  texts.push(head + current.join(' '));
  return texts;
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
  const claim: Claim = { owner };
  const resource = fields.get(RESOURCE_KEY);
  if (resource) claim.resource = resource;
  const targets = fields.get(TARGETS_KEY);
  if (targets !== undefined) claim.targets = canonicalTargets(targets.split(' '));
  const ttl = Number(fields.get(TTL_KEY));
  if (Number.isInteger(ttl) && ttl > 0) claim.ttl = ttl;
  return claim;
}

/** The claims of a TXT record set, one per owner (split target lists joined); undefined when it is not a claim set. */
export function parseClaimSet(txt: Pick<Endpoint, 'recordType' | 'targets'>): Claim[] | undefined {
  if (txt.recordType !== 'TXT' || txt.targets.length === 0) return undefined;
  const byOwner = new Map<string, Claim>();
  for (const text of txt.targets) {
    const c = parseClaim(text);
    if (!c) return undefined;
    const seen = byOwner.get(c.owner);
    if (!seen) byOwner.set(c.owner, c);
    else if (seen.targets && c.targets) seen.targets = canonicalTargets([...seen.targets, ...c.targets]);
    else delete seen.targets;
  }
  return [...byOwner.values()];
}

/** True when a record set is made of ownership claims only. */
export function isClaimSet(e: Pick<Endpoint, 'recordType' | 'targets'>): boolean {
  return e.recordType === 'TXT' && (e.targets[0]?.startsWith('heritage=') ?? false) && parseClaimSet(e) !== undefined;
}

/** The TXT name that holds the claim on a record: `<lowercase type>-<name>`, wildcards kept. */
export function claimName(e: Pick<Endpoint, 'dnsName' | 'recordType'>): string {
  const name = normalizeDNSName(e.dnsName);
  const type = e.recordType.toLowerCase();
  // external-dns puts the prefix on the first label; a wildcard keeps its `*` in front.
  return name.startsWith('*.') ? `*.${type}-${name.slice(2)}` : `${type}-${name}`;
}

/** The record a claim's TXT name refers to, or undefined when the name is not a claim name. */
export function claimedRecord(txt: Endpoint): Pick<Endpoint, 'dnsName' | 'recordType' | 'setIdentifier'> | undefined {
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
