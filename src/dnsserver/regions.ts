// The region-to-region latency table the `latency` routing policy reads. Built-in regions
// (AWS, GCP, Azure: cities.ts) take their latencies from the backbone model (backbone.ts);
// regions given by coordinates only are attached to their nearest metro over the ground;
// measured latencies (`--dns-latency-table`) replace any pair.
import { backbone, terrestrialMs } from './backbone.js';
import { CITY, REGION_CITY, greatCircleKm, type Coordinates } from './cities.js';

export { greatCircleKm, type Coordinates } from './cities.js';

/** Coordinates of every built-in region (AWS, GCP, Azure). */
export function builtInRegions(): Record<string, Coordinates> {
  const out: Record<string, Coordinates> = {};
  for (const [region, city] of Object.entries(REGION_CITY)) {
    const c = CITY[city];
    if (c) out[region] = c;
  }
  return out;
}

export interface LatencyTableOptions {
  /** Extra or replacement region coordinates (e.g. on-premises or sandbox regions). */
  regions?: Record<string, Coordinates>;
  /** Measured latencies in ms, `from -> to -> ms`; applied symmetrically over the default. */
  latencyMs?: Record<string, Record<string, number>>;
}

/**
 * Region-to-region latency. Regions are addressed by a dense index so the hot path does
 * array reads only; `-1` is "unknown region".
 */
export interface LatencyTable {
  readonly regionCount: number;
  regionIndex(name: string): number;
  regionName(index: number): string;
  /** The known region closest to a point (where a client is placed before table look-up). */
  nearestRegion(lat: number, lon: number): number;
  /** Latency in ms between two region indexes; Infinity when either is unknown. */
  latency(from: number, to: number): number;
}

export function createLatencyTable(opts: LatencyTableOptions = {}): LatencyTable {
  const coords = { ...builtInRegions(), ...(opts.regions ?? {}) };
  const names = Object.keys(coords).sort();
  const index = new Map(names.map((n, i) => [n, i] as const));
  // Regions named only in latencyMs (no coordinates) still get an index.
  for (const [from, row] of Object.entries(opts.latencyMs ?? {})) {
    for (const n of [from, ...Object.keys(row)]) if (!index.has(n)) { index.set(n, names.length); names.push(n); }
  }
  const count = names.length;
  const lats = new Float64Array(count).fill(NaN);
  const lons = new Float64Array(count).fill(NaN);
  const matrix = new Float64Array(count * count).fill(Infinity);
  names.forEach((n, i) => {
    const c = coords[n];
    if (c) { lats[i] = c.lat; lons[i] = c.lon; }
  });
  const anchors = names.map((n) => anchorOf(n, opts.regions?.[n] ? undefined : REGION_CITY[n], coords[n]));
  const bb = backbone();
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < count; j++) {
      const a = anchors[i];
      const b = anchors[j];
      if (i === j) matrix[i * count + j] = 0;
      else if (a && b) {
        const via = a.attachMs + bb.latency(a.metro, b.metro) + b.attachMs;
        // Two regions in one area, one of them placed by coordinates: over the ground directly.
        const direct = (a.attachMs > 0 || b.attachMs > 0) && bb.area(a.metro) === bb.area(b.metro)
          ? terrestrialMs(greatCircleKm(a.at, b.at)) : Infinity;
        matrix[i * count + j] = Math.min(via, direct);
      }
    }
  }
  for (const [from, row] of Object.entries(opts.latencyMs ?? {})) {
    const i = index.get(from) ?? -1;
    for (const [to, ms] of Object.entries(row)) {
      const j = index.get(to) ?? -1;
      if (i < 0 || j < 0 || !Number.isFinite(ms) || ms < 0) throw new Error(`latency table: bad entry ${from} -> ${to}: ${ms}`);
      matrix[i * count + j] = ms;
      matrix[j * count + i] = ms;
    }
  }
  return {
    regionCount: count,
    regionIndex: (name) => index.get(name) ?? -1,
    regionName: (i) => names[i] ?? '',
    nearestRegion(lat, lon) {
      let best = -1;
      let bestKm = Infinity;
      const p = { lat, lon };
      for (let i = 0; i < count; i++) {
        const la = lats[i] ?? NaN;
        if (Number.isNaN(la)) continue;
        const km = greatCircleKm(p, { lat: la, lon: lons[i] ?? 0 });
        if (km < bestKm) { bestKm = km; best = i; }
      }
      return best;
    },
    latency: (from, to) => (from < 0 || to < 0 ? Infinity : matrix[from * count + to] ?? Infinity),
  };
}

interface Anchor {
  at: Coordinates;
  /** backbone metro index */
  metro: number;
  /** round trip from the region to its metro (0 for built-in regions) */
  attachMs: number;
}

/** Where a region joins the backbone: its own metro when built in, else the nearest one. */
function anchorOf(name: string, city: string | undefined, at: Coordinates | undefined): Anchor | undefined {
  const bb = backbone();
  if (city !== undefined && at) return { at, metro: bb.metroIndex(city), attachMs: 0 };
  if (!at) return undefined;
  let best = -1;
  let bestKm = Infinity;
  for (let i = 0; i < bb.metros.length; i++) {
    const c = CITY[bb.metros[i] ?? ''];
    if (!c) continue;
    const km = greatCircleKm(at, c);
    if (km < bestKm) { bestKm = km; best = i; }
  }
  if (best < 0) throw new Error(`latency table: region ${name} has no metro to join`);
  return { at, metro: best, attachMs: terrestrialMs(bestKm) };
}
