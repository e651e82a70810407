// The default region-to-region latency: a model of how the built-in metro areas are wired,
// not of how far apart they are. Great-circle distance alone orders regions wrongly wherever
// the fibre does not follow it: Johannesburg is nearer Singapore than Dublin as the crow flies,
// but its cables land in Europe, so every published measurement puts Europe ~100 ms closer;
// Tel Aviv reaches the Gulf through Europe; Cape Town reaches South America through Europe and
// North America.
//
// The model is a graph of metro areas (cities.ts):
// - within one backbone area (a continent, or a part of one with its own landings) metros are
//   joined directly, at fibre speed over the great circle stretched by ROUTE_STRETCH plus a
//   fixed HOP_MS of equipment and last-mile (about 1 ms of round trip per 100 km of glass);
// - areas are joined only by the links below: the long-haul corridors (subsea cables, and the
//   terrestrial routes between areas) that inter-region traffic takes, each with its round
//   trip in ms, rounded to 5 ms from the public inter-region measurements (cloud providers'
//   own published round-trip statistics and the community's AWS inter-region pings);
// - the latency between two metros is the shortest path (Floyd-Warshall over ~75 nodes, once).
// Operators with their own measurements override any pair with `--dns-latency-table`.
import { CITY, greatCircleKm } from './cities.js';

/** Backbone areas: metros in one area are joined directly. */
const AREAS: Record<string, readonly string[]> = {
  northAmerica: ['ashburn', 'columbus', 'sanjose', 'oregon', 'iowa', 'carolina', 'dallas', 'losangeles', 'saltlake',
    'lasvegas', 'chicago', 'sanantonio', 'wyoming', 'sanfrancisco', 'quincy', 'phoenix', 'montreal', 'toronto',
    'quebec', 'calgary', 'queretaro'],
  southAmerica: ['saopaulo', 'santiago'],
  europe: ['dublin', 'london', 'cardiff', 'paris', 'marseille', 'frankfurt', 'berlin', 'zurich', 'geneva', 'milan',
    'turin', 'madrid', 'zaragoza', 'stockholm', 'gavle', 'oslo', 'stavanger', 'hamina', 'warsaw', 'brussels',
    'eemshaven', 'amsterdam'],
  levant: ['telaviv'],
  gulf: ['bahrain', 'dubai', 'abudhabi', 'doha', 'dammam'],
  southernAfrica: ['capetown', 'johannesburg'],
  india: ['mumbai', 'pune', 'chennai', 'hyderabad', 'delhi'],
  eastAsia: ['hongkong', 'taiwan', 'tokyo', 'osaka', 'seoul', 'busan', 'singapore', 'jakarta', 'kualalumpur', 'bangkok'],
  australia: ['sydney', 'melbourne', 'canberra'],
  newZealand: ['auckland'],
};

/** Long-haul corridors between areas: [metro, metro, round trip ms]. */
const LINKS: readonly (readonly [string, string, number])[] = [
  ['ashburn', 'dublin', 70], ['ashburn', 'london', 75], // transatlantic
  ['ashburn', 'saopaulo', 115], // via Miami and the Atlantic coast cables
  ['frankfurt', 'telaviv', 55], ['marseille', 'telaviv', 45], // Mediterranean
  ['frankfurt', 'bahrain', 85], ['marseille', 'dubai', 100], // Europe - Gulf
  ['london', 'capetown', 150], ['marseille', 'johannesburg', 160], // Africa's west and east coast cables
  ['marseille', 'mumbai', 105], // Red Sea cables
  ['dubai', 'mumbai', 35], ['bahrain', 'mumbai', 40], // Arabian Sea
  ['chennai', 'singapore', 35], ['mumbai', 'singapore', 60], // Bay of Bengal
  ['tokyo', 'oregon', 100], ['tokyo', 'sanjose', 105], ['hongkong', 'losangeles', 150], ['singapore', 'losangeles', 170], // Pacific
  ['singapore', 'sydney', 90], ['tokyo', 'sydney', 105], // Asia - Australia
  ['sydney', 'sanjose', 140], ['sydney', 'losangeles', 140], // Southern Cross
  ['sydney', 'auckland', 25], ['auckland', 'losangeles', 125], // Tasman and Hawaiki
];

/** Stretch of terrestrial routes over the great circle, and the fixed cost of a hop, in ms. */
export const ROUTE_STRETCH = 1.5;
export const HOP_MS = 2;
const KM_PER_MS = 100;

/** Round trip over the ground between two points: the great circle, stretched. */
export function terrestrialMs(km: number): number {
  return (km * ROUTE_STRETCH) / KM_PER_MS;
}

export interface Backbone {
  /** Metro names, in matrix order. */
  readonly metros: readonly string[];
  metroIndex(name: string): number;
  /** Round trip in ms between two metros (by index). */
  latency(from: number, to: number): number;
  /** The area a metro is in. */
  area(index: number): string;
}

let built: Backbone | undefined;

/** The built-in backbone (computed once). */
export function backbone(): Backbone {
  built ??= buildBackbone();
  return built;
}

function buildBackbone(): Backbone {
  const metros = Object.keys(CITY).sort();
  const index = new Map(metros.map((m, i) => [m, i] as const));
  const areaOf = new Array<string>(metros.length).fill('');
  for (const [area, members] of Object.entries(AREAS)) {
    for (const m of members) {
      const i = index.get(m);
      if (i === undefined) throw new Error(`backbone: area ${area} names an unknown metro ${m}`);
      areaOf[i] = area;
    }
  }
  const missing = metros.filter((_, i) => areaOf[i] === '');
  if (missing.length) throw new Error(`backbone: metros in no area: ${missing.join(', ')}`);
  const n = metros.length;
  const d = new Float64Array(n * n).fill(Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) d[i * n + j] = 0;
      else if (areaOf[i] === areaOf[j]) d[i * n + j] = terrestrialMs(greatCircleKm(CITY[metros[i] ?? '']!, CITY[metros[j] ?? '']!)) + HOP_MS;
    }
  }
  for (const [a, b, ms] of LINKS) {
    const i = index.get(a);
    const j = index.get(b);
    if (i === undefined || j === undefined) throw new Error(`backbone: link ${a} - ${b} names an unknown metro`);
    d[i * n + j] = Math.min(d[i * n + j] ?? Infinity, ms);
    d[j * n + i] = d[i * n + j] ?? ms;
  }
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      const ik = d[i * n + k] ?? Infinity;
      if (ik === Infinity) continue;
      for (let j = 0; j < n; j++) {
        const via = ik + (d[k * n + j] ?? Infinity);
        if (via < (d[i * n + j] ?? Infinity)) d[i * n + j] = via;
      }
    }
  }
  return {
    metros,
    metroIndex: (name) => index.get(name) ?? -1,
    latency: (from, to) => (from < 0 || to < 0 ? Infinity : d[from * n + to] ?? Infinity),
    area: (i) => areaOf[i] ?? '',
  };
}
