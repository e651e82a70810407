// The embedded DNS server as a user meets it: real dig and kdig over UDP and TCP.
import net from 'node:net';
import dgram from 'node:dgram';
import * as dnsPacket from 'dns-packet';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../src/api/multiclusterdns.js';
import { DnsServer } from '../../../src/dnsserver/server.js';
import { openMaxmindGeoLocator } from '../../../src/dnsserver/geo-locator.js';
import { buildSnapshot } from '../../../src/dnsserver/snapshot.js';
import { requireTools } from '../../support/tools.js';
import { pollUntil } from '../../support/until.js';
import { dig, routedEp, tool } from './harness.js';

const tools = requireTools('dig', 'kdig');
const ZONE = 'example.com';
const APP = 'go-app.go-app.myfed.svc.example.com';

function endpoints(withPrimary: boolean): Endpoint[] {
  const eps: Endpoint[] = [
    { dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1'] },
    { dnsName: 'www.example.com', recordType: 'AAAA', targets: ['2001:db8::1'] },
    { dnsName: 'alias.example.com', recordType: 'CNAME', targets: ['alias2.example.com'] },
    { dnsName: 'alias2.example.com', recordType: 'CNAME', targets: ['www.example.com'] },
    { dnsName: 'deep.sub.example.com', recordType: 'A', targets: ['192.0.2.5'] },
    { dnsName: 'big.example.com', recordType: 'A', targets: Array.from({ length: 60 }, (_, i) => `203.0.113.${i + 1}`) },
    routedEp(APP, 'cluster-eu', '192.0.2.10', { 'routing-policy': 'latency', region: 'eu-central-1' }),
    routedEp(APP, 'cluster-us', '198.51.100.10', { 'routing-policy': 'latency', region: 'us-east-1' }),
    routedEp(APP, 'cluster-ap', '203.0.113.100', { 'routing-policy': 'latency', region: 'ap-northeast-1' }),
    routedEp('geo.example.com', 'cluster-eu', '192.0.2.20', { 'routing-policy': 'geo', geo: 'continent:EU' }),
    routedEp('geo.example.com', 'cluster-us', '198.51.100.20', { 'routing-policy': 'geo', geo: 'continent:NA,*' }),
    routedEp('geo.example.com', 'cluster-ap', '203.0.113.20', { 'routing-policy': 'geo', geo: 'continent:AS' }),
    routedEp('w.example.com', 'c1', '192.0.2.31', { 'routing-policy': 'weighted', weight: '1' }),
    routedEp('w.example.com', 'c2', '192.0.2.32', { 'routing-policy': 'weighted', weight: '3' }),
    routedEp('fo.example.com', 'c2', '198.51.100.42', { 'routing-policy': 'failover', failover: 'secondary' }),
  ];
  if (withPrimary) eps.push(routedEp('fo.example.com', 'c1', '192.0.2.41', { 'routing-policy': 'failover', failover: 'primary' }));
  return eps;
}

// Both UDP paths: the native batched sockets (recvmmsg/sendmmsg) and the node:dgram fallback.
describe.skipIf(!tools).each(['batched', 'dgram'] as const)('DNS server with dig and kdig (UDP %s)', (mode) => {
  const t = tools ?? { dig: 'dig', kdig: 'kdig' };
  const registry = new Registry();
  let server: DnsServer;
  let port = 0;

  beforeAll(async () => {
    server = new DnsServer({ address: '127.0.0.1', port: 0, geo: await openMaxmindGeoLocator(), rateLimit: false, metrics: registry, udpBatching: mode === 'batched' });
    port = (await server.start()).udpPort;
    if (mode === 'batched' && server.udpMode !== 'batched' && !process.env['KFED_E2E_REQUIRED']) console.warn('native udp-batch not built: the batched run uses node:dgram');
    if (process.env['KFED_E2E_REQUIRED']) expect(server.udpMode).toBe(mode);
    server.setSnapshot(buildSnapshot({ zones: [{ domain: ZONE }], endpoints: endpoints(true), serial: 100 }));
  });
  afterAll(async () => { await server?.close(); });

  it('answers authoritatively, without recursion', async () => {
    const r = await dig(t.dig, port, 'www.example.com', 'A');
    expect(r.status).toBe('NOERROR');
    expect(r.flags).toContain('aa');
    expect(r.flags).not.toContain('ra');
    expect(r.answer).toEqual(['www.example.com. 300 IN A 192.0.2.1']);
    const k = await dig(t.kdig, port, 'www.example.com', 'AAAA');
    expect(k.flags).toContain('aa');
    expect(k.answer).toEqual(['www.example.com. 300 IN AAAA 2001:db8::1']);
  });

  it('serves SOA and NS at the apex', async () => {
    expect((await dig(t.dig, port, ZONE, 'SOA')).answer).toEqual(['example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 100 3600 600 604800 30']);
    expect((await dig(t.kdig, port, ZONE, 'NS')).answer).toEqual(['example.com. 300 IN NS ns1.example.com.']);
  });

  it('tells NXDOMAIN from NODATA, both with the SOA', async () => {
    const nx = await dig(t.dig, port, 'missing.example.com', 'A');
    expect(nx.status).toBe('NXDOMAIN');
    expect(nx.flags).toContain('aa');
    expect(nx.authority[0]).toMatch(/^example\.com\. 30 IN SOA ns1\.example\.com\./);
    for (const [name, type] of [['www.example.com', 'TXT'], ['sub.example.com', 'A']] as const) {
      const nd = await dig(t.dig, port, name, type);
      expect(nd.status).toBe('NOERROR');
      expect(nd.answer).toEqual([]);
      expect(nd.authority[0]).toMatch(/IN SOA/);
    }
  });

  it('refuses names outside its zones', async () => {
    const r = await dig(t.dig, port, 'www.example.org', 'A');
    expect(r.status).toBe('REFUSED');
    expect(r.flags).not.toContain('aa');
    expect((await dig(t.kdig, port, 'www.example.org', 'A')).status).toBe('REFUSED');
  });

  it('follows CNAME chains inside the zone', async () => {
    for (const bin of [t.dig, t.kdig]) {
      const r = await dig(bin, port, 'alias.example.com', 'A');
      expect(r.answer).toEqual([
        'alias.example.com. 300 IN CNAME alias2.example.com.',
        'alias2.example.com. 300 IN CNAME www.example.com.',
        'www.example.com. 300 IN A 192.0.2.1',
      ]);
    }
  });

  it('sets TC when the answer does not fit and gives the full answer over TCP', async () => {
    const udp = await dig(t.dig, port, '+ignore', '+bufsize=512', 'big.example.com', 'A');
    expect(udp.flags).toContain('tc');
    expect(udp.answer).toEqual([]);
    const noEdns = await dig(t.kdig, port, '+ignore', '+noedns', 'big.example.com', 'A');
    expect(noEdns.flags).toContain('tc');
    // dig retries over TCP on TC by itself
    const retried = await tool(t.dig, port, ['+bufsize=512', 'big.example.com', 'A']);
    expect(retried).toMatch(/Truncated, retrying in TCP mode/);
    expect(retried).toMatch(/ANSWER: 60/);
    const tcp = await dig(t.kdig, port, '+tcp', 'big.example.com', 'A');
    expect(tcp.flags).not.toContain('tc');
    expect(tcp.answer).toHaveLength(60);
    const large = await dig(t.dig, port, '+bufsize=4096', 'big.example.com', 'A');
    expect(large.flags).not.toContain('tc');
    expect(large.answer).toHaveLength(60);
  });

  it('echoes the case of the query name', async () => {
    const r = await dig(t.dig, port, 'WwW.ExAmPlE.CoM', 'A');
    expect(r.question[0]).toMatch(/^;WwW\.ExAmPlE\.CoM\. IN A$/);
    expect(r.answer).toEqual(['WwW.ExAmPlE.CoM. 300 IN A 192.0.2.1']);
  });

  // Public prefixes as clients send them in ECS; answers are documentation addresses.
  const clients = [
    { where: 'European', subnet: '81.2.69.0/24', latency: '192.0.2.10', geo: '192.0.2.20' },
    { where: 'American', subnet: '8.8.8.0/24', latency: '198.51.100.10', geo: '198.51.100.20' },
    { where: 'Asian', subnet: '133.242.0.0/16', latency: '203.0.113.100', geo: '203.0.113.20' },
  ];
  for (const c of clients) {
    it(`gives a ${c.where} client subnet the nearest cluster (latency and geo, dig and kdig)`, async () => {
      for (const bin of [t.dig, t.kdig]) {
        const lat = await dig(bin, port, `+subnet=${c.subnet}`, APP, 'A');
        expect(lat.answer).toEqual([`${APP}. 300 IN A ${c.latency}`]);
        // The reply's ECS carries a non-zero scope prefix: the answer depends on the subnet.
        expect(lat.ecs).toMatch(new RegExp(`^${c.subnet.replace(/\./g, '\\.')}/[1-9]\\d*$`));
        const geo = await dig(bin, port, `+subnet=${c.subnet}`, 'geo.example.com', 'A');
        expect(geo.answer).toEqual([`geo.example.com. 300 IN A ${c.geo}`]);
      }
    });
  }

  it('gives an unlocatable (loopback, no ECS) client every cluster', async () => {
    const r = await dig(t.dig, port, APP, 'A');
    expect(r.answer.map((l) => l.split(' ').pop()).sort()).toEqual(['192.0.2.10', '198.51.100.10', '203.0.113.100']);
  });

  it('weighted answers follow the weights (1:3) over 2,000 dig queries', async () => {
    const N = 2000;
    const counts = new Map<string, number>();
    for (let batch = 0; batch < N / 500; batch++) {
      const out = await tool(t.dig, port, ['+short', ...Array.from({ length: 500 }, () => ['w.example.com', 'A']).flat()]);
      for (const ip of out.trim().split('\n')) counts.set(ip, (counts.get(ip) ?? 0) + 1);
    }
    expect((counts.get('192.0.2.31') ?? 0) + (counts.get('192.0.2.32') ?? 0)).toBe(N);
    const sd = Math.sqrt(N * 0.25 * 0.75);
    expect(Math.abs((counts.get('192.0.2.31') ?? 0) - N * 0.25)).toBeLessThan(5 * sd);
  });

  it('fails over when the primary cluster goes Offline (its endpoint disappears) and back', async () => {
    expect((await dig(t.dig, port, 'fo.example.com', 'A')).answer).toEqual(['fo.example.com. 300 IN A 192.0.2.41']);
    server.setSnapshot(buildSnapshot({ zones: [{ domain: ZONE }], endpoints: endpoints(false), serial: 101 }));
    const after = await dig(t.kdig, port, 'fo.example.com', 'A');
    expect(after.answer).toEqual(['fo.example.com. 300 IN A 198.51.100.42']);
    expect((await dig(t.dig, port, ZONE, 'SOA')).answer[0]).toMatch(/ 101 3600 /);
    server.setSnapshot(buildSnapshot({ zones: [{ domain: ZONE }], endpoints: endpoints(true), serial: 102 }));
    expect((await dig(t.dig, port, 'fo.example.com', 'A')).answer).toEqual(['fo.example.com. 300 IN A 192.0.2.41']);
  });

  it('answers several queries on one TCP connection (kdig +keepopen and pipelined frames)', async () => {
    const out = await tool(t.kdig, port, ['+tcp', '+keepopen', 'www.example.com', 'A', 'www.example.com', 'AAAA', 'alias.example.com', 'A']);
    expect(out.match(/status: NOERROR/g)).toHaveLength(3);
    const frames = [1, 2, 3].map((id) => {
      const q = dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ type: 'A', name: 'www.example.com' }] });
      const f = Buffer.alloc(q.length + 2);
      f.writeUInt16BE(q.length, 0);
      q.copy(f, 2);
      return f;
    });
    const ids = await new Promise<number[]>((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      let buf = Buffer.alloc(0);
      const got: number[] = [];
      sock.on('error', reject);
      // All three frames in one write, the last split across two writes.
      sock.on('connect', () => { const all = Buffer.concat(frames); sock.write(all.subarray(0, all.length - 5)); setTimeout(() => sock.write(all.subarray(all.length - 5)), 20); });
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const len = buf.readUInt16BE(0);
          got.push(dnsPacket.decode(buf.subarray(2, 2 + len)).id ?? -1);
          buf = buf.subarray(2 + len);
        }
        if (got.length === 3) { sock.end(); resolve(got); }
      });
    });
    expect(ids).toEqual([1, 2, 3]);
  });

  it('counts queries by type and rcode in kfed_dns_ metrics', async () => {
    // The same question twice without dig's random cookie: the second is replayed from the answer cache.
    const once = await dig(t.dig, port, 'deep.sub.example.com', 'A', '+nocookie');
    const twice = await dig(t.dig, port, 'deep.sub.example.com', 'A', '+nocookie');
    expect(twice.answer).toEqual(once.answer);
    const text = await registry.metrics();
    expect(text).toMatch(/kfed_dns_queries_total\{transport="udp",qtype="A",rcode="NOERROR"\} [1-9]/);
    expect(text).toMatch(/kfed_dns_queries_total\{transport="tcp",qtype="A",rcode="NOERROR"\} [1-9]/);
    expect(text).toMatch(/kfed_dns_queries_total\{transport="udp",qtype="A",rcode="REFUSED"\} [1-9]/);
    expect(text).toMatch(/kfed_dns_answer_duration_seconds_count [1-9]/);
    expect(text).toMatch(/kfed_dns_snapshot_generation 3/);
    expect(text).toMatch(/kfed_dns_answer_cache_hits_total [1-9]/);
  });
});

