// Builds the wire response to one query from the current snapshot. Synchronous and
// allocation-light: the response is written into one reusable buffer from pre-encoded
// record tails, with owner names compressed against the question or the previous CNAME.
import { continentOf } from '../dns/continents.js';
import { AnswerCache } from './answer-cache.js';
import { ecsAddressValid, EcsLocations, type EcsLocation } from './ecs-locations.js';
import type { GeoLocator } from './geo-locator.js';
import { encodeHinfoRfc8482, TYPE, type RRTail } from './records.js';
import type { LatencyTable } from './regions.js';
import { select, type Candidate, type ResolvedLocation, type SelectResult } from './routing.js';
import type { Delegation, NameNode, Zone, ZoneSnapshot } from './snapshot.js';
import { findEcsOption, newParsedQuery, parseQuery, type ParsedQuery } from './wire-query.js';
import { inZone, parentName } from './names.js';

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;

const FLAG_QR = 0x8000;
const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const FLAG_CD = 0x0010;
const MAX_CNAME_HOPS = 8;
const MAX_TCP_MESSAGE = 65535;
const HINFO = encodeHinfoRfc8482(3600);

export interface ResponderOptions {
  latency: LatencyTable;
  geo?: GeoLocator | undefined;
  /** Location assumed for private or unknown clients; default: none (every target answered). */
  defaultLocation?: { country?: string; region?: string } | undefined;
  /** Largest UDP response we send and advertise in OPT (default 1232, the DNS flag day value). */
  maxUdpPayload?: number | undefined;
  /** Geo answers to unlocated clients: the `*` set when defined (default), or every target (`all`). */
  unlocatedClients?: 'default' | 'all' | undefined;
  /** Entries of the UDP answer cache (default 16,384); 0 turns it off. */
  answerCache?: number | undefined;
  random?: () => number;
}

/** Copies src[start, end) to dst at `at`; a loop beats Buffer#copy's call cost for DNS-sized pieces. */
function copyBytes(src: Buffer, start: number, end: number, dst: Buffer, at: number): void {
  if (end - start > 256) { src.copy(dst, at, start, end); return; }
  for (let i = start, j = at; i < end; i++, j++) dst[j] = src[i] ?? 0;
}

export class Responder {
  snapshot: ZoneSnapshot | undefined;
  /** Outcome of the last `respond` call, for metrics. */
  lastRcode = 0;
  lastQtype = -1;
  /** Whether the last answer came from the answer cache. */
  lastCached = false;
  /**
   * Whether the last answer may be replayed (by a cache outside, the native one): -2 no,
   * -1 to every client asking the same bytes, n >= 0 to clients of location class n.
   */
  lastStore = -2;
  /** With `lastStore` > -2: offset of the echoed ECS address in `out`, -1 without ECS. */
  lastEcsAt = -1;
  /** The last query's client subnet (ECS) was located: its location class, else -1. */
  lastSubnetClass = -1;
  /** With `lastSubnetClass` >= 0: the ECS scope prefix of answers located by that subnet. */
  lastSubnetScope = 0;
  readonly out = Buffer.allocUnsafe(MAX_TCP_MESSAGE + 512);
  private readonly q: ParsedQuery = newParsedQuery();
  private readonly sel: SelectResult = { usedLocation: false };
  private readonly table: LatencyTable;
  private readonly geo: GeoLocator | undefined;
  private readonly random: () => number;
  private readonly maxUdp: number;
  private readonly unlocatedAll: boolean;
  /** Largest UDP response this responder writes. */
  get maxUdpPayload(): number {
    return this.maxUdp;
  }
  private readonly defaultLoc: ResolvedLocation | undefined;
  private readonly locCache = new Map<string, ResolvedLocation | null>();
  private readonly gridCache = new Map<number, number>();
  private rotation = 0;
  private readonly cache: AnswerCache | undefined;
  /** Questions the UDP answer cache holds (0: no cache). */
  readonly answerCacheSize: number;
  /** Set by `resolve`: the answer depends only on the query bytes and the snapshot. */
  private cacheable = false;
  /** Set by `resolve`: the location class the answer was chosen for, -1 when it used no location. */
  private usedClass = -1;
  /** Set by `finish`: offset of the echoed ECS address in `out`, -1 without ECS. */
  private outEcsAt = -1;
  private ecsLocations: EcsLocations | undefined;

