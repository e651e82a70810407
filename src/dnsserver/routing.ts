// Per-query evaluation of routed record sets (one endpoint per cluster with a
// `kfed.io/routing-policy`). Everything that does not depend on the client is
// precomputed when the snapshot is built; what does (latency by client region) is
// memoized per view, so a steady-state query does a Map.get and no allocation.
import type { RoutingPolicy } from '../api/multiclusterdns.js';
import type { Continent } from '../dns/continents.js';
import type { LatencyTable } from './regions.js';
import type { RRSet } from './records.js';

export type RoutedPolicy = Exclude<RoutingPolicy, 'simple'>;

/** One cluster's endpoint(s) for a routed name. */
export interface Candidate {
  id: string;
  region: string | undefined;
  weight: number;
  failover: 'primary' | 'secondary';
  geoCountries: readonly string[];
  geoContinents: readonly string[];
  geoDefault: boolean;
  /** Record sets of this cluster by type (A, AAAA, CNAME, ...). */
  sets: ReadonlyMap<number, RRSet>;
}

/** Client location as the router needs it, cached per client address by the server. */
export interface ResolvedLocation {
  country: string | undefined;
  continent: Continent | undefined;
  /** Index of the nearest region in the server's latency table, -1 when unknown. */
  regionIndex: number;
  /** Database network prefix length: the ECS scope of a location-dependent answer. */
  prefixLength: number;
}

/** The candidates eligible for one query type at one name, with per-policy indexes. */
export interface RoutingView {
  policy: RoutedPolicy;
  cands: readonly Candidate[];
  singles: readonly (readonly Candidate[])[];
  cumWeights: Float64Array;
  totalWeight: number;
  preferred: readonly Candidate[];
  byCountry: ReadonlyMap<string, readonly Candidate[]>;
  byContinent: ReadonlyMap<string, readonly Candidate[]>;
  geoDefault: readonly Candidate[] | undefined;
  // Lazily filled caches (not observable state): region indexes for one latency table.
  memoTable: LatencyTable | undefined;
  regionIdx: Int32Array | undefined;
  latencyMemo: Map<number, readonly Candidate[]>;
}

function pushTo(m: Map<string, Candidate[]>, k: string, c: Candidate): void {
  const l = m.get(k);
  if (l) l.push(c);
  else m.set(k, [c]);
}

export function buildView(policy: RoutedPolicy, cands: Candidate[]): RoutingView {
  let total = 0;
  for (const c of cands) total += c.weight;
  // All-zero weights would answer nothing; Route53 then treats them as equal.
  const equal = total === 0;
  const cum = new Float64Array(cands.length);
  let acc = 0;
  cands.forEach((c, i) => { acc += equal ? 1 : c.weight; cum[i] = acc; });
  const primaries = cands.filter((c) => c.failover === 'primary');
  const byCountry = new Map<string, Candidate[]>();
  const byContinent = new Map<string, Candidate[]>();
  const def: Candidate[] = [];
  for (const c of cands) {
    for (const cc of c.geoCountries) pushTo(byCountry, cc, c);
    for (const ct of c.geoContinents) pushTo(byContinent, ct, c);
    if (c.geoDefault) def.push(c);
  }
  return {
    policy, cands, singles: cands.map((c) => [c]), cumWeights: cum, totalWeight: acc,
    preferred: primaries.length > 0 ? primaries : cands,
    byCountry, byContinent, geoDefault: def.length > 0 ? def : undefined,
    memoTable: undefined, regionIdx: undefined, latencyMemo: new Map(),
  };
}

/** Scratch output of `select`, reused by the caller to avoid an allocation per query. */
export interface SelectResult {
  /** True when the choice depended on the client's location (sets ECS scope). */
  usedLocation: boolean;
}

function byLatency(view: RoutingView, loc: ResolvedLocation, table: LatencyTable): readonly Candidate[] {
  if (view.memoTable !== table || !view.regionIdx) {
    view.memoTable = table;
    view.regionIdx = Int32Array.from(view.cands, (c) => (c.region === undefined ? -1 : table.regionIndex(c.region)));
    view.latencyMemo.clear();
  }
  const hit = view.latencyMemo.get(loc.regionIndex);
  if (hit) return hit;
  let best = Infinity;
  for (let i = 0; i < view.cands.length; i++) best = Math.min(best, table.latency(loc.regionIndex, view.regionIdx[i] ?? -1));
  // Clusters in the same region tie and are all returned; unknown regions lose to known ones.
  const chosen = best === Infinity ? view.cands : view.cands.filter((_, i) => table.latency(loc.regionIndex, view.regionIdx?.[i] ?? -1) === best);
  if (view.latencyMemo.size < 4096) view.latencyMemo.set(loc.regionIndex, chosen);
  return chosen;
}

/**
 * The candidates to answer with. Unknown clients get every candidate for latency, and
 * the `*` candidates for geo when there are any (every candidate with `unlocatedAll`); weighted picks one candidate per query in proportion to
 * its weight; failover answers the primaries while any is present.
 */
export function select(view: RoutingView, loc: ResolvedLocation | undefined, table: LatencyTable, random: () => number, out: SelectResult, unlocatedAll = false): readonly Candidate[] {
  out.usedLocation = false;
  switch (view.policy) {
    case 'weighted': {
      const n = view.cands.length;
      if (n <= 1) return view.cands;
      const r = random() * view.totalWeight;
      let i = 0;
      while (i < n - 1 && (view.cumWeights[i] ?? 0) <= r) i++;
      return view.singles[i] ?? view.cands;
    }
    case 'failover':
      return view.preferred;
    case 'latency':
      if (!loc || loc.regionIndex < 0) return view.cands;
      out.usedLocation = true;
      return byLatency(view, loc, table);
    case 'geo': {
      // As Route53 and Cloud DNS: a client that cannot be located gets the default (`*`) set.
      if (!loc) return unlocatedAll ? view.cands : view.geoDefault ?? view.cands;
      out.usedLocation = true;
      const c = loc.country !== undefined ? view.byCountry.get(loc.country) : undefined;
      if (c) return c;
      const k = loc.continent !== undefined ? view.byContinent.get(loc.continent) : undefined;
      if (k) return k;
      return view.geoDefault ?? view.cands;
    }
  }
}
