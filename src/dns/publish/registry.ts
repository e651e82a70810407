// The ownership registry: reads who owns what out of a zone's records, and adds the claim
// changes that go with a plan's record changes (claim texts: ./claims.ts).
//
// `readRegistry` turns what a provider returned into the plan's view for one owner:
// ownership TXT records disappear, and the records they claim gain the labels
// `kfed.io/owner` and `kfed.io/resource` (the plan's OWNER_LABEL and RESOURCE_LABEL).
// A routed record's claim matches its set identifier, so several owners share a routed
// name by each owning their own sets. A shared address set (./claims.ts) is shown to the
// plan as this owner's slice (the targets it claims, with the TTL it asked for) plus a
// foreign remainder labelled `kfed.io/shared`, which lets the plan add a slice beside
// other owners' targets but still see a CNAME or a routed set collide with them.
// A claim without its record is kept as an orphan so that its owner can delete it; a
// whole-set orphan of another owner still holds the name.
//
// `withOwnership` adds the TXT changes to a plan's changes, in the same batch, and turns
// the plan's changes to a slice into changes to the whole shared set: the targets of
// other owners (and targets nobody claims) are kept, a target stays while any owner
// claims it, and the set's TTL is the lowest any owner asked for (one TTL per record
// set, RFC 2181 §5.2). Providers update a record set only when it still holds what was
// read (RFC2136 prerequisites, Route53 and Cloud DNS exact deletes), so two owners
// writing one set at once conflict and re-read instead of overwriting each other.
import type { Endpoint } from '../../api/multiclusterdns.js';
import { canonicalTarget } from '../naming.js';
import { canonicalTargets, endpointKey } from '../endpoint.js';
import { OWNER_LABEL, RESOURCE_LABEL, SHARED_LABEL } from '../plan.js';
import { claimedRecord, claimName, formatClaim, formatTargetClaims, parseClaimSet, sharesTargets, type Claim } from './claims.js';
import type { ZoneChanges } from './provider.js';

export { claimName, formatClaim, parseClaim } from './claims.js';

export interface RegistryView {
  owner: string;
  /** The plan's view: records with ownership labels, slices of shared sets; claims removed. */
  records: Endpoint[];
  /** Claim TXT record sets, keyed by the key of the record they claim (with orphans). */
  claims: Map<string, Endpoint>;
  /** Parsed claims per claimed key. */
  claimSets: Map<string, Claim[]>;
  /** The zone's records (not claims) as read, by key. */
  zone: Map<string, Endpoint>;
  /** Claim sets whose record is gone. */
  orphans: Endpoint[];
}

/** The ownership TXT record set for a record owned as a whole (same set identifier and properties). */
export function claimFor(e: Endpoint, owner: string, texts?: string[]): Endpoint {
  const resource = e.labels?.[RESOURCE_LABEL];
  const txt: Endpoint = { dnsName: claimName(e), recordType: 'TXT', targets: texts ?? [formatClaim(owner, resource)] };
  if (e.recordTTL !== undefined) txt.recordTTL = e.recordTTL;
  if (e.setIdentifier) txt.setIdentifier = e.setIdentifier;
  if (e.providerSpecific && e.providerSpecific.length > 0) txt.providerSpecific = e.providerSpecific.map((p) => ({ ...p }));
  txt.labels = resource ? { [OWNER_LABEL]: owner, [RESOURCE_LABEL]: resource } : { [OWNER_LABEL]: owner };
  return txt;
}

/** The claim set of a shared address set holding this owner's targets; `texts` of other owners are kept. */
export function sharedClaimFor(e: Endpoint, owner: string, otherTexts: readonly string[] = []): Endpoint {
  return claimFor(e, owner, [...otherTexts, ...formatTargetClaims(owner, e.labels?.[RESOURCE_LABEL], e.targets, e.recordTTL)]);
}

function labelled(e: Endpoint, c: Claim, extra: Record<string, string> = {}): Endpoint {
  const labels: Record<string, string> = { ...(e.labels ?? {}), [OWNER_LABEL]: c.owner, ...extra };
  if (c.resource) labels[RESOURCE_LABEL] = c.resource;
  return { ...e, labels };
}

/** True when a claim set lets others add targets: every claim lists its targets (or is the reader's own). */
function shareable(claims: readonly Claim[], owner: string): boolean {
  return claims.every((c) => c.targets !== undefined || c.owner === owner);
}