  constructor(opts: ResponderOptions) {
    this.table = opts.latency;
    this.geo = opts.geo;
    this.random = opts.random ?? Math.random;
    this.maxUdp = Math.max(512, Math.min(opts.maxUdpPayload ?? 1232, 65535));
    this.unlocatedAll = opts.unlocatedClients === 'all';
    const d = opts.defaultLocation;
    this.answerCacheSize = opts.answerCache ?? 16_384;
    this.cache = this.answerCacheSize === 0 ? undefined : new AnswerCache(this.answerCacheSize);
    const country = d?.country?.toUpperCase();
    this.defaultLoc = d ? { country, continent: country ? continentOf(country) : undefined, regionIndex: d.region ? this.table.regionIndex(d.region) : -1, prefixLength: 0 } : undefined;
  }

  /** Location of an address (cached); undefined for private/unknown ones. */
  locate(ip: string): ResolvedLocation | undefined {
    const hit = this.locCache.get(ip);
    if (hit !== undefined) return hit ?? undefined;
    const raw = this.geo?.lookup(ip);
    let loc: ResolvedLocation | null = null;
    if (raw) {
      let region = -1;
      if (raw.lat !== undefined && raw.lon !== undefined) {
        const key = Math.round(raw.lat * 2) * 1000 + Math.round(raw.lon * 2);
        region = this.gridCache.get(key) ?? this.table.nearestRegion(raw.lat, raw.lon);
        this.gridCache.set(key, region);
      }
      loc = { country: raw.country, continent: raw.continent, regionIndex: region, prefixLength: raw.prefixLength };
    }
    // Bounded: a flood of distinct sources must not grow memory without limit.
    if (this.locCache.size >= 100_000) this.locCache.clear();
    this.locCache.set(ip, loc);
    return loc ?? undefined;
  }

  /**
   * Writes the response to `msg` into `this.out` and returns its length, or 0 when
   * nothing must be sent. `forceTruncate` answers with TC and no records (RRL slip).
   */
  respond(msg: Buffer, source: string, tcp: boolean, forceTruncate = false): number {
    const q = this.q;
    this.lastMsg = msg;
    this.lastCached = false;
    this.lastStore = -2;
    this.lastSubnetClass = -1;
    let cache = tcp || forceTruncate ? undefined : this.cache;
    // The cache key leaves out the ECS address [skipFrom, skipTo): answers are per location class.
    let skipFrom = msg.length;
    let skipTo = msg.length;
    if (cache) {
      const ecsAt = findEcsOption(msg);
      if (ecsAt === -2) {
        cache = undefined;
      } else {
        if (ecsAt >= 0) {
          skipFrom = ecsAt + 8;
          skipTo = ecsAt + 4 + (((msg[ecsAt + 2] ?? 0) << 8) | (msg[ecsAt + 3] ?? 0));
        }
        const len = this.replay(cache, msg, ecsAt, skipFrom, skipTo);
        if (len > 0) return len;
      }
    }
    const verdict = parseQuery(msg, q);
    this.lastQtype = verdict === 'ok' || verdict === 'formerr' ? q.qtype : -1;
    const out = this.out;
    if (verdict === 'drop') { this.lastRcode = -1; return 0; }
    if (verdict === 'notimp' || verdict === 'formerr-header') {
      const rcode = verdict === 'notimp' ? RCODE.NOTIMP : RCODE.FORMERR;
      this.lastRcode = rcode;
      out.writeUInt16BE(msg.readUInt16BE(0), 0);
      out.writeUInt16BE(FLAG_QR | (msg.readUInt16BE(2) & (0x7800 | FLAG_RD)) | rcode, 2);
      out.fill(0, 4, 12);
      return 12;
    }
    copyBytes(msg, 12, q.qEnd, out, 12);
    if (verdict === 'formerr') return this.finish(0, RCODE.FORMERR, 0, 0, q.qEnd, tcp, false);
    if (q.edns && q.ednsVersion > 0) return this.finish(0, RCODE.BADVERS, 0, 0, q.qEnd, tcp, true);
    const snap = this.snapshot;
    if (q.qtype === 0 || q.qtype === TYPE.OPT) return this.finish(0, RCODE.FORMERR, 0, 0, q.qEnd, tcp, true);
    const zone = snap ? findZone(snap, q.qname) : undefined;
    if (!snap || !zone || q.qclass !== 1 || q.qtype === TYPE.AXFR || q.qtype === TYPE.IXFR) {
      return this.finish(0, RCODE.REFUSED, 0, 0, q.qEnd, tcp, true);
    }
    if (forceTruncate) return this.finish(FLAG_AA | FLAG_TC, RCODE.NOERROR, 0, 0, q.qEnd, tcp, true);
    const len = this.resolve(snap, zone, source, tcp);
    if (cache && this.cacheable) {
      cache.store(msg, snap, skipFrom, skipTo, this.usedClass, out, len, this.outEcsAt, q.qtype, this.lastRcode);
      this.lastStore = this.usedClass;
      this.lastEcsAt = this.outEcsAt;
    }
    return len;
  }

