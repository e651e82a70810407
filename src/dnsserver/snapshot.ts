// Immutable zone snapshot built from DNSEndpoints. All parsing, validation and wire
// encoding happens here, once per change; the server swaps the whole snapshot
// atomically and answers from it without I/O.
import type { DNSEndpoint, DomainSOA, Endpoint, RecordType } from '../api/multiclusterdns.js';
import { propertyOf } from '../dns/endpoint.js';
import { decodeRouting, isRoutedPolicy, routedPolicyOf, ROUTING } from '../dns/routing.js';
import { encodeSoa, encodeTarget, TYPE, TYPE_BY_NAME, type RRSet, type RRTail } from './records.js';
import { isIPv6 } from 'node:net';
import { encodeName, inZone, nameProblem, normalizeName, parentName } from './names.js';
import { buildView, type Candidate, type RoutedPolicy, type RoutingView } from './routing.js';

export interface ZoneInput {
  domain: string;
  /** Name servers for the synthesized NS set; default `ns1.<domain>`. */
  nameServers?: string[];
  /**
   * Addresses (IPv4 and IPv6) of the name servers inside the zone: every NS name in the
   * zone answers them as A/AAAA, unless a DNSEndpoint publishes addresses for that name.
   */
  nameServerAddresses?: string[];
  /** SOA fields; unset ones take the defaults below. */
  soa?: SoaSettings;
}

/** The configurable part of a zone's SOA (RFC 1035 section 3.3.13). */
/** A zone's SOA fields as the Domain gives them (defaults: mname the first NS, rname `hostmaster.<zone>`, minimum SnapshotInput.negativeTtl). */
export type SoaSettings = DomainSOA;

export const SOA_DEFAULTS = { refresh: 3600, retry: 600, expire: 604800 } as const;

export interface SnapshotInput {
  zones: ZoneInput[];
  endpoints: (DNSEndpoint | Endpoint)[];
  /** SOA serial; default: next value of a process-wide time-based counter (always increases). */
  serial?: number;
  /** TTL of endpoints without recordTTL (default 300). */
  defaultTtl?: number;
  /** TTL of SOA and NS (default 300). */
  soaTtl?: number;
  /** Negative-caching TTL, the SOA MINIMUM (default 30, so a name that appears is seen soon). */
  negativeTtl?: number;
}

export type { RRSet } from './records.js';

export interface Zone {
  apex: string;
  apexWire: Buffer;
  /** SOA tail with TTL = min(SOA TTL, MINIMUM), for negative answers (RFC 2308). */
  negativeSoa: RRTail;
}

/** A zone cut below an apex: the NS set served as a referral, with glue for in-zone targets. */
export interface Delegation {
  name: string;
  ns: RRSet;
  /** A/AAAA of the NS targets inside the zone: owner wire name and tail. */
  glue: readonly { owner: Buffer; tail: RRTail }[];
}

export interface NameNode {
  zone: Zone;
  sets: ReadonlyMap<number, RRSet>;
  /** Routed views by query type; the CNAME view also serves types no cluster has. */
  routed: ReadonlyMap<number, RoutingView> | undefined;
}

export interface ZoneSnapshot {
  readonly serial: number;
  /** Zones, longest apex first so the first suffix match is the closest zone. */
  readonly zones: readonly Zone[];
  readonly names: ReadonlyMap<string, NameNode>;
  readonly hasWildcards: boolean;
  /** Zone cuts (NS below an apex), by owner name; empty when the zones delegate nothing. */
  readonly delegations: ReadonlyMap<string, Delegation>;
  readonly recordCount: number;
  /** Problems found in the input (skipped records); for the caller to log or report. */
  readonly warnings: readonly string[];
  /** Problems of the zones themselves (an in-zone name server without an address). */
  readonly zoneProblems: readonly string[];
  /** The input it was built from, so a clustered server can rebuild it in each worker. */
  readonly input: SnapshotInput;
}

/** Zones from multiclusterdns Domain objects (`domain`, optional `nameServer`). */
export function zonesFromDomains(domains: readonly { domain: string; nameServer?: string }[]): ZoneInput[] {
  return domains.map((d) => (d.nameServer ? { domain: d.domain, nameServers: [d.nameServer] } : { domain: d.domain }));
}

let lastSerial = 0;
/** Next SOA serial: seconds since the epoch, or last + 1 when changes come faster. */
export function nextSerial(): number {
  lastSerial = Math.max(lastSerial + 1, Math.floor(Date.now() / 1000)) >>> 0;
  return lastSerial;
}


