// The geo-DNS servers users would otherwise pick, configured with kfed's geo policy for
// the benchmark zone: every name answers its Europe cluster to European clients, its
// Asia cluster to Asian ones and its US cluster to North America and everyone else
// (kfed's `continent:EU`, `continent:AS`, `continent:NA,*`). Both read the same GeoIP2
// file, take the client subnet from ECS, and run in the foreground on loopback.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { capture, stopper, waitForAnswer, type RunningServer } from '../dns-server/servers.js';
import { addr, BENCH_ZONE } from '../dns-server/zone.js';

/** The bench clusters in the order of `addr`'s address ranges. */
export const GEO_CLUSTERS = ['eu', 'us', 'ap'] as const;

const SOA = `ns1.${BENCH_ZONE}. hostmaster.${BENCH_ZONE}. 1 3600 600 604800 30`;

/** gdnsd 3 with its geoip plugin: one map (continent -> datacenter), one resource a name. */
export async function startGdnsd(gdnsd: string, dig: string, dir: string, mmdb: string, names: number, port: number, threads: number): Promise<RunningServer> {
  const conf = join(dir, 'gdnsd');
  for (const d of ['zones', 'run', 'state']) mkdirSync(join(conf, d), { recursive: true });
  const resources: string[] = [];
  for (let i = 0; i < names; i++) {
    resources.push(`r${i} => { map => bench, dcmap => { ${GEO_CLUSTERS.map((c, k) => `${c} => ${addr(i, k)}`).join(', ')} } }`);
  }
  writeFileSync(join(conf, 'config'), `options => {
  listen => [ 127.0.0.1:${port} ]
  udp_threads => ${threads}
  tcp_threads => 1
  run_dir => ${join(conf, 'run')}
  state_dir => ${join(conf, 'state')}
  zones_default_ttl => 300
}
plugins => { geoip => {
  maps => { bench => {
    geoip2_db => ${mmdb}
    datacenters => [ us, eu, ap ]
    map => { EU => [ eu ], AS => [ ap ], NA => [ us ], default => [ us ] }
  } }
  resources => {
    ${resources.join('\n    ')}
  }
} }
`);
  const zone = [`@ SOA ${SOA}`, `@ NS ns1.${BENCH_ZONE}.`, 'ns1 A 192.0.2.53'];
  for (let i = 0; i < names; i++) zone.push(`n${i} 300 DYNA geoip!r${i}`);
  writeFileSync(join(conf, 'zones', BENCH_ZONE), `${zone.join('\n')}\n`);
  const proc = spawn(gdnsd, ['-c', conf, 'start'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = capture(proc);
  await waitForAnswer(dig, port, 'gdnsd', proc, log, 120).catch(async (err: unknown) => { await stopper(proc)(); throw err; });
  return { name: 'gdnsd', port, pids: () => (proc.pid ? [proc.pid] : []), stop: stopper(proc) };
}

/** PowerDNS Authoritative with the geoip backend: a service a name, expanded by continent. */
export async function startPdns(pdns: string, dig: string, dir: string, mmdb: string, names: number, port: number, threads: number): Promise<RunningServer> {
  const conf = join(dir, 'pdns');
  mkdirSync(conf, { recursive: true });
  const records = [`    ${BENCH_ZONE}:`, `      - soa: ${SOA}`, `      - ns: ns1.${BENCH_ZONE}`, `    ns1.${BENCH_ZONE}:`, '      - a: 192.0.2.53'];
  const services: string[] = [];
  const label = { eu: 'eu', us: 'def', ap: 'as' } as const;
  for (let i = 0; i < names; i++) {
    const name = `n${i}.${BENCH_ZONE}`;
    GEO_CLUSTERS.forEach((c, k) => records.push(`    ${label[c]}.${name}:`, `      - a: ${addr(i, k)}`));
    // North America is the default's cluster: %cn 'na' and every other continent fall through to def.
    services.push(`    ${name}: [ '%cn.${name}', 'def.${name}' ]`);
  }
  const zones = join(conf, 'zones.yaml');
  writeFileSync(zones, `domains:\n- domain: ${BENCH_ZONE}\n  ttl: 300\n  records:\n${records.join('\n')}\n  services:\n${services.join('\n')}\n`);
  writeFileSync(join(conf, 'pdns.conf'), `launch=geoip
geoip-zones-file=${zones}
geoip-database-files=mmdb:${mmdb}
edns-subnet-processing=yes
local-address=127.0.0.1
local-port=${port}
receiver-threads=${threads}
reuseport=yes
socket-dir=${conf}
daemon=no
guardian=no
disable-syslog=yes
loglevel=3
webserver=no
api=no
`);
  const proc = spawn(pdns, [`--config-dir=${conf}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = capture(proc);
  await waitForAnswer(dig, port, 'pdns_server', proc, log, 120).catch(async (err: unknown) => { await stopper(proc)(); throw err; });
  return { name: 'pdns', port, pids: () => (proc.pid ? [proc.pid] : []), stop: stopper(proc) };
}
