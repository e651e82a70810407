// Geo DNS benchmark with a realistic load: every query carries an EDNS Client Subnet from
// one of 10,200 client /24s drawn across six continents from kfed's GeoIP database, sent
// by the project's load generator (loadgen/; dnsperf sends one fixed option). In one run
// on loopback, with the same 10,000-name zone: kfed with geo routing (and with latency
// routing), gdnsd (geoip plugin) and PowerDNS (geoip backend) with the same geo policy
// and the same database, and Knot and BIND9 serving the plain zone. Rounds interleave the
// servers; ratios are taken per round and the median reported. dnsperf replays the same
// queries against BIND9 to show the load generator drives a server at least as hard.
// Run: npx tsx bench/dns-geo/run.ts [--seconds N] [--rounds N] [--warmup N] [--threads N]
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ClusteredDnsServer } from '../../src/dnsserver/cluster.js';
import { buildSnapshot } from '../../src/dnsserver/snapshot.js';
import { findTool } from '../../test/support/tools.js';
import { cpuSeconds, startBind, startKnot, type RunningServer } from '../dns-server/servers.js';
import { BENCH_ZONE, routedEndpoints, zoneFile } from '../dns-server/zone.js';
import { startGdnsd, startPdns } from './geo-servers.js';
import { dnsperf, emitQueries, loadgen, type DnsperfResult, type LoadResult, type LoadSettings } from './loadgen.js';
import { buildGoTool, geoData } from './tools.js';
import { formatGeoBench, median, type GeoBenchResult, type GeoRow, type TargetId } from './report.js';

export interface GeoBenchOptions {
  names?: number;
  seconds?: number;
  rounds?: number;
  /** Unmeasured load before each measurement, so every server's caches are warm (seconds). */
  warmup?: number;
  /** kfed worker processes and every other server's threads (default: available parallelism). */
  threads?: number;
  clients?: number;
  outstanding?: number;
  log?: (line: string) => void;
}

interface Target {
  id: TargetId;
  start(port: number): Promise<RunningServer>;
}

/** A loopback port free for both UDP and TCP (every server binds both; Knot fails on a taken TCP port). */
async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind({ address: '127.0.0.1', port: 0 }, () => r()));
    const port = s.address().port;
    const tcpFree = await new Promise<boolean>((resolve) => {
      const t = net.createServer();
      t.once('error', () => resolve(false));
      t.listen({ host: '127.0.0.1', port, exclusive: true }, () => t.close(() => resolve(true)));
    });
    await new Promise<void>((r) => s.close(() => r()));
    if (tcpFree) return port;
  }
  throw new Error('dns-geo bench: no loopback port free for both UDP and TCP');
}

/** kfed in `workers` worker processes with `udpThreads` UDP serving threads each. */
async function startKfed(policy: 'geo' | 'latency', mmdb: string, names: number, workers: number, udpThreads: number): Promise<RunningServer> {
  const server = new ClusteredDnsServer({ port: 0, workers, udpThreads, rateLimit: false, geo: { path: mmdb } });
  const { udpPort } = await server.start();
  await server.setSnapshot(buildSnapshot({ zones: [{ domain: BENCH_ZONE, nameServers: [`ns1.${BENCH_ZONE}`] }], endpoints: routedEndpoints(names, policy) }));
  return { name: `kfed-${policy}`, port: udpPort, pids: () => server.pids, stop: () => server.close() };
}