function ttlOf(ep: Endpoint, def: number): number {
  const t = ep.recordTTL;
  return t !== undefined && Number.isInteger(t) && t > 0 ? Math.min(t, 0x7fffffff) : def;
}

interface MutableNode {
  zone: Zone;
  plain: Map<number, { tails: RRTail[]; seen: Set<string> }>;
  routed: Map<string, { policy: string; cand: Candidate; sets: Map<number, RRTail[]> }>;
}

function flattenEndpoints(list: (DNSEndpoint | Endpoint)[]): Endpoint[] {
  const out: Endpoint[] = [];
  for (const item of list) {
    if ('spec' in item && item.spec !== null && typeof item.spec === 'object') out.push(...(item.spec.endpoints ?? []));
    else out.push(item as Endpoint);
  }
  return out;
}

/** `hostmaster@example.com` -> `hostmaster.example.com` (RFC 1035 mailbox encoding). */
export function mailboxName(rname: string): string {
  return normalizeName(rname.replace('@', '.'));
}

function makeZone(z: ZoneInput, serial: number, soaTtl: number, defaultNegTtl: number): { zone: Zone; sets: Map<number, RRSet>; ns: string[] } {
  const apex = normalizeName(z.domain);
  const problem = nameProblem(apex);
  if (apex === '' || problem) throw new Error(`zone "${z.domain}": ${problem ?? 'the root zone is not served'}`);
  const ns = [...new Set((z.nameServers && z.nameServers.length > 0 ? z.nameServers : [`ns1.${apex}`]).map(normalizeName))];
  const o = z.soa ?? {};
  const negTtl = o.minimum ?? defaultNegTtl;
  const soa = {
    mname: o.mname ? normalizeName(o.mname) : ns[0] ?? '', rname: o.rname ? mailboxName(o.rname) : `hostmaster.${apex}`, serial,
    refresh: o.refresh ?? SOA_DEFAULTS.refresh, retry: o.retry ?? SOA_DEFAULTS.retry, expire: o.expire ?? SOA_DEFAULTS.expire, minimum: negTtl,
  };
  const zone: Zone = { apex, apexWire: encodeName(apex), negativeSoa: encodeSoa(soa, Math.min(soaTtl, negTtl)) };
  const sets = new Map<number, RRSet>([
    [TYPE.SOA, { type: TYPE.SOA, tails: [encodeSoa(soa, soaTtl)] }],
    [TYPE.NS, { type: TYPE.NS, tails: ns.map((n) => encodeTarget('NS', n, soaTtl)) }],
  ]);
  return { zone, sets, ns };
}

function parseCandidate(ep: Endpoint, id: string, warn: (m: string) => void): Candidate {
  const r = decodeRouting(ep, (m) => warn(`${ep.dnsName} [${id}]: ${m}`));
  return {
    id, region: r?.region, weight: r?.weight ?? 1, failover: r?.failover ?? 'secondary',
    geoCountries: r?.geo.countries ?? [], geoContinents: r?.geo.continents ?? [], geoDefault: r?.geo.isDefault ?? false, sets: new Map(),
  };
}