  /** Writes a cached answer to `msg` into `out` with its ID and client subnet; 0 when none. */
  private replay(cache: AnswerCache, msg: Buffer, ecsAt: number, skipFrom: number, skipTo: number): number {
    const e = cache.lookup(msg, this.snapshot, skipFrom, skipTo);
    if (!e || (ecsAt >= 0 && !ecsAddressValid(msg, ecsAt))) return 0;
    let hit = e.plain;
    let scope = -1;
    let cls = -1;
    if (!hit && e.byClass && ecsAt >= 0) {
      const where = this.ecsLocs().lookup(msg, ecsAt, this.snapshot);
      hit = where ? e.byClass.get(where.classId) : undefined;
      scope = ecsScope(msg[ecsAt + 6] ?? 0, where);
      if (where) {
        cls = where.classId;
        this.lastSubnetClass = cls;
        this.lastSubnetScope = scope;
      }
    }
    if (!hit) return 0;
    this.lastStore = cls;
    this.lastEcsAt = hit.ecsAt;
    const a = hit.answer;
    const out = this.out;
    copyBytes(a, 2, a.length, out, 2);
    out[0] = msg[0] ?? 0;
    out[1] = msg[1] ?? 0;
    if (hit.ecsAt >= 0 && ecsAt >= 0) {
      copyBytes(msg, skipFrom, skipTo, out, hit.ecsAt);
      if (scope >= 0) out[hit.ecsAt - 1] = scope;
    }
    this.lastQtype = hit.qtype;
    this.lastRcode = hit.rcode;
    this.lastCached = true;
    return a.length;
  }

  private ecsLocs(): EcsLocations {
    this.ecsLocations ??= new EcsLocations((ip) => this.locate(ip), this.defaultLoc, this.table);
    return this.ecsLocations;
  }

