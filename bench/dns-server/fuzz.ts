// Full fuzz run: 1,000,000 random and mutated packets (default 900k UDP + 100k TCP)
// against a DnsServer in this process. Fails (exit 1) on any undecodable reply, any ID
// mismatch, any internal error, an uncaught exception, or a server that stops answering.
// Run: npx tsx bench/dns-server/fuzz.ts [--udp N] [--tcp N] [--seed N]
import { pathToFileURL } from 'node:url';
import * as dnsPacket from 'dns-packet';
import dgram from 'node:dgram';
import { Registry } from 'prom-client';
import { DnsServer } from '../../src/dnsserver/server.js';
import { openMaxmindGeoLocator } from '../../src/dnsserver/geo-locator.js';
import { buildSnapshot } from '../../src/dnsserver/snapshot.js';
import { fuzzTcp, fuzzUdp, type FuzzStats } from './fuzz-packets.js';
import type { Endpoint } from '../../src/api/multiclusterdns.js';

export function fuzzEndpoints(): Endpoint[] {
  const r = (cluster: string, ip: string, region: string): Endpoint => ({
    dnsName: 'go-app.go-app.myfed.svc.example.com', recordType: 'A', targets: [ip], setIdentifier: cluster,
    providerSpecific: [{ name: 'kfed.io/routing-policy', value: 'latency' }, { name: 'kfed.io/region', value: region }],
  });
  return [
    { dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'] },
    { dnsName: 'www.example.com', recordType: 'AAAA', targets: ['2001:db8::1'] },
    { dnsName: 'www.example.com', recordType: 'TXT', targets: ['"hello"'] },
    { dnsName: 'www.example.com', recordType: 'MX', targets: ['10 mail.example.com'] },
    { dnsName: 'alias.example.com', recordType: 'CNAME', targets: ['www.example.com'] },
    { dnsName: '*.wild.example.com', recordType: 'A', targets: ['203.0.113.9'] },
    { dnsName: 'big.example.com', recordType: 'A', targets: Array.from({ length: 80 }, (_, i) => `203.0.113.${i + 1}`) },
    r('eu', '192.0.2.10', 'eu-west-1'), r('us', '198.51.100.10', 'us-east-1'), r('ap', '203.0.113.10', 'ap-northeast-1'),
  ];
}

export interface FuzzRunResult {
  udp: FuzzStats & { sentinelTimeouts: number };
  tcp: FuzzStats;
  internalErrors: number;
  uncaught: number;
  aliveAfter: boolean;
  seconds: number;
}

async function stillAnswers(port: number): Promise<boolean> {
  const sock = dgram.createSocket('udp4');
  try {
    return await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 2000);
      sock.on('message', (m) => { clearTimeout(t); resolve((dnsPacket.decode(m).answers ?? []).length > 0); });
      sock.send(dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name: 'www.example.com' }] }), port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

export async function runFuzz(udpCount: number, tcpCount: number, seed: number): Promise<FuzzRunResult> {
  let uncaught = 0;
  const onUncaught = (): void => { uncaught++; };
  process.on('uncaughtException', onUncaught);
  const registry = new Registry();
  const server = new DnsServer({ port: 0, geo: await openMaxmindGeoLocator(), rateLimit: false, metrics: registry, maxTcpConnections: 64 });
  const t0 = performance.now();
  try {
    const { udpPort } = await server.start();
    server.setSnapshot(buildSnapshot({ zones: [{ domain: 'example.com' }, { domain: 'sub.example.com' }], endpoints: fuzzEndpoints() }));
    const udp = await fuzzUdp(udpPort, udpCount, seed);
    const tcp = await fuzzTcp(udpPort, tcpCount, seed + 1);
    const aliveAfter = await stillAnswers(udpPort);
    const m = await registry.getSingleMetricAsString('kfed_dns_internal_errors_total');
    const internalErrors = Number(/kfed_dns_internal_errors_total (\d+)/.exec(m)?.[1] ?? NaN);
    return { udp, tcp, internalErrors, uncaught, aliveAfter, seconds: (performance.now() - t0) / 1000 };
  } finally {
    process.off('uncaughtException', onUncaught);
    await server.close();
  }
}

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runFuzz(arg('udp', 900_000), arg('tcp', 100_000), arg('seed', 20240601));
  console.log(JSON.stringify(r, null, 2));
  const ok = r.udp.undecodable === 0 && r.tcp.undecodable === 0 && r.udp.idMismatch === 0 && r.internalErrors === 0 && r.uncaught === 0 && r.aliveAfter;
  console.log(`fuzz: ${r.udp.sent + r.tcp.sent} packets (${r.udp.sent} UDP, ${r.tcp.sent} TCP) in ${r.seconds.toFixed(1)} s; replies UDP ${r.udp.replies}, TCP ${r.tcp.replies}; undecodable ${r.udp.undecodable + r.tcp.undecodable}; internal errors ${r.internalErrors}; ${ok ? 'PASS' : 'FAIL'}`);
  process.exit(ok ? 0 : 1);
}
