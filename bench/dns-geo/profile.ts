// Profiles kfed's embedded server under the geo load. By default one DnsServer runs in
// this process (no worker processes, so --cpu-prof sees the serving path); --workers N
// runs the ClusteredDnsServer the benchmark runs. The load generator is another process.
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/dns-geo/profile.ts \
//        [--seconds N] [--warmup N] [--policy geo|latency] [--subnets N] [--clients N] [--workers N] [--threads N]
// --threads N: UDP serving threads (DnsServerOptions.udpThreads) in the server or in each worker.
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusteredDnsServer } from '../../src/dnsserver/cluster.js';
import { openMaxmindGeoLocator } from '../../src/dnsserver/geo-locator.js';
import { DnsServer } from '../../src/dnsserver/server.js';
import { buildSnapshot } from '../../src/dnsserver/snapshot.js';
import { readFileSync as readProc } from 'node:fs';
import { BENCH_ZONE, routedEndpoints } from '../dns-server/zone.js';
import { loadgen } from './loadgen.js';
import { buildGoTool, geoData } from './tools.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}

const seconds = Number(arg('seconds', '5'));
const policy = arg('policy', 'geo') === 'latency' ? 'latency' : 'geo';
const names = Number(arg('names', '10000'));
const workers = Number(arg('workers', '0'));
const udpThreads = Number(arg('threads', '1'));
const [gen, geo] = [await buildGoTool('loadgen'), await geoData((l) => console.log(l))];
const snapshot = { zones: [{ domain: BENCH_ZONE, nameServers: [`ns1.${BENCH_ZONE}`] }], endpoints: routedEndpoints(names, policy) };
let port: number;
let cpu: () => number;
let stop: () => Promise<void>;
let sys = (): number => process.resourceUsage().systemCPUTime;
/** User and system CPU of a process in microseconds (clock ticks of 10 ms). */
function userSys(pid: number): [number, number] {
  const f = readProc(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return [Number(f[11]) * 1e4, Number(f[12]) * 1e4];
}
if (workers > 0) {
  const server = new ClusteredDnsServer({ port: 0, workers, udpThreads, rateLimit: false, geo: { path: geo.mmdb } });
  port = (await server.start()).udpPort;
  await server.setSnapshot(buildSnapshot(snapshot));
  cpu = () => server.pids.reduce((s, pid) => s + userSys(pid)[0] + userSys(pid)[1], 0);
  sys = () => server.pids.reduce((s, pid) => s + userSys(pid)[1], 0);
  stop = () => server.close();
} else {
  const server = new DnsServer({ port: 0, rateLimit: false, udpThreads, geo: await openMaxmindGeoLocator({ path: geo.mmdb }) });
  port = (await server.start()).udpPort;
  server.setSnapshot(buildSnapshot(snapshot));
  cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
  stop = () => server.close();
}
// --subnets N: only the first N client subnets (1: every query alike, what a plain answer cache serves).
let subnets = geo.subnets;
const only = Number(arg('subnets', '0'));
if (only > 0) {
  subnets = join(tmpdir(), `kfed-geo-subnets-${only}.txt`);
  writeFileSync(subnets, readFileSync(geo.subnets, 'utf8').split('\n').slice(0, only).join('\n'));
}
const settings = { names, seconds, clients: Number(arg('clients', '16')), outstanding: Number(arg('outstanding', '400')), subnets };
await loadgen(gen, port, { ...settings, seconds: Number(arg('warmup', '5')) }, BENCH_ZONE, 99);
const cpu0 = cpu();
const sys0 = sys();
const r = await loadgen(gen, port, settings, BENCH_ZONE, 1);
const usPerQuery = (cpu() - cpu0) / (r.qps * seconds);
const sysPerQuery = (sys() - sys0) / (r.qps * seconds);
console.log(`kfed ${policy} (${workers > 0 ? `${workers} worker processes` : 'one process'}, ${udpThreads} UDP thread(s) each): ${r.qps.toFixed(0)} qps, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, NOERROR ${r.okPct.toFixed(1)}%, server CPU ${usPerQuery.toFixed(1)} us/query (system ${sysPerQuery.toFixed(1)}), loadgen ${r.clientCpuUs.toFixed(1)} us/query`);
await stop();
process.exit(0);