  private resolve(snap: ZoneSnapshot, firstZone: Zone, source: string, tcp: boolean): number {
    const q = this.q;
    const out = this.out;
    const qtype = q.qtype;
    let pos = q.qEnd;
    let an = 0;
    let ns = 0;
    let rcode: number = RCODE.NOERROR;
    let name = q.qname;
    let zone = firstZone;
    let ownerAt = 12;
    let usedLocation = false;
    let loc: ResolvedLocation | undefined;
    let locDone = false;
    let cacheable = true;
    this.usedClass = -1;
    for (let hop = 0; ; hop++) {
      if (snap.delegations.size > 0) {
        const cut = delegationFor(snap, name, zone, qtype);
        // Below a zone cut this server is not authoritative: the first name gets a referral,
        // a CNAME target there is left for the resolver to follow.
        if (cut && hop === 0) return this.referral(cut, tcp);
        if (cut) break;
      }
      let node = snap.names.get(name);
      if (!node && snap.hasWildcards) node = wildcardFor(snap, name, zone);
      let cnameTail: RRTail | undefined;
      if (!node) {
        rcode = RCODE.NXDOMAIN;
      } else if (qtype === TYPE.ANY) {
        // RFC 8482: a minimal answer to ANY instead of everything (an amplification vector).
        pos = writeRR(out, pos, ownerAt, HINFO.bytes); an++;
        break;
      } else {
        const plainCname = qtype !== TYPE.CNAME ? node.sets.get(TYPE.CNAME) : undefined;
        if (plainCname) {
          cnameTail = plainCname.tails[0];
        } else {
          const view = node.routed?.get(qtype) ?? (qtype !== TYPE.CNAME ? node.routed?.get(TYPE.CNAME) : undefined);
          if (view) {
            if (view.policy === 'latency' || view.policy === 'geo') {
              // Location-dependent even when the client is unknown: other subnets get other answers.
              usedLocation = true;
              if (!locDone) { loc = this.clientLocation(source); locDone = true; }
            }
            const chosen = select(view, loc, this.table, this.random, this.sel, this.unlocatedAll);
            // A weighted pick is drawn per query: replaying it would freeze the weights.
            if (view.policy === 'weighted' && view.cands.length > 1) cacheable = false;
            const before = an;
            for (let i = 0; i < chosen.length; i++) {
              const set = (chosen[i] as Candidate).sets.get(qtype);
              if (!set) continue;
              for (const t of set.tails) { pos = writeRR(out, pos, ownerAt, t.bytes); an++; if (qtype === TYPE.CNAME) break; }
              if (qtype === TYPE.CNAME) break;
            }
            if (an === before && qtype !== TYPE.CNAME) {
              for (let i = 0; i < chosen.length && !cnameTail; i++) cnameTail = (chosen[i] as Candidate).sets.get(TYPE.CNAME)?.tails[0];
            }
            if (an > before) break;
          }
          if (!cnameTail) {
            const set = node.sets.get(qtype);
            if (set && set.tails.length > 0) {
              const n = set.tails.length;
              const start = n > 1 ? this.rotation++ % n : 0;
              if (n > 1) cacheable = false;
              for (let i = 0; i < n; i++) { pos = writeRR(out, pos, ownerAt, (set.tails[(start + i) % n] as RRTail).bytes); an++; }
              break;
            }
          }
        }
      }
      if (!cnameTail) {
        // NXDOMAIN or NODATA: the zone's SOA in authority for negative caching.
        pos = writeSoa(out, pos, zone, name, ownerAt);
        ns++;
        break;
      }
      const targetAt = pos + 2 + 10;
      pos = writeRR(out, pos, ownerAt, cnameTail.bytes); an++;
      const target = cnameTail.target ?? '';
      const next = hop + 1 < MAX_CNAME_HOPS && target !== name ? findZone(snap, target) : undefined;
      if (!next) break;
      name = target;
      zone = next;
      ownerAt = targetAt;
    }
    // Located by the source address, which is not part of the cache key.
    this.cacheable = cacheable && !(usedLocation && (!q.ecs || this.usedClass < 0));
    let scope = 0;
    if (usedLocation && q.ecs && q.ecsSource > 0) scope = loc && loc !== this.defaultLoc ? loc.prefixLength : q.ecsSource;
    return this.finish(FLAG_AA, rcode, an, ns, pos, tcp, true, scope);
  }

  /** RFC 1034 4.3.2: no AA, the cut's NS set in authority, glue for in-zone targets in additional. */
  private referral(cut: Delegation, tcp: boolean): number {
    const out = this.out;
    const q = this.q;
    let pos = q.qEnd;
    const ownerAt = 12 + (q.qname.length - cut.name.length);
    for (const t of cut.ns.tails) pos = writeRR(out, pos, ownerAt, t.bytes);
    let ar = 0;
    for (const g of cut.glue) {
      if (pos + g.owner.length + g.tail.bytes.length > MAX_TCP_MESSAGE) { pos = out.length; break; }
      g.owner.copy(out, pos);
      pos += g.owner.length;
      g.tail.bytes.copy(out, pos);
      pos += g.tail.bytes.length;
      ar++;
    }
    this.cacheable = true;
    return this.finish(0, RCODE.NOERROR, 0, cut.ns.tails.length, pos, tcp, true, 0, ar);
  }

  private clientLocation(source: string): ResolvedLocation | undefined {
    const q = this.q;
    if (q.ecs) {
      const where = this.ecsLocs().lookup(this.lastMsg, q.ecsOffset, this.snapshot);
      this.usedClass = where ? where.classId : -1;
      if (where) {
        this.lastSubnetClass = where.classId;
        this.lastSubnetScope = ecsScope(q.ecsSource, where);
      }
      return where ? where.loc : this.defaultLoc;
    }
    return this.locate(source) ?? this.defaultLoc;
  }

