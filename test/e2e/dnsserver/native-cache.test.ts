// The answer cache in C (native/udp-batch/answer_cache.c) on real datagrams: a query
// whose answer JavaScript built once is answered by the addon without calling
// JavaScript, with the query's ID, its own client subnet and that subnet's scope; a new
// snapshot is served at once; metrics count every answer.
import dgram from 'node:dgram';
import * as dnsPacket from 'dns-packet';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Responder } from '../../../src/dnsserver/answer.js';
import { staticGeoLocator } from '../../../src/dnsserver/geo-locator.js';
import { DnsServer, type DnsServerOptions } from '../../../src/dnsserver/server.js';
import { buildSnapshot } from '../../../src/dnsserver/snapshot.js';
import { udpBatchBinding } from '../../../src/dnsserver/udp-batch.js';
import { ASIA, EU, plain, query, routed, US, type QueryOpts } from '../../unit/dnsserver/fixtures.js';
import { pollUntil } from '../../support/until.js';

const available = udpBatchBinding() !== undefined;
const ZONE = 'example.com';
const NAME = `app.${ZONE}`;
const geo = staticGeoLocator({
  '81.2.69.0': EU, '81.2.70.0': { ...EU, prefixLength: 22 }, '8.8.8.0': US, '1.0.16.0': ASIA,
  // ECS addresses are looked up in their full form.
  '2001:db8:aa:0:0:0:0:0': { ...EU, prefixLength: 48 }, '2001:db8:bb:cc00:0:0:0:0': { ...US, prefixLength: 64 },
});
const endpoints = (eu = '192.0.2.10') => [
  routed(NAME, 'eu', [eu], { policy: 'geo', geo: 'continent:EU' }),
  routed(NAME, 'us', ['198.51.100.10'], { policy: 'geo', geo: 'continent:NA,*' }),
  routed(NAME, 'ap', ['203.0.113.10'], { policy: 'geo', geo: 'continent:AS' }),
  plain(`www.${ZONE}`, 'A', ['192.0.2.1']),
  routed(`w.${ZONE}`, 'a', ['192.0.2.21'], { policy: 'weighted', weight: 1 }),
  routed(`w.${ZONE}`, 'b', ['192.0.2.22'], { policy: 'weighted', weight: 1 }),
];

interface Rig {
  server: DnsServer;
  port: number;
  registry: Registry;
  calls: () => number;
  ask(name: string, o?: QueryOpts): Promise<dnsPacket.Packet>;
  /** `n` queries at once over every client socket; the replies once each query was answered or dropped (counted by the server). */
  burst(name: string, n: number): Promise<dnsPacket.Packet[]>;
  close(): Promise<void>;
}

/** The server's count of responses withheld by rate limiting (`kfed_dns_rate_limited_total{action}`). */
async function rateLimited(registry: Registry, action: 'drop' | 'slip'): Promise<number> {
  return Number(new RegExp(`kfed_dns_rate_limited_total\\{action="${action}"\\} (\\d+)`).exec(await registry.metrics())?.[1] ?? 0);
}

/**
 * Sends `n` queries with `send(i)` and resolves with the replies once every query was answered or
 * dropped: the count is decided by the server's verdicts, not by how long the test waited.
 */
async function settledBurst(registry: Registry, n: number, send: (i: number) => void, replies: () => dnsPacket.Packet[]): Promise<dnsPacket.Packet[]> {
  const dropsBefore = await rateLimited(registry, 'drop');
  for (let i = 0; i < n; i++) send(i);
  await pollUntil(async () => replies().length + (await rateLimited(registry, 'drop')) - dropsBefore >= n, 20_000, 20, `${n} queries answered or dropped`);
  return replies();
}

/** Runs `n` tasks with at most `window` of them in flight; the results in order. */
async function windowed<T>(n: number, window: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: window }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await task(i);
    }
  }));
  return out;
}

/** Full answers a token bucket (burst 5, 5/s) may let through while the server judged a burst: the burst plus the refill over at most `seconds`. */
const allowedFull = (seconds: number): number => 5 + Math.floor(5 * seconds);