/** Builds an immutable snapshot. Pure apart from the default serial. */
export function buildSnapshot(input: SnapshotInput): ZoneSnapshot {
  const serial = input.serial ?? nextSerial();
  const defTtl = input.defaultTtl ?? 300;
  const soaTtl = input.soaTtl ?? 300;
  const negTtl = input.negativeTtl ?? 30;
  const warnings: string[] = [];
  const warn = (m: string): void => { if (warnings.length < 1000) warnings.push(m); };

  const zones: Zone[] = [];
  const nodes = new Map<string, MutableNode>();
  const apexSets = new Map<string, Map<number, RRSet>>();
  const nameServers: { ns: string[]; addresses: string[] }[] = [];
  for (const z of input.zones) {
    const { zone, sets, ns } = makeZone(z, serial, soaTtl, negTtl);
    if (apexSets.has(zone.apex)) continue;
    zones.push(zone);
    apexSets.set(zone.apex, sets);
    nameServers.push({ ns, addresses: z.nameServerAddresses ?? [] });
    nodes.set(zone.apex, { zone, plain: new Map(), routed: new Map() });
  }
  zones.sort((a, b) => b.apex.length - a.apex.length);
  const zoneOf = (name: string): Zone | undefined => zones.find((z) => inZone(name, z.apex));

  let hasWildcards = false;
  for (const ep of flattenEndpoints(input.endpoints)) {
    const name = normalizeName(ep.dnsName ?? '');
    const type = TYPE_BY_NAME[ep.recordType as RecordType] as number | undefined;
    const problem = nameProblem(name);
    const zone = zoneOf(name);
    if (problem || !zone) { warn(`${ep.dnsName}: ${problem ?? 'not inside a served zone'}`); continue; }
    if (type === undefined) { warn(`${ep.dnsName}: record type ${String(ep.recordType)} is not served`); continue; }
    if (name === zone.apex && (type === TYPE.NS || type === TYPE.CNAME)) { warn(`${ep.dnsName}: ${ep.recordType} at the zone apex is ignored (NS is synthesized from the Domain)`); continue; }
    if (name.startsWith('*.')) hasWildcards = true;
    let node = nodes.get(name);
    if (!node) { node = { zone, plain: new Map(), routed: new Map() }; nodes.set(name, node); }
    const ttl = ttlOf(ep, defTtl);
    const tails: RRTail[] = [];
    for (const t of ep.targets ?? []) {
      try { tails.push(encodeTarget(ep.recordType, String(t), ttl)); } catch (e) { warn(`${ep.dnsName} ${ep.recordType}: ${(e as Error).message}`); }
    }
    const policy = propertyOf(ep, ROUTING.policy);
    const id = ep.setIdentifier;
    // kfed.io/* routing, or external-dns's aws/* properties read as Route53 would (src/dns/routing.ts).
    const routed = routedPolicyOf(ep);
    if (id !== undefined && id !== '' && routed) {
      let r = node.routed.get(id);
      if (!r) { r = { policy: routed, cand: parseCandidate(ep, id, warn), sets: new Map() }; node.routed.set(id, r); }
      const cur = r.sets.get(type);
      if (cur) cur.push(...tails);
      else r.sets.set(type, tails);
      continue;
    }
    if (policy !== undefined && !isRoutedPolicy(policy) && policy !== 'simple') warn(`${ep.dnsName}: routing policy "${policy}" unknown; served as a plain record set`);
    let set = node.plain.get(type);
    if (!set) { set = { tails: [], seen: new Set() }; node.plain.set(type, set); }
    for (const tail of tails) {
      // Several owners may publish the same target; serve it once.
      const key = tail.bytes.subarray(8).toString('latin1');
      if (!set.seen.has(key)) { set.seen.add(key); set.tails.push(tail); }
    }
  }

  const zoneProblems: string[] = [];
  addNameServerAddresses(nameServers, nodes, zoneOf, soaTtl, (m) => zoneProblems.push(m));

  // Empty non-terminals exist (NODATA, not NXDOMAIN: RFC 8020).
  for (const name of [...nodes.keys()]) {
    const zone = nodes.get(name)?.zone;
    if (!zone) continue;
    for (let p = parentName(name); p.length > zone.apex.length && !nodes.has(p); p = parentName(p)) {
      nodes.set(p, { zone, plain: new Map(), routed: new Map() });
    }
  }

  const names = new Map<string, NameNode>();
  let recordCount = 0;
  for (const [name, n] of nodes) {
    const sets = new Map<number, RRSet>(apexSets.get(name) ?? []);
    for (const [type, s] of n.plain) if (s.tails.length > 0) sets.set(type, { type, tails: s.tails });
    let routed: Map<number, RoutingView> | undefined;
    if (n.routed.size > 0) {
      const entries = [...n.routed.values()].sort((a, b) => (a.cand.id < b.cand.id ? -1 : 1));
      const policy = entries[0]?.policy as RoutedPolicy;
      if (entries.some((e) => e.policy !== policy)) warn(`${name}: clusters disagree on the routing policy; using "${policy}"`);
      const cands = entries.map((e) => {
        const s = new Map<number, RRSet>();
        for (const [type, tails] of e.sets) if (tails.length > 0) s.set(type, { type, tails: type === TYPE.CNAME ? tails.slice(0, 1) : tails });
        return { ...e.cand, sets: s };
      }).filter((c) => c.sets.size > 0);
      const types = new Set(cands.flatMap((c) => [...c.sets.keys()]));
      routed = new Map();
      for (const t of types) {
        const eligible = cands.filter((c) => c.sets.has(t) || c.sets.has(TYPE.CNAME));
        routed.set(t, buildView(policy, eligible));
        if (sets.has(t)) warn(`${name}: routed and plain ${t} records at one name; the routed ones are served`);
      }
      if (routed.size === 0) routed = undefined;
      recordCount += cands.reduce((acc, c) => acc + [...c.sets.values()].reduce((a, s) => a + s.tails.length, 0), 0);
    }
    const cname = sets.get(TYPE.CNAME);
    if (cname && (sets.size > 1 || routed)) {
      warn(`${name}: CNAME and other data at one name; only the CNAME is served`);
      sets.clear();
      sets.set(TYPE.CNAME, cname);
      routed = undefined;
    } else if (routed?.has(TYPE.CNAME) && sets.size > 0) {
      warn(`${name}: routed CNAME next to other data at one name; the routed records are dropped`);
      routed = undefined;
    }
    for (const s of sets.values()) recordCount += s.tails.length;
    names.set(name, { zone: n.zone, sets, routed });
  }
  breakCnameLoops(names, warn);
  return { serial, zones, names, hasWildcards, delegations: delegationsOf(names, zoneOf), recordCount, warnings, zoneProblems, input };
}