describe.skipIf(!tools)('DNS server limits', () => {
  it('closes idle TCP connections and refuses connections over the cap', async () => {
    const registry = new Registry();
    const server = new DnsServer({ port: 0, tcpIdleTimeoutMs: 3000, maxTcpConnections: 2, metrics: registry });
    const { tcpPort } = await server.start();
    try {
      const open = (): Promise<{ sock: net.Socket; closed: Promise<number> }> => new Promise((resolve) => {
        const sock = net.connect(tcpPort, '127.0.0.1');
        const t0 = Date.now();
        const closed = new Promise<number>((r) => sock.on('close', () => r(Date.now() - t0)));
        sock.on('error', () => {});
        sock.on('connect', () => resolve({ sock, closed }));
      });
      const a = await open();
      const b = await open();
      const c = await open();
      // The third is over the cap: closed at once, counted as rejected, long before the idle timer
      // closes the others (not a wall-clock bound: the machine is shared).
      const cClosed = await c.closed;
      expect(await registry.metrics()).toMatch(/kfed_dns_tcp_rejected_total 1\n/);
      expect(await a.closed).toBeGreaterThanOrEqual(2900);
      expect(cClosed).toBeLessThan(await a.closed);
      await b.closed;
    } finally {
      await server.close();
    }
  });

  it('rate-limits UDP responses per client prefix, slipping truncated replies', async () => {
    const registry = new Registry();
    const server = new DnsServer({ port: 0, rateLimit: { responsesPerSecond: 5, exemptLoopback: false, slip: 2 }, metrics: registry });
    const { udpPort } = await server.start();
    server.setSnapshot(buildSnapshot({ zones: [{ domain: ZONE }], endpoints: endpoints(true) }));
    const sock = dgram.createSocket('udp4');
    try {
      const replies: dnsPacket.Packet[] = [];
      sock.on('message', (m) => replies.push(dnsPacket.decode(m)));
      const drops = async (): Promise<number> => Number(/kfed_dns_rate_limited_total\{action="drop"\} (\d+)/.exec(await registry.metrics())?.[1] ?? 0);
      const started = performance.now();
      for (let i = 0; i < 25; i++) sock.send(dnsPacket.encode({ type: 'query', id: i, flags: 0, questions: [{ type: 'A', name: 'www.example.com' }] }), udpPort, '127.0.0.1');
      // Until the server has answered or dropped every query (not a fixed wait: the machine is shared).
      await pollUntil(async () => replies.length + (await drops()) >= 25, 20_000, 20, 'every query answered or dropped');
      const seconds = (performance.now() - started) / 1000;
      const full = replies.filter((r) => (r.answers ?? []).length > 0);
      const slipped = replies.filter((r) => ((r.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) !== 0);
      // The burst (5), plus what the bucket refills (5/s) while the server judged the 25: none unless the machine stalled.
      expect(full.length).toBeGreaterThanOrEqual(5);
      expect(full.length).toBeLessThanOrEqual(5 + Math.floor(5 * seconds));
      // Every 2nd limited response slips, truncated; the rest are dropped.
      expect(slipped.length).toBe(Math.floor((25 - full.length) / 2));
      expect(full.length + slipped.length).toBe(replies.length);
      expect(await drops()).toBe(25 - replies.length);
    } finally {
      sock.close();
      await server.close();
    }
  });
});