async function rig(opts: DnsServerOptions = {}): Promise<Rig> {
  const registry = new Registry();
  const server = new DnsServer({ port: 0, rateLimit: false, geo, metrics: registry, ...opts });
  const { udpPort } = await server.start();
  expect(server.udpMode).toBe('batched');
  server.setSnapshot(buildSnapshot({ zones: [{ domain: ZONE }], endpoints: endpoints() }));
  // Counts the queries JavaScript answers (the addon answers the others itself).
  const r = (server as unknown as { responder: Responder }).responder;
  const respond = r.respond.bind(r);
  let calls = 0;
  r.respond = (...a: Parameters<Responder['respond']>) => { calls++; return respond(...a); };
  // Several client sockets: SO_REUSEPORT spreads them over the serving threads' sockets.
  const waiting = new Map<number, (p: dnsPacket.Packet) => void>();
  const socks = await Promise.all(Array.from({ length: 8 }, async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
    sock.on('message', (m) => { const p = dnsPacket.decode(m); waiting.get(p.id ?? -1)?.(p); });
    return sock;
  }));
  let id = 1;
  return {
    server, port: udpPort, registry, calls: () => calls,
    ask(name, o = {}) {
      const qid = id++;
      return new Promise((resolve, reject) => {
        // Generous: the server answers in this process, so a stalled event loop delays the answer and this timer alike.
        const t = setTimeout(() => reject(new Error(`no answer to ${name}`)), 10_000);
        waiting.set(qid, (p) => { clearTimeout(t); waiting.delete(qid); resolve(p); });
        socks[qid % socks.length]?.send(query(name, 'A', { ...o, id: qid }), udpPort, '127.0.0.1');
      });
    },
    async burst(name, n) {
      const got: dnsPacket.Packet[] = [];
      const ids: number[] = [];
      try {
        return await settledBurst(registry, n, () => {
          const qid = id++;
          ids.push(qid);
          waiting.set(qid, (p) => { waiting.delete(qid); got.push(p); });
          socks[qid % socks.length]?.send(query(name, 'A', { id: qid }), udpPort, '127.0.0.1');
        }, () => got);
      } finally {
        for (const q of ids) waiting.delete(q);
      }
    },
    async close() { for (const s of socks) s.close(); await server.close(); },
  };
}

const addrs = (p: dnsPacket.Packet): string[] => (p.answers ?? []).map((a) => String((a as { data?: unknown }).data));
function ecs(p: dnsPacket.Packet): { ip?: string; sourcePrefixLength?: number; scopePrefixLength?: number } | undefined {
  const opt = p.additionals?.find((a) => a.type === 'OPT') as { options?: { code: number; ip?: string; sourcePrefixLength?: number; scopePrefixLength?: number }[] } | undefined;
  return opt?.options?.find((o) => o.code === 8);
}

let open: Rig | undefined;
afterEach(async () => { await open?.close(); open = undefined; });