export async function runGeoBench(opts: GeoBenchOptions = {}): Promise<GeoBenchResult> {
  const threads = opts.threads ?? availableParallelism();
  const o = { names: opts.names ?? 10_000, seconds: opts.seconds ?? 5, rounds: opts.rounds ?? 3, warmup: opts.warmup ?? 5, threads, clients: opts.clients ?? 16, outstanding: opts.outstanding ?? 512 };
  const log = opts.log ?? ((l: string) => console.log(l));
  const tools = { named: findTool('named'), knotd: findTool('knotd'), gdnsd: findTool('gdnsd'), pdns_server: findTool('pdns_server'), dnsperf: findTool('dnsperf'), dig: findTool('dig'), go: findTool('go') };
  const missing = Object.entries(tools).filter(([, p]) => !p).map(([k]) => k);
  if (missing.length > 0) return { rows: [], ratios: [], dnsperfCheck: [], skipped: `missing ${missing.join(', ')} (apt-get install knot gdnsd pdns-server pdns-backend-geoip dnsperf bind9 dnsutils; Go)`, settings: { ...o, subnets: 0 } };
  const { named = '', knotd = '', gdnsd = '', pdns_server: pdns = '', dnsperf: perf = '', dig = '' } = tools;

  const [gen, geo] = [await buildGoTool('loadgen'), await geoData(log)];
  const dir = mkdtempSync(join(tmpdir(), 'kfed-dns-geo-'));
  try {
    const zonePath = join(dir, `${BENCH_ZONE}.zone`);
    writeFileSync(zonePath, zoneFile(o.names));
    const load: LoadSettings = { names: o.names, seconds: o.seconds, clients: o.clients, outstanding: o.outstanding, subnets: geo.subnets };
    const binQueries = join(dir, 'queries.bin');
    await emitQueries(gen, load, BENCH_ZONE, 500_000, binQueries);
    const targets: Target[] = [
      // One worker process with `threads` UDP serving threads sharing one answer cache, as
      // Knot's and gdnsd's threads share their zone.
      { id: 'kfed-geo', start: () => startKfed('geo', geo.mmdb, o.names, 1, threads) },
      { id: 'kfed-latency', start: () => startKfed('latency', geo.mmdb, o.names, 1, threads) },
      // `threads` worker processes of one thread each, every one with its own cache (--dns-workers).
      ...(threads > 1 ? [{ id: 'kfed-geo-procs' as const, start: () => startKfed('geo', geo.mmdb, o.names, threads, 1) }] : []),
      { id: 'gdnsd-geo', start: (p) => startGdnsd(gdnsd, dig, dir, geo.mmdb, o.names, p, threads) },
      { id: 'pdns-geo', start: (p) => startPdns(pdns, dig, dir, geo.mmdb, o.names, p, threads) },
      { id: 'knot-plain', start: (p) => startKnot(knotd, dig, dir, zonePath, p, threads) },
      { id: 'bind9-plain', start: (p) => startBind(named, dig, dir, zonePath, p, threads) },
    ];
    const samples = new Map<TargetId, (LoadResult & { serverCpuUs: number })[]>();
    const check: { loadgen: LoadResult; dnsperf: DnsperfResult }[] = [];
    for (let round = 0; round < o.rounds; round++) {
      // Rotate the order so no server always runs first (or right after the slowest start).
      const order = targets.map((_, i) => targets[(i + round) % targets.length] as Target);
      for (const t of order) {
        const srv = await t.start(await freePort());
        try {
          await loadgen(gen, srv.port, { ...load, seconds: o.warmup }, BENCH_ZONE, 1000 + round); // not measured
          const cpu = (): number => srv.pids().reduce((sum, pid) => sum + cpuSeconds(pid), 0);
          const cpu0 = cpu();
          const r = await loadgen(gen, srv.port, load, BENCH_ZONE, round + 1);
          const serverCpuUs = ((cpu() - cpu0) / Math.max(1, r.qps * o.seconds)) * 1e6;
          (samples.get(t.id) ?? samples.set(t.id, []).get(t.id))?.push({ ...r, serverCpuUs });
          const c = r.clusters;
          log(`  round ${round + 1} ${t.id.padEnd(12)} ${r.qps.toFixed(0).padStart(7)} qps  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  lost ${r.lostPct.toFixed(2)}%  NOERROR ${r.okPct.toFixed(1)}%  eu/us/ap ${(c.eu ?? 0).toFixed(1)}/${(c.us ?? 0).toFixed(1)}/${(c.ap ?? 0).toFixed(1)}%  server ${serverCpuUs.toFixed(1)} us/q  loadgen ${r.clientCpuUs.toFixed(1)} us/q`);
          if (t.id === 'bind9-plain') {
            const d = await dnsperf(perf, srv.port, binQueries, load, threads);
            check.push({ loadgen: r, dnsperf: d });
            log(`  round ${round + 1} bind9 dnsperf  ${d.qps.toFixed(0).padStart(7)} qps  lost ${d.lostPct}%  dnsperf ${d.clientCpuUs.toFixed(1)} us/q (same queries, -B)`);
          }
        } finally {
          await srv.stop();
        }
      }
    }
    const rows: GeoRow[] = targets.filter((t) => samples.has(t.id)).map((t) => {
      const runs = samples.get(t.id) ?? [];
      const m = (f: (r: LoadResult & { serverCpuUs: number }) => number): number => median(runs.map(f));
      return { id: t.id, qps: m((r) => r.qps), p50Ms: m((r) => r.p50Ms), p99Ms: m((r) => r.p99Ms), lostPct: m((r) => r.lostPct), okPct: m((r) => r.okPct),
        eu: m((r) => r.clusters.eu ?? 0), us: m((r) => r.clusters.us ?? 0), ap: m((r) => r.clusters.ap ?? 0), serverCpuUs: m((r) => r.serverCpuUs), clientCpuUs: m((r) => r.clientCpuUs) };
    });
    const perRound = (a: TargetId, b: TargetId, f: (r: LoadResult) => number): number =>
      median((samples.get(a) ?? []).map((r, i) => f(r) / f((samples.get(b) ?? [])[i] ?? r)));
    const ratios = [
      { name: 'kfed geo qps / Knot plain qps', value: perRound('kfed-geo', 'knot-plain', (r) => r.qps), goal: '>= 1.0', ok: (v: number) => v >= 1 },
      { name: 'kfed geo qps / gdnsd geo qps', value: perRound('kfed-geo', 'gdnsd-geo', (r) => r.qps), goal: '>= 1.0', ok: (v: number) => v >= 1 },
      { name: 'kfed geo qps / PowerDNS geo qps', value: perRound('kfed-geo', 'pdns-geo', (r) => r.qps), goal: '>= 1.0', ok: (v: number) => v >= 1 },
      { name: 'kfed geo p99 / Knot plain p99', value: perRound('kfed-geo', 'knot-plain', (r) => r.p99Ms), goal: '<= 1.2', ok: (v: number) => v <= 1.2 },
      { name: 'kfed latency qps / Knot plain qps', value: perRound('kfed-latency', 'knot-plain', (r) => r.qps), goal: '(info)', ok: () => true },
      { name: 'kfed geo processes qps / Knot plain', value: perRound('kfed-geo-procs', 'knot-plain', (r) => r.qps), goal: '(info)', ok: () => true },
    ].map((r) => ({ name: r.name, value: r.value, goal: r.goal, met: r.ok(r.value) }));
    const dnsperfCheck = check.map((c) => ({ loadgenQps: c.loadgen.qps, dnsperfQps: c.dnsperf.qps, loadgenCpuUs: c.loadgen.clientCpuUs, dnsperfCpuUs: c.dnsperf.clientCpuUs }));
    return { rows, ratios, dnsperfCheck, settings: { ...o, subnets: geo.subnetCount } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const o: GeoBenchOptions = {};
  for (const k of ['names', 'seconds', 'rounds', 'warmup', 'threads', 'clients', 'outstanding'] as const) {
    const v = arg(k);
    if (v !== undefined) o[k] = v;
  }
  console.log(formatGeoBench(await runGeoBench(o)));
  process.exit(0);
}