  /** Writes header and OPT, truncating to the transport's limit. */
  private finish(flags: number, rcode: number, an: number, ns: number, pos: number, tcp: boolean, withOpt: boolean, scope = 0, ar = 0): number {
    const q = this.q;
    const out = this.out;
    const edns = withOpt && q.edns;
    this.outEcsAt = -1;
    const optLen = edns ? 11 + (q.ecs ? q.ecsLength : 0) : 0;
    const limit = tcp ? MAX_TCP_MESSAGE : edns ? Math.min(q.udpSize, this.maxUdp) : 512;
    let f = flags;
    if (pos + optLen > limit) {
      pos = q.qEnd; an = 0; ns = 0; ar = 0; f |= FLAG_TC;
    }
    if (edns) {
      out[pos] = 0;
      out.writeUInt16BE(TYPE.OPT, pos + 1);
      out.writeUInt16BE(this.maxUdp, pos + 3);
      out[pos + 5] = rcode >> 4;
      out[pos + 6] = 0;
      out.writeUInt16BE(q.dnssecOk ? 0x8000 : 0, pos + 7);
      out.writeUInt16BE(optLen - 11, pos + 9);
      pos += 11;
      if (q.ecs) {
        copyBytes(this.lastMsg, q.ecsOffset, q.ecsOffset + q.ecsLength, out, pos);
        // SCOPE PREFIX-LENGTH: how much of the client subnet this answer depends on (RFC 7871).
        out[pos + 7] = scope;
        this.outEcsAt = pos + 8;
        pos += q.ecsLength;
      }
    }
    this.lastRcode = rcode;
    out.writeUInt16BE(q.id, 0);
    out.writeUInt16BE(FLAG_QR | f | (q.flags & (FLAG_RD | FLAG_CD)) | (rcode & 0xf), 2);
    out.writeUInt16BE(1, 4);
    out.writeUInt16BE(an, 6);
    out.writeUInt16BE(ns, 8);
    out.writeUInt16BE(ar + (edns ? 1 : 0), 10);
    return pos;
  }

  private lastMsg: Buffer = Buffer.alloc(0);
}

/** RFC 7871 SCOPE PREFIX-LENGTH of an answer located by a subnet of prefix `source`: the database network's, or the query's own for a default location. */
function ecsScope(source: number, where: EcsLocation | undefined): number {
  return source === 0 ? 0 : where?.loc && !where.isDefault ? where.loc.prefixLength : source;
}

/** The closest served zone containing `name` (zones are sorted longest first). */
export function findZone(snap: ZoneSnapshot, name: string): Zone | undefined {
  const zones = snap.zones;
  for (let i = 0; i < zones.length; i++) {
    const z = zones[i] as Zone;
    if (inZone(name, z.apex)) return z;
  }
  return undefined;
}

const TYPE_DS = 43;

/** The highest zone cut between the apex and `name` (inclusive); DS at the cut itself is the parent's data. */
function delegationFor(snap: ZoneSnapshot, name: string, zone: Zone, qtype: number): Delegation | undefined {
  let found: Delegation | undefined;
  for (let p = name; p.length > zone.apex.length; p = parentName(p)) {
    const d = snap.delegations.get(p);
    if (d && !(p === name && qtype === TYPE_DS)) found = d;
  }
  return found;
}

/** RFC 4592: the wildcard at the closest encloser, if the name does not exist. */
function wildcardFor(snap: ZoneSnapshot, name: string, zone: Zone): NameNode | undefined {
  for (let p = parentName(name); p.length >= zone.apex.length; p = parentName(p)) {
    if (snap.names.has(p)) return snap.names.get(`*.${p}`);
    if (p === zone.apex) break;
  }
  return undefined;
}

function writeOwner(out: Buffer, pos: number, ownerAt: number): number {
  out[pos] = 0xc0 | (ownerAt >> 8);
  out[pos + 1] = ownerAt & 0xff;
  return pos + 2;
}

/** Owner pointer plus tail. Offsets past 0x3fff cannot be pointed at; TCP answers that large are truncated. */
function writeRR(out: Buffer, pos: number, ownerAt: number, tail: Buffer): number {
  // Past the TCP maximum: report the end of the buffer so `finish` truncates (TC).
  if (ownerAt > 0x3fff || pos + 2 + tail.length > MAX_TCP_MESSAGE) return out.length;
  const p = writeOwner(out, pos, ownerAt);
  copyBytes(tail, 0, tail.length, out, p);
  return p + tail.length;
}

/** The zone's SOA with its apex compressed against the current name when it is a suffix. */
function writeSoa(out: Buffer, pos: number, zone: Zone, name: string, ownerAt: number): number {
  let p = pos;
  if (p + zone.apexWire.length + zone.negativeSoa.bytes.length > MAX_TCP_MESSAGE) return out.length;
  if (inZone(name, zone.apex) && ownerAt <= 0x3fff) {
    p = writeOwner(out, p, ownerAt + (name.length - zone.apex.length));
  } else {
    zone.apexWire.copy(out, p);
    p += zone.apexWire.length;
  }
  zone.negativeSoa.bytes.copy(out, p);
  return p + zone.negativeSoa.bytes.length;
}