describe.skipIf(!available)('native answer cache', () => {
  it('answers repeated questions without JavaScript, per client subnet, with the subnet echoed and its scope', async () => {
    const r = (open = await rig());
    const cases = [
      { ip: '81.2.69.0', prefix: 24, want: '192.0.2.10', scope: 20 },
      { ip: '8.8.8.0', prefix: 24, want: '198.51.100.10', scope: 18 },
      { ip: '1.0.16.0', prefix: 24, want: '203.0.113.10', scope: 17 },
      { ip: '2001:db8:aa::', prefix: 56, want: '192.0.2.10', scope: 48 },
    ];
    for (const c of cases) await r.ask(NAME, { ecs: { ip: c.ip, prefix: c.prefix } });
    await r.ask(`www.${ZONE}`, { edns: true });
    const before = r.calls();
    for (let round = 0; round < 3; round++) {
      for (const c of cases) {
        const p = await r.ask(NAME, { ecs: { ip: c.ip, prefix: c.prefix } });
        expect(addrs(p)).toEqual([c.want]);
        expect(ecs(p)).toMatchObject({ ip: c.ip, sourcePrefixLength: c.prefix, scopePrefixLength: c.scope });
        expect(p.type).toBe('response');
        expect((p.flags ?? 0) & (dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED)).toBe(dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED);
      }
      expect(addrs(await r.ask(`www.${ZONE}`, { edns: true }))).toEqual(['192.0.2.1']);
    }
    expect(r.calls()).toBe(before);
    // Another subnet of a known class: JavaScript locates it once, then the addon knows it.
    const other = await r.ask(NAME, { ecs: { ip: '81.2.70.0', prefix: 24 } });
    expect(addrs(other)).toEqual(['192.0.2.10']);
    expect(ecs(other)?.scopePrefixLength).toBe(22);
    expect(r.calls()).toBe(before + 1);
    expect(ecs(await r.ask(NAME, { ecs: { ip: '81.2.70.0', prefix: 24 } }))?.scopePrefixLength).toBe(22);
    expect(r.calls()).toBe(before + 1);
    // IPv6 past /64 is not kept in C: answered right by JavaScript every time.
    const long = await r.ask(NAME, { ecs: { ip: '2001:db8:bb:cc00::', prefix: 72 } });
    expect(addrs(long)).toEqual(['198.51.100.10']);
    expect(ecs(long)?.scopePrefixLength).toBe(64);
  });

  it('serves a new snapshot from the next query on', async () => {
    const r = (open = await rig());
    for (let i = 0; i < 3; i++) expect(addrs(await r.ask(NAME, { ecs: { ip: '81.2.69.0', prefix: 24 } }))).toEqual(['192.0.2.10']);
    r.server.setSnapshot(buildSnapshot({ zones: [{ domain: ZONE }], endpoints: endpoints('192.0.2.99') }));
    expect(addrs(await r.ask(NAME, { ecs: { ip: '81.2.69.0', prefix: 24 } }))).toEqual(['192.0.2.99']);
    expect(addrs(await r.ask(NAME, { ecs: { ip: '81.2.69.0', prefix: 24 } }))).toEqual(['192.0.2.99']);
  });

  it('still answers FORMERR to a client subnet with bits past its prefix, weighted picks per query', async () => {
    const r = (open = await rig());
    for (let i = 0; i < 2; i++) await r.ask(NAME, { ecs: { ip: '81.2.64.0', prefix: 20 } });
    const bad = await r.ask(NAME, { ecs: { ip: '81.2.69.0', prefix: 20 } });
    expect((bad as { rcode?: string }).rcode).toBe('FORMERR');
    const before = r.calls();
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) for (const a of addrs(await r.ask(`w.${ZONE}`))) seen.add(a);
    expect(r.calls()).toBe(before + 40);
    expect([...seen].sort()).toEqual(['192.0.2.21', '192.0.2.22']);
  });

  it('counts the answers it replays in the queries, cache hits and duration metrics', async () => {
    const r = (open = await rig());
    for (let i = 0; i < 20; i++) await r.ask(NAME, { ecs: { ip: '8.8.8.0', prefix: 24 } });
    expect(r.calls()).toBe(1);
    const text = await r.registry.metrics();
    expect(text).toMatch(/kfed_dns_queries_total\{transport="udp",qtype="A",rcode="NOERROR"\} 20\n/);
    expect(text).toMatch(/kfed_dns_answer_cache_hits_total 19\n/);
    expect(text).toMatch(/kfed_dns_answer_duration_seconds_count 20\n/);
    expect(text).toMatch(/kfed_dns_answer_duration_seconds_bucket\{le="\+Inf"\} 20\n/);
    // Counters stay monotonic across scrapes.
    await r.ask(NAME, { ecs: { ip: '8.8.8.0', prefix: 24 } });
    expect(await r.registry.metrics()).toMatch(/kfed_dns_queries_total\{transport="udp",qtype="A",rcode="NOERROR"\} 21\n/);
  });

  it('with rate limiting on, answers loopback (exempt) from C', async () => {
    const r = (open = await rig({ rateLimit: { responsesPerSecond: 5 } }));
    for (let i = 0; i < 30; i++) expect(addrs(await r.ask(`www.${ZONE}`))).toEqual(['192.0.2.1']);
    expect(r.calls()).toBe(1);
  });

  for (const udpThreads of [1, 3]) {
    it(`rate-limits in C, one budget per prefix across ${udpThreads} thread(s): cached answers, slips truncated, the rest withheld`, async () => {
      const r = (open = await rig({ udpThreads, rateLimit: { responsesPerSecond: 5, slip: 2, exemptLoopback: false } }));
      // 24 at once over every client socket: 5 within the budget (plus what refills while the server
      // judges them, 5/s: none unless the machine stalls), then every 2nd of the limited slips.
      const started = performance.now();
      const replies = await r.burst(`www.${ZONE}`, 24);
      const seconds = (performance.now() - started) / 1000;
      const full = replies.filter((p) => addrs(p).length > 0);
      const slipped = replies.filter((p) => ((p.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) !== 0);
      expect(full.length).toBeGreaterThanOrEqual(5);
      expect(full.length).toBeLessThanOrEqual(allowedFull(seconds));
      expect(slipped.length).toBe(Math.floor((24 - full.length) / 2));
      expect(slipped.every((p) => addrs(p).length === 0)).toBe(true);
      expect(full.length + slipped.length).toBe(replies.length);
      const drops = await rateLimited(r.registry, 'drop');
      expect(await rateLimited(r.registry, 'slip')).toBe(slipped.length);
      expect(drops + slipped.length + full.length).toBe(24);
    });
  }

  it('serves from several threads: each answer right, JavaScript asked once per question and class, a new snapshot at once', async () => {
    const r = (open = await rig({ udpThreads: 3 }));
    const cases = [
      { ip: '81.2.69.0', want: '192.0.2.10' }, { ip: '8.8.8.0', want: '198.51.100.10' }, { ip: '1.0.16.0', want: '203.0.113.10' },
    ];
    for (let round = 0; round < 10; round++) {
      for (const c of cases) expect(addrs(await r.ask(NAME, { ecs: { ip: c.ip, prefix: 24 } }))).toEqual([c.want]);
    }
    expect(r.calls()).toBe(3);
    // Concurrent queries over every socket, at most 96 in flight: SO_REUSEPORT may hash most client
    // sockets onto one serving socket, whose receive queue holds about 256 datagrams by default, and a
    // thread the loaded machine has not scheduled yet must not lose the rest.
    const all = await windowed(300, 96, (i) => r.ask(NAME, { ecs: { ip: cases[i % 3]?.ip ?? '', prefix: 24 } }));
    all.forEach((p, i) => expect(addrs(p)).toEqual([cases[i % 3]?.want]));
    expect(r.calls()).toBe(3);
    r.server.setSnapshot(buildSnapshot({ zones: [{ domain: ZONE }], endpoints: endpoints('192.0.2.99') }));
    for (let i = 0; i < 16; i++) expect(addrs(await r.ask(NAME, { ecs: { ip: '81.2.69.0', prefix: 24 } }))).toEqual(['192.0.2.99']);
    const text = await r.registry.metrics();
    expect(text).toMatch(/kfed_dns_queries_total\{transport="udp",qtype="A",rcode="NOERROR"\} 346\n/);
    expect(text).toMatch(/kfed_dns_answer_duration_seconds_count 346\n/);
  });

  it('rate-limits IPv6 sources in C by their /56, with the answers cached', async () => {
    const registry = new Registry();
    const server = new DnsServer({ address: '::1', port: 0, geo, metrics: registry, rateLimit: { responsesPerSecond: 5, slip: 2, exemptLoopback: false } });
    const { udpPort } = await server.start();
    server.setSnapshot(buildSnapshot({ zones: [{ domain: ZONE }], endpoints: endpoints() }));
    const sock = dgram.createSocket('udp6');
    try {
      const got: dnsPacket.Packet[] = [];
      sock.on('message', (m) => got.push(dnsPacket.decode(m)));
      await new Promise<void>((res) => sock.bind(0, '::1', () => res()));
      const started = performance.now();
      const replies = await settledBurst(registry, 24, (i) => sock.send(query(NAME, 'A', { id: i, ecs: { ip: '81.2.69.0', prefix: 24 } }), udpPort, '::1'), () => got);
      const seconds = (performance.now() - started) / 1000;
      const full = replies.filter((p) => addrs(p).length > 0);
      expect(full.length).toBeGreaterThanOrEqual(5);
      expect(full.length).toBeLessThanOrEqual(allowedFull(seconds));
      expect(full.every((p) => addrs(p)[0] === '192.0.2.10' && ecs(p)?.scopePrefixLength === 20)).toBe(true);
      expect(replies.filter((p) => ((p.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) !== 0).length).toBe(Math.floor((24 - full.length) / 2));
      expect(replies.length).toBeLessThan(24);
      expect(await rateLimited(registry, 'drop')).toBe(24 - replies.length);
    } finally {
      sock.close();
      await server.close();
    }
  });
});
