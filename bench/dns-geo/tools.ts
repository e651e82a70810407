// The geo benchmark's Go programs and generated inputs, kept in the tool cache outside
// the repository: the load generator (loadgen/), and kfed's GeoIP database rewritten in
// the GeoIP2 schema gdnsd and PowerDNS read, with the client subnets drawn from it
// (geoconv/). Each is rebuilt only when its sources or input changed.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CONTINENTS, continentOf } from '../../src/dns/continents.js';
import { bundledGeoLite2Paths } from '../../src/dnsserver/geo-locator.js';
import { findTool, kfedToolsDir } from '../../test/support/tools.js';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));

/** Client subnets per continent: every continent the geo policy names, and the ones it defaults. */
export const SUBNET_QUOTA = 'EU=2400,NA=2400,AS=2400,SA=1000,AF=1000,OC=1000';

function sourcesHash(dir: string): string {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) if (/\.(go|mod|sum)$/.test(f)) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex').slice(0, 16);
}

/** Builds the Go program in bench/dns-geo/<name> into the tool cache unless it is current. */
export async function buildGoTool(name: 'loadgen' | 'geoconv'): Promise<string> {
  const go = findTool('go');
  if (!go) throw new Error('dns-geo bench: go is not installed (it builds the load generator)');
  const src = join(HERE, name);
  const bin = join(kfedToolsDir(), `kfed-bench-${name}`);
  const stamp = `${bin}.src`;
  const hash = sourcesHash(src);
  if (existsSync(bin) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return bin;
  mkdirSync(kfedToolsDir(), { recursive: true });
  await run(go, ['build', '-o', bin, '.'], { cwd: src });
  writeFileSync(stamp, hash);
  return bin;
}

export interface GeoData {
  /** kfed's IPv4 GeoLite2 city data in the GeoIP2 City schema. */
  mmdb: string;
  /** "a.b.c.0 CONTINENT" lines, each /24 once. */
  subnets: string;
  subnetCount: number;
}

/** Converts kfed's bundled IPv4 database (about 90 s, once per database version). */
export async function geoData(log: (l: string) => void): Promise<GeoData> {
  const source = bundledGeoLite2Paths().ipv4Path;
  const st = statSync(source);
  const key = createHash('sha256').update(`${source}:${st.size}:${st.mtimeMs}:${SUBNET_QUOTA}:${sourcesHash(join(HERE, 'geoconv'))}`).digest('hex').slice(0, 12);
  const dir = join(kfedToolsDir(), '..', 'dns-geo', key);
  const mmdb = join(dir, 'geo-geoip2.mmdb');
  const subnets = join(dir, 'subnets.txt');
  if (!existsSync(mmdb) || !existsSync(subnets)) {
    mkdirSync(dir, { recursive: true });
    const table: Record<string, string> = {};
    const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (const a of A) for (const b of A) { const c = continentOf(a + b); if (c && CONTINENTS.includes(c)) table[a + b] = c; }
    const continents = join(dir, 'continents.json');
    writeFileSync(continents, JSON.stringify(table));
    log(`  converting ${source} to the GeoIP2 schema (once; about 90 s)`);
    const conv = await buildGoTool('geoconv');
    await run(conv, ['-in', source, '-continents', continents, '-out', `${mmdb}.tmp`, '-subnets-out', subnets, '-per-continent', SUBNET_QUOTA], { maxBuffer: 1 << 20 });
    await run('mv', [`${mmdb}.tmp`, mmdb]);
  }
  const subnetCount = readFileSync(subnets, 'utf8').split('\n').filter((l) => l.trim() !== '').length;
  return { mmdb, subnets, subnetCount };
}
