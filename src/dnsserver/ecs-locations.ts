// Client locations by EDNS Client Subnet, read straight from the query's bytes: one
// geolocation per distinct subnet (a number for IPv4, no string per query), and the
// subnet's *location class*: the part of the location the snapshot's routing policies
// can tell apart (the countries and continents geo rules name and, when names are
// latency-routed, which of each name's candidate regions are nearest). Two subnets of one class get the same answer from every
// routed name, so the answer cache keeps one answer per class.
import type { LatencyTable } from './regions.js';
import type { ResolvedLocation } from './routing.js';
import type { ZoneSnapshot } from './snapshot.js';
import { ecsAddressString } from './wire-query.js';

export interface EcsLocation {
  /** Where the subnet is; the default location when it is unknown, absent or /0. */
  readonly loc: ResolvedLocation | undefined;
  /** `loc` is the default location or none: the answer's ECS scope is the query's own prefix. */
  readonly isDefault: boolean;
  /** Location class under the snapshot `classOf`; 0 for no location. */
  classId: number;
  classOf: unknown;
}

/** What the snapshot's routing reads of a location. */
interface Distinctions {
  countries: Set<string>;
  continents: Set<string>;
  region: boolean;
  /**
   * The distinct region sets (latency-table indexes, -1 unknown) latency-routed names
   * choose from: a client's answers depend only on which regions of each set are
   * nearest to it. Undefined when there are too many sets: the nearest region then.
   */
  regionSets: Int32Array[] | undefined;
}

/** Past this many distinct candidate region sets, a location class keys on the client's region. */
const MAX_REGION_SETS = 64;

const MAX_SUBNETS = 100_000;

/** False when the ECS option at `at` (its code) has address bits set past its prefix (RFC 7871 section 6). */
export function ecsAddressValid(msg: Buffer, at: number): boolean {
  const source = msg[at + 6] ?? 0;
  const n = (source + 7) >> 3;
  return (source & 7) === 0 || n === 0 || ((msg[at + 8 + n - 1] ?? 0) & (0xff >> (source & 7))) === 0;
}

function distinctions(snap: ZoneSnapshot, table: LatencyTable): Distinctions {
  const d: Distinctions = { countries: new Set(), continents: new Set(), region: false, regionSets: undefined };
  const sets = new Map<string, Int32Array>();
  for (const node of snap.names.values()) {
    if (!node.routed) continue;
    for (const view of node.routed.values()) {
      if (view.policy === 'latency') {
        d.region = true;
        if (sets.size <= MAX_REGION_SETS) {
          const idx = Int32Array.from(new Set(view.cands.map((c) => (c.region === undefined ? -1 : table.regionIndex(c.region))))).sort();
          sets.set(idx.join(','), idx);
        }
      }
      if (view.policy !== 'geo') continue;
      for (const c of view.cands) {
        for (const cc of c.geoCountries) d.countries.add(cc);
        for (const ct of c.geoContinents) d.continents.add(ct);
      }
    }
  }
  if (sets.size <= MAX_REGION_SETS) d.regionSets = [...sets.values()];
  return d;
}

/** Which regions of each set are nearest to `from` (ties all; every region when none is known), as a key. */
function nearestOf(sets: Int32Array[], from: number, table: LatencyTable): string {
  let key = '';
  for (const set of sets) {
    let best = Infinity;
    for (const r of set) best = Math.min(best, table.latency(from, r));
    for (const r of set) if (best === Infinity || table.latency(from, r) === best) key += `${r},`;
    key += ';';
  }
  return key;
}

export class EcsLocations {
  private readonly bySubnet = new Map<number | string, EcsLocation>();
  /** Class ids by class key; ids stay stable for the life of the responder. */
  private readonly classes = new Map<string, number>();
  private seen: Distinctions | undefined;
  private seenFor: unknown;

  constructor(
    private readonly locate: (ip: string) => ResolvedLocation | undefined,
    private readonly defaultLoc: ResolvedLocation | undefined,
    private readonly table: LatencyTable,
  ) {}

  /**
   * The location of the ECS option at `at` (its code) in a query whose option shape was
   * checked, classed for `snap`; undefined when its address is malformed.
   */
  lookup(msg: Buffer, at: number, snap: ZoneSnapshot | undefined): EcsLocation | undefined {
    if (!ecsAddressValid(msg, at)) return undefined;
    const family = ((msg[at + 4] ?? 0) << 8) | (msg[at + 5] ?? 0);
    const source = msg[at + 6] ?? 0;
    const n = (source + 7) >> 3;
    const a = at + 8;
    let key: number | string;
    if (family === 1 && source <= 24) {
      // A small integer (no heap number): prefix length and the 24 leading address bits.
      key = (source << 24) | ((n > 0 ? msg[a] ?? 0 : 0) << 16) | ((n > 1 ? msg[a + 1] ?? 0 : 0) << 8) | (n > 2 ? msg[a + 2] ?? 0 : 0);
    } else {
      key = `${family}/${source}/${msg.toString('latin1', a, a + n)}`;
    }
    let e = this.bySubnet.get(key);
    if (!e) {
      // SOURCE PREFIX-LENGTH 0: the client opted out of being located by it.
      const found = source === 0 ? undefined : this.locate(ecsAddressString(msg, a, n, family));
      const loc = found ?? this.defaultLoc;
      e = { loc, isDefault: loc === undefined || loc === this.defaultLoc, classId: 0, classOf: undefined };
      if (this.bySubnet.size >= MAX_SUBNETS) this.bySubnet.clear();
      this.bySubnet.set(key, e);
    }
    if (e.classOf !== snap) {
      e.classId = snap ? this.classOf(e.loc, snap) : 0;
      e.classOf = snap;
    }
    return e;
  }

  private classOf(loc: ResolvedLocation | undefined, snap: ZoneSnapshot): number {
    if (!loc) return 0;
    if (this.seenFor !== snap || !this.seen) {
      this.seen = distinctions(snap, this.table);
      this.seenFor = snap;
    }
    const d = this.seen;
    const country = loc.country !== undefined && d.countries.has(loc.country) ? loc.country : '';
    const continent = loc.continent !== undefined && d.continents.has(loc.continent) ? loc.continent : '';
    // As routing's byLatency: an unlocated region answers every candidate, else the nearest ones.
    const region = !d.region ? '' : loc.regionIndex < 0 ? '-' : d.regionSets ? nearestOf(d.regionSets, loc.regionIndex, this.table) : String(loc.regionIndex);
    const key = `${country}|${continent}|${region}`;
    let id = this.classes.get(key);
    if (id === undefined) {
      id = this.classes.size + 1;
      this.classes.set(key, id);
    }
    return id;
  }
}