/**
 * A CNAME on a cycle (a -> b -> a) is served but not followed, so an answer never repeats a
 * record: a chain stops at the first name of a loop, and the resolver sees the loop itself.
 * Cycles longer than the server's hop limit (8) cannot repeat within an answer.
 */
function breakCnameLoops(names: Map<string, NameNode>, warn: (m: string) => void): void {
  const next = (n: string): string | undefined => names.get(n)?.sets.get(TYPE.CNAME)?.tails[0]?.target;
  const onCycle: string[] = [];
  for (const [name, node] of names) {
    let t = node.sets.get(TYPE.CNAME)?.tails[0]?.target;
    for (let i = 0; t !== undefined && i < 16; i++, t = next(t)) {
      if (t === name) { onCycle.push(name); break; }
    }
  }
  for (const name of onCycle) {
    const sets = names.get(name)?.sets as Map<number, RRSet> | undefined;
    const set = sets?.get(TYPE.CNAME);
    if (sets && set) sets.set(TYPE.CNAME, { type: set.type, tails: set.tails.map((t) => ({ bytes: t.bytes })) });
  }
  if (onCycle.length > 0) warn(`CNAME loop through ${onCycle.sort().join(', ')}: answered without following the chain`);
}

/**
 * In-zone name servers answer A/AAAA with the configured addresses (so the NS and SOA
 * MNAME resolve), unless a DNSEndpoint already publishes addresses at that name.
 */
function addNameServerAddresses(
  list: readonly { ns: string[]; addresses: string[] }[], nodes: Map<string, MutableNode>,
  zoneOf: (name: string) => Zone | undefined, ttl: number, warn: (m: string) => void,
): void {
  for (const { ns, addresses } of list) {
    for (const name of ns) {
      const zone = zoneOf(name);
      if (!zone || nameProblem(name)) continue;
      let node = nodes.get(name);
      if (node && (node.plain.has(TYPE.A) || node.plain.has(TYPE.AAAA) || node.routed.size > 0)) continue;
      if (addresses.length === 0) {
        warn(`${name}: name server inside zone ${zone.apex} has no address (set the Domain's nameServerAddresses, --dns-nameserver-addresses or --dns-service)`);
        continue;
      }
      if (!node) { node = { zone, plain: new Map(), routed: new Map() }; nodes.set(name, node); }
      for (const ip of addresses) {
        const type = isIPv6(ip) ? TYPE.AAAA : TYPE.A;
        let set = node.plain.get(type);
        if (!set) { set = { tails: [], seen: new Set() }; node.plain.set(type, set); }
        if (set.seen.has(ip)) continue;
        try { set.tails.push(encodeTarget(type === TYPE.A ? 'A' : 'AAAA', ip, ttl)); set.seen.add(ip); } catch (e) { warn(`${name}: ${(e as Error).message}`); }
      }
    }
  }
}

/** NS sets below an apex are zone cuts: answered as referrals, with glue for targets in the zone. */
function delegationsOf(names: ReadonlyMap<string, NameNode>, zoneOf: (name: string) => Zone | undefined): Map<string, Delegation> {
  const out = new Map<string, Delegation>();
  for (const [name, node] of names) {
    const ns = node.sets.get(TYPE.NS);
    if (!ns || name === node.zone.apex) continue;
    const glue: { owner: Buffer; tail: RRTail }[] = [];
    for (const t of ns.tails) {
      const target = t.target ?? '';
      if (zoneOf(target) !== node.zone) continue;
      const at = names.get(target);
      for (const type of [TYPE.A, TYPE.AAAA]) for (const tail of at?.sets.get(type)?.tails ?? []) glue.push({ owner: encodeName(target), tail });
    }
    out.set(name, { name, ns, glue });
  }
  return out;
}