/** Reads ownership out of a zone's records, as seen by `owner`. */
export function readRegistry(zoneRecords: readonly Endpoint[], owner: string): RegistryView {
  const view: RegistryView = { owner, records: [], claims: new Map(), claimSets: new Map(), zone: new Map(), orphans: [] };
  const plain: Endpoint[] = [];
  for (const e of zoneRecords) {
    const claims = e.recordType === 'TXT' ? parseClaimSet(e) : undefined;
    const target = claims ? claimedRecord(e) : undefined;
    if (claims && target) {
      view.claims.set(endpointKey(target), e);
      view.claimSets.set(endpointKey(target), claims);
    } else plain.push(e);
  }
  for (const e of plain) {
    const key = endpointKey(e);
    view.zone.set(key, e);
    const claims = view.claimSets.get(key);
    if (!claims) view.records.push(e);
    else if (sharesTargets(e) && shareable(claims, owner)) view.records.push(...slices(e, claims, owner));
    else view.records.push(labelled(e, claims.find((c) => c.targets === undefined) ?? (claims[0] as Claim)));
  }
  for (const [key, txt] of view.claims) {
    if (view.zone.has(key)) continue;
    view.orphans.push(txt);
    // Another owner's whole-set claim holds the name even while its record is missing:
    // the plan sees it as a foreign record (never written: it has no targets).
    const whole = view.claimSets.get(key)?.find((c) => c.owner !== owner && c.targets === undefined);
    const target = claimedRecord(txt);
    if (whole && target) view.records.push(labelled({ ...target, targets: [] }, whole));
  }
  return view;
}

/** A shared address set as the plan sees it: this owner's slice and everyone else's remainder. */
function slices(e: Endpoint, claims: readonly Claim[], owner: string): Endpoint[] {
  const mine = claims.find((c) => c.owner === owner);
  const held = new Set(mine ? (mine.targets ?? canonicalTargets(e.targets)) : []);
  const out: Endpoint[] = [];
  const rest = e.targets.filter((t) => !held.has(canonicalTarget(t)));
  if (mine) {
    const slice: Endpoint = { ...e, targets: e.targets.filter((t) => held.has(canonicalTarget(t))) };
    const ttl = mine.targets ? mine.ttl : e.recordTTL;
    if (ttl !== undefined) slice.recordTTL = ttl;
    else delete slice.recordTTL;
    out.push(labelled(slice, mine));
  }
  const other = claims.find((c) => c.owner !== owner);
  if (rest.length > 0 || other) out.push(labelled({ ...e, targets: rest }, other ?? { owner: '' }, { [SHARED_LABEL]: 'true' }));
  return out;
}

/**
 * The plan's record changes plus the claims that go with them: a create creates its
 * claim, a delete deletes the claim read from the zone, an update rewrites the claim
 * when its routing, TTL or resource changed; changes to a slice of a shared address set
 * become changes to the whole set and its claim set. Orphaned claims of the owner are
 * deleted.
 */
export function withOwnership(changes: ZoneChanges, view: RegistryView, owner: string): ZoneChanges {
  const out: ZoneChanges = { create: [], updateOld: [], updateNew: [], delete: [] };
  const handled = new Set<string>();
  const isShared = (e: Endpoint): boolean => sharesTargets(e) && shareable(view.claimSets.get(endpointKey(e)) ?? [], owner);
  const existing = (e: Endpoint): Endpoint | undefined => {
    handled.add(endpointKey(e));
    return view.claims.get(endpointKey(e));
  };
  for (const c of changes.create) {
    if (isShared(c)) {
      handled.add(endpointKey(c));
      sharedChange(c, c, view, out);
      continue;
    }
    out.create.push(c);
    const old = existing(c);
    const claim = claimFor(c, owner);
    if (old) {
      out.updateOld.push(old);
      out.updateNew.push(claim);
    } else out.create.push(claim);
  }
  changes.updateNew.forEach((n, i) => {
    const o = changes.updateOld[i] ?? n;
    if (isShared(n)) {
      handled.add(endpointKey(n));
      sharedChange(n, n, view, out);
      return;
    }
    out.updateOld.push(o);
    out.updateNew.push(n);
    const claim = claimFor(n, owner);
    const old = existing(o);
    if (!old) out.create.push(claim);
    else if (!sameClaim(old, claim)) {
      out.updateOld.push(old);
      out.updateNew.push(claim);
    }
  });
  for (const d of changes.delete) {
    if (isShared(d)) {
      handled.add(endpointKey(d));
      sharedChange(d, undefined, view, out);
      continue;
    }
    out.delete.push(d);
    const old = existing(d);
    if (old && parseClaimSet(old)?.some((c) => c.owner === owner)) out.delete.push(old);
  }
  for (const o of view.orphans) {
    const target = claimedRecord(o);
    if (!target || handled.has(endpointKey(target))) continue;
    const texts = o.targets.filter((t) => parseClaimSet({ recordType: 'TXT', targets: [t] })?.[0]?.owner !== owner);
    if (texts.length === o.targets.length) continue;
    if (texts.length === 0) out.delete.push(stripLabels(o));
    else {
      out.updateOld.push(o);
      out.updateNew.push({ ...stripLabels(o), targets: texts });
    }
  }
  return out;
}

