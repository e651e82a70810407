// End to end on loopback: DNS controllers on the sandbox -> DNSEndpoints -> serving feed
// -> the embedded DNS server, queried over UDP on 127.0.0.1 (dns-packet, and `dig` as a
// user would when it is installed).
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { promisify } from 'node:util';
import * as dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTERNALDNS_ENDPOINTS } from '../../../src/api/multiclusterdns.js';
import { ServingFeed } from '../../../src/dnsserver/serving-feed.js';
import { DnsServer } from '../../../src/dnsserver/index.js';
import { formatStall, measureStalls } from '../../support/stall-meter.js';
import { requireTools } from '../../support/tools.js';
import { CLUSTERS, lbIp, N, startGoApp, until, type GoAppEnv } from '../dns/go-app-fixture.js';

let env: GoAppEnv;
let server: DnsServer;
let port: number;
let feed: ServingFeed;
const stopFeed = new AbortController();
let feedRun: Promise<void>;
const ip: Record<string, string> = {};

interface Reply {
  rcode: string;
  answers: string[];
}

let nextId = 1;
async function query(name: string, type: 'A' | 'AAAA' | 'CNAME' | 'SOA' = 'A'): Promise<Reply> {
  const sock = dgram.createSocket('udp4');
  try {
    const id = nextId++ & 0xffff;
    const msg = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] });
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply for ${name}`)), 5000);
      sock.on('message', (buf) => {
        clearTimeout(timer);
        resolve(buf);
      });
      sock.send(msg, port, '127.0.0.1');
    });
    const p = dnsPacket.decode(reply);
    const answers = (p.answers ?? []).map((a) => `${a.name} ${a.type} ${'data' in a ? String(a.data) : ''}`).sort();
    // dns-packet decodes rcode but its types do not declare it.
    return { rcode: (p as { rcode?: string }).rcode ?? 'NOERROR', answers };
  } finally {
    sock.close();
  }
}

const addresses = (r: Reply): string[] => r.answers.filter((a) => a.includes(' A ')).map((a) => a.split(' ')[2] ?? '').sort();

beforeAll(async () => {
  env = await startGoApp();
  for (const c of CLUSTERS) ip[c] = await lbIp(env, c);
  server = new DnsServer({ address: '127.0.0.1', port: 0, rateLimit: false });
  port = (await server.start()).udpPort;
  feed = new ServingFeed({ host: env.host, sink: server, debounceMs: 5 });
  feedRun = feed.start(stopFeed.signal);
}, 30_000);

afterAll(async () => {
  stopFeed.abort();
  await feedRun;
  await server?.close();
  await env?.close();
});

describe('serving feed -> embedded DNS server', () => {
  it('answers the go-app names from the rendered DNSEndpoint', async () => {
    const all = CLUSTERS.map((c) => ip[c] as string).sort();
    await until(async () => JSON.stringify(addresses(await query(`${N}.example.com`))) === JSON.stringify(all) || undefined);
    expect(addresses(await query(`${N}.eu-west-1.example.com`))).toEqual([ip['cluster-2']]);
    expect(addresses(await query(`${N}.us-east-1b.us-east-1.example.com`))).toEqual([ip['cluster-1']]);
    // dnsPrefix CNAME, followed inside the zone
    const prefix = await query('go.example.com');
    expect(prefix.answers).toContain(`go.example.com CNAME ${N}.example.com`);
    expect(addresses(prefix)).toEqual(all);
    expect((await query('nothing-here.example.com')).rcode).toBe('NXDOMAIN');
    expect((await query('example.org')).rcode).toBe('REFUSED');
  });

  it('cluster-2 NotReady leaves the answers within 1 s; returns after recovery', async () => {
    const rest = [ip['cluster-1'], ip['cluster-3']].sort() as string[];
    await env.sb.cluster('cluster-2').stop();
    // Within 1 s of the time this process could run (stalls of a loaded machine excluded,
    // stall-meter.ts), and within 10 s of wall time.
    const took = await measureStalls(async () => {
      env.members.setReady('cluster-2', false);
      await until(async () => JSON.stringify(addresses(await query(`${N}.example.com`))) === JSON.stringify(rest) || undefined, 10_000, 2);
    });
    console.log(`[dns] cluster-2 NotReady -> DNS answer without it in ${formatStall(took)}`);
    expect(took.activeMs).toBeLessThan(1000);
    const region = await query(`${N}.eu-west-1.example.com`);
    expect(region.answers).toContain(`${N}.eu-west-1.example.com CNAME ${N}.example.com`);
    expect(addresses(region)).toEqual(rest);

    await env.sb.cluster('cluster-2').start();
    env.members.setReady('cluster-2', true);
    await until(async () => addresses(await query(`${N}.eu-west-1.example.com`)).join() === ip['cluster-2'] || undefined, 10_000);
  });

  it('serves externaldns.k8s.io DNSEndpoints too', async () => {
    await env.host.dynamic.create(EXTERNALDNS_ENDPOINTS, {
      apiVersion: 'externaldns.k8s.io/v1alpha1', kind: 'DNSEndpoint', metadata: { name: 'legacy', namespace: 'go-app' },
      spec: { endpoints: [{ dnsName: 'legacy.example.com', recordType: 'A', targets: ['192.0.2.200'], recordTTL: 60 }] },
    });
    await until(async () => addresses(await query('legacy.example.com')).join() === '192.0.2.200' || undefined);
  });

  const tools = requireTools('dig');
  it.skipIf(!tools)('dig sees what a user would', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(tools?.dig ?? 'dig', ['@127.0.0.1', '-p', String(port), `${N}.example.com`, 'A', '+short']);
    expect(stdout.trim().split('\n').sort()).toEqual(CLUSTERS.map((c) => ip[c]).sort());
  });
});