/** One owner's change to a shared address set: `next` is its new slice, undefined to leave. */
function sharedChange(subject: Endpoint, next: Endpoint | undefined, view: RegistryView, out: ZoneChanges): void {
  const { owner } = view;
  const key = endpointKey(subject);
  const full = view.zone.get(key);
  const txt = view.claims.get(key);
  const claims = view.claimSets.get(key) ?? [];
  const others = claims.filter((c) => c.owner !== owner);
  const mine = claims.find((c) => c.owner === owner);
  const heldByMe = new Set(mine ? (mine.targets ?? canonicalTargets(full?.targets)) : []);
  const heldByOthers = new Set(others.flatMap((c) => c.targets ?? []));
  const kept = (full?.targets ?? []).filter((t) => !heldByMe.has(canonicalTarget(t)) || heldByOthers.has(canonicalTarget(t)));
  const targets = canonicalTargets([...kept, ...(next?.targets ?? [])]);
  const ttls = [...others.map((c) => c.ttl), next?.recordTTL].filter((t): t is number => t !== undefined && t > 0);
  const ttl = ttls.length > 0 ? Math.min(...ttls) : full?.recordTTL;

  if (targets.length === 0) {
    if (full) out.delete.push(full);
  } else {
    const merged: Endpoint = { dnsName: full?.dnsName ?? subject.dnsName, recordType: subject.recordType, targets, ...(ttl !== undefined ? { recordTTL: ttl } : {}) };
    if (!full) out.create.push(merged);
    else if (canonicalTargets(full.targets).join(',') !== targets.join(',') || (ttl !== undefined && ttl !== full.recordTTL)) {
      out.updateOld.push(full);
      out.updateNew.push(merged);
    }
  }

  const otherTexts = (txt?.targets ?? []).filter((t) => parseClaimSet({ recordType: 'TXT', targets: [t] })?.[0]?.owner !== owner);
  const claimSet = next ? sharedClaimFor(next, owner, otherTexts) : undefined;
  // The claim texts keep the TTL this owner asked for; the TXT set takes the shared one.
  if (claimSet && ttl !== undefined) claimSet.recordTTL = ttl;
  if (!claimSet) {
    if (!txt) return;
    if (otherTexts.length === 0) out.delete.push(stripLabels(txt));
    else {
      out.updateOld.push(txt);
      out.updateNew.push({ ...stripLabels(txt), targets: otherTexts });
    }
  } else if (!txt) out.create.push(claimSet);
  else if (!sameTexts(txt, claimSet) || (claimSet.recordTTL ?? 0) !== (txt.recordTTL ?? 0)) {
    out.updateOld.push(txt);
    out.updateNew.push(claimSet);
  }
}

function stripLabels(e: Endpoint): Endpoint {
  const { labels: _labels, ...rest } = e;
  return rest;
}

function sameTexts(a: Endpoint, b: Endpoint): boolean {
  return [...a.targets].sort().join('\n') === [...b.targets].sort().join('\n');
}

function sameClaim(a: Endpoint, b: Endpoint): boolean {
  const props = (e: Endpoint): string => JSON.stringify([...(e.providerSpecific ?? [])].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)));
  return sameTexts(a, b) && (a.recordTTL ?? 0) === (b.recordTTL ?? 0) && props(a) === props(b);
}
