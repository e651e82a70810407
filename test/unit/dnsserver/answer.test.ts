import type * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../../src/dnsserver/snapshot.js';
import { ask, ASIA, data, EU, flags, plain, query, rcodeOf, responder, routed, rrs, US, type QueryOpts } from './fixtures.js';

const snap = buildSnapshot({
  zones: [{ domain: 'example.com' }, { domain: 'other.test', nameServers: ['ns.example.com'] }],
  serial: 2024,
  endpoints: [
    plain('www.example.com', 'A', ['192.0.2.1']),
    plain('www.example.com', 'AAAA', ['2001:db8::1']),
    plain('a.b.example.com', 'A', ['192.0.2.2']),
    plain('c1.example.com', 'CNAME', ['c2.example.com']),
    plain('c2.example.com', 'CNAME', ['www.example.com']),
    plain('dangling.example.com', 'CNAME', ['missing.example.com']),
    plain('away.example.com', 'CNAME', ['www.example.net']),
    plain('cross.example.com', 'CNAME', ['in.other.test']),
    plain('in.other.test', 'A', ['198.51.100.7']),
    plain('loop1.example.com', 'CNAME', ['loop2.example.com']),
    plain('loop2.example.com', 'CNAME', ['loop1.example.com']),
    plain('txt.example.com', 'TXT', ['"v=spf1 -all"']),
    plain('*.wild.example.com', 'A', ['203.0.113.9']),
    plain('big.example.com', 'A', Array.from({ length: 60 }, (_, i) => `203.0.113.${i + 1}`)),
  ],
});

interface Case {
  name: string;
  q: [string, dnsPacket.RecordType, QueryOpts?];
  rcode: string;
  aa?: boolean;
  answers?: string[];
  authority?: RegExp;
}

const cases: Case[] = [
  { name: 'A answer, authoritative', q: ['www.example.com', 'A'], rcode: 'NOERROR', aa: true, answers: ['www.example.com A 192.0.2.1'] },
  { name: 'AAAA answer', q: ['www.example.com', 'AAAA'], rcode: 'NOERROR', aa: true, answers: ['www.example.com AAAA 2001:db8::1'] },
  { name: 'SOA at the apex', q: ['example.com', 'SOA'], rcode: 'NOERROR', aa: true, answers: ['example.com SOA {"mname":"ns1.example.com","rname":"hostmaster.example.com","serial":2024,"refresh":3600,"retry":600,"expire":604800,"minimum":30}'] },
  { name: 'NS at the apex', q: ['example.com', 'NS'], rcode: 'NOERROR', aa: true, answers: ['example.com NS ns1.example.com'] },
  { name: 'NS of a second zone', q: ['other.test', 'NS'], rcode: 'NOERROR', aa: true, answers: ['other.test NS ns.example.com'] },
  { name: 'NXDOMAIN with SOA', q: ['nope.example.com', 'A'], rcode: 'NXDOMAIN', aa: true, answers: [], authority: /^example\.com SOA .*"serial":2024/ },
  { name: 'NODATA (type missing) with SOA', q: ['www.example.com', 'TXT'], rcode: 'NOERROR', aa: true, answers: [], authority: /^example\.com SOA/ },
  { name: 'NODATA at an empty non-terminal', q: ['b.example.com', 'A'], rcode: 'NOERROR', aa: true, answers: [], authority: /^example\.com SOA/ },
  { name: 'REFUSED outside the zones', q: ['www.example.net', 'A'], rcode: 'REFUSED', aa: false, answers: [] },
  { name: 'REFUSED for a parent of a zone', q: ['com', 'NS'], rcode: 'REFUSED', aa: false },
  { name: 'REFUSED for zone transfers', q: ['example.com', 'AXFR'], rcode: 'REFUSED' },
  { name: 'CNAME chain followed inside the zone', q: ['c1.example.com', 'A'], rcode: 'NOERROR', aa: true, answers: ['c1.example.com CNAME c2.example.com', 'c2.example.com CNAME www.example.com', 'www.example.com A 192.0.2.1'] },
  { name: 'CNAME query returns the CNAME only', q: ['c1.example.com', 'CNAME'], rcode: 'NOERROR', answers: ['c1.example.com CNAME c2.example.com'] },
  { name: 'CNAME to a missing in-zone name is NXDOMAIN (RFC 6604)', q: ['dangling.example.com', 'A'], rcode: 'NXDOMAIN', answers: ['dangling.example.com CNAME missing.example.com'], authority: /^example\.com SOA/ },
  { name: 'CNAME out of our zones stops', q: ['away.example.com', 'A'], rcode: 'NOERROR', answers: ['away.example.com CNAME www.example.net'] },
  { name: 'CNAME into another served zone is followed', q: ['cross.example.com', 'A'], rcode: 'NOERROR', answers: ['cross.example.com CNAME in.other.test', 'in.other.test A 198.51.100.7'] },
  { name: 'CNAME loop ends after a bounded number of hops', q: ['loop1.example.com', 'A'], rcode: 'NOERROR' },
  { name: 'CNAME then NODATA carries the SOA of the target zone', q: ['cross.example.com', 'AAAA'], rcode: 'NOERROR', answers: ['cross.example.com CNAME in.other.test'], authority: /^other\.test SOA/ },
  { name: 'TXT', q: ['txt.example.com', 'TXT'], rcode: 'NOERROR', answers: ['txt.example.com TXT v=spf1 -all'] },
  { name: 'wildcard synthesizes the owner', q: ['x.wild.example.com', 'A'], rcode: 'NOERROR', answers: ['x.wild.example.com A 203.0.113.9'] },
  { name: 'wildcard does not cover the encloser itself', q: ['wild.example.com', 'A'], rcode: 'NOERROR', answers: [] },
  { name: 'ANY gets the RFC 8482 HINFO', q: ['www.example.com', 'ANY' as dnsPacket.RecordType], rcode: 'NOERROR', answers: ['www.example.com HINFO {"cpu":"RFC8482","os":""}'] },
];

describe('Responder answers', () => {
  const r = responder(snap);
  for (const c of cases) {
    it(c.name, () => {
      const p = ask(r, query(...c.q));
      expect(rcodeOf(p)).toBe(c.rcode);
      expect(flags(p).ra).toBe(false);
      if (c.aa !== undefined) expect(flags(p).aa).toBe(c.aa);
      if (c.answers) expect(data(p)).toEqual(c.answers);
      if (c.authority) expect(data(p, 'authorities')[0]).toMatch(c.authority);
      expect(p.id).toBe(4242);
      expect(p.questions?.[0]?.name).toBe(c.q[0]);
    });
  }

  it('echoes the question name in its original case and matches case-insensitively', () => {
    const p = ask(r, query('WwW.ExAmPlE.CoM', 'A'));
    expect(p.questions?.[0]?.name).toBe('WwW.ExAmPlE.CoM');
    expect(data(p)).toEqual(['WwW.ExAmPlE.CoM A 192.0.2.1']);
  });

  it('copies RD and never sets RA', () => {
    expect(flags(ask(r, query('www.example.com', 'A', { rd: true })))).toMatchObject({ rd: true, ra: false });
    expect(flags(ask(r, query('www.example.com', 'A', { rd: false })))).toMatchObject({ rd: false, ra: false });
  });

  it('negative answers use min(SOA TTL, MINIMUM) as the SOA TTL', () => {
    const p = ask(r, query('nope.example.com', 'A'));
    expect(rrs(p, 'authorities')[0]?.ttl).toBe(30);
  });

  it('rotates multi-record sets', () => {
    const two = buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: [plain('rr.example.com', 'A', ['192.0.2.1', '192.0.2.2'])] });
    const rr = responder(two);
    const firsts = new Set([0, 1, 2, 3].map(() => data(ask(rr, query('rr.example.com', 'A')))[0]));
    expect(firsts.size).toBe(2);
  });
});

describe('EDNS0 and truncation', () => {
  const r = responder(snap);
  it('echoes OPT with our payload size and the DO bit', () => {
    const p = ask(r, query('www.example.com', 'A', { edns: true, dnssecOk: true }));
    const opt = p.additionals?.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer | undefined;
    expect(opt?.udpPayloadSize).toBe(1232);
    expect(opt?.flag_do).toBe(true);
  });
  it('omits OPT when the query had none', () => {
    expect(ask(r, query('www.example.com', 'A')).additionals ?? []).toEqual([]);
  });
  it('sets TC without EDNS when the answer exceeds 512 bytes, and answers fully over TCP', () => {
    const udp = ask(r, query('big.example.com', 'A'));
    expect(flags(udp).tc).toBe(true);
    expect(udp.answers ?? []).toEqual([]);
    const tcp = ask(r, query('big.example.com', 'A'), '192.0.2.200', true);
    expect(flags(tcp).tc).toBe(false);
    expect(tcp.answers).toHaveLength(60);
  });
  it('honours the client payload size', () => {
    const p = ask(r, query('big.example.com', 'A', { udpSize: 4096 }));
    expect(flags(p).tc).toBe(false);
    expect(p.answers).toHaveLength(60);
  });
  it('answers EDNS version > 0 with BADVERS', () => {
    const msg = query('www.example.com', 'A', { edns: true });
    // OPT TTL byte 2 is the version; the OPT RR is the last 11 bytes.
    msg[msg.length - 11 + 6] = 1;
    const p = ask(r, msg);
    const opt = p.additionals?.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer | undefined;
    expect(opt?.extendedRcode).toBe(1);
    expect(p.answers ?? []).toEqual([]);
  });
});

describe('malformed and unusual queries', () => {
  const r = responder(snap);
  const good = query('www.example.com', 'A', { edns: true });
  it('drops packets shorter than a header and responses', () => {
    expect(r.respond(Buffer.alloc(5), '192.0.2.1', false)).toBe(0);
    const resp = Buffer.from(good);
    resp[2] = (resp[2] ?? 0) | 0x80;
    expect(r.respond(resp, '192.0.2.1', false)).toBe(0);
  });
  const formerr: [string, (b: Buffer) => Buffer][] = [
    ['QDCOUNT 0', (b) => { b.writeUInt16BE(0, 4); return b; }],
    ['QDCOUNT 2', (b) => { b.writeUInt16BE(2, 4); return b; }],
    ['truncated question', (b) => b.subarray(0, 20)],
    ['label longer than 63', (b) => { b[12] = 64; return b; }],
    ['compression pointer in the question', (b) => { b[12] = 0xc0; b[13] = 12; return b; }],
    ['ARCOUNT beyond the packet', (b) => { b.writeUInt16BE(3, 10); return b; }],
    ['OPT not owned by the root', (b) => Buffer.concat([b.subarray(0, 12 + 17 + 4 - 0), Buffer.from([1, 0x61]), b.subarray(12 + 17 + 4 + 1)])],
  ];
  for (const [name, mutate] of formerr) {
    it(`FORMERR: ${name}`, () => {
      const p = ask(r, mutate(Buffer.from(good)));
      expect(rcodeOf(p)).toBe('FORMERR');
    });
  }
  it('FORMERR for an ECS option with bits set beyond the source prefix', () => {
    const msg = query('www.example.com', 'A', { ecs: { ip: '81.2.69.0', prefix: 24 } });
    // address bytes are the last three of the packet; set a bit beyond /20
    const bad = Buffer.from(msg);
    const m = query('www.example.com', 'A', { ecs: { ip: '81.2.69.0', prefix: 20 } });
    const b2 = Buffer.from(m);
    b2[b2.length - 1] = 0x45;
    expect(rcodeOf(ask(r, b2))).toBe('FORMERR');
    expect(rcodeOf(ask(r, bad))).toBe('NOERROR');
  });
  it('NOTIMP for opcodes other than QUERY', () => {
    const b = Buffer.from(good);
    b[2] = ((b[2] ?? 0) & 0x87) | (5 << 3);
    expect(rcodeOf(ask(r, b))).toBe('NOTIMP');
  });
  it('REFUSED for class CH', () => {
    const b = Buffer.from(query('version.bind', 'TXT'));
    b.writeUInt16BE(3, 12 + 14);
    expect(rcodeOf(ask(r, b))).toBe('REFUSED');
  });
  it('REFUSED before any snapshot is installed', () => {
    const empty = responder(snap);
    empty.snapshot = undefined;
    expect(rcodeOf(ask(empty, good))).toBe('REFUSED');
  });
});

describe('routing', () => {
  const name = 'go-app.go-app.myfed.svc.example.com';
  const latencySnap = buildSnapshot({
    zones: [{ domain: 'example.com' }],
    endpoints: [
      routed(name, 'cluster-eu', ['192.0.2.10'], { policy: 'latency', region: 'europe-west3' }),
      routed(name, 'cluster-us', ['198.51.100.10'], { policy: 'latency', region: 'us-east-1' }),
      routed(name, 'cluster-ap', ['203.0.113.10'], { policy: 'latency', region: 'asia-northeast1' }),
    ],
  });
  const geoSnap = buildSnapshot({
    zones: [{ domain: 'example.com' }],
    endpoints: [
      routed(name, 'cluster-eu', ['192.0.2.10'], { policy: 'geo', geo: 'continent:EU' }),
      routed(name, 'cluster-us', ['198.51.100.10'], { policy: 'geo', geo: 'continent:NA,*' }),
      routed(name, 'cluster-ap', ['203.0.113.10'], { policy: 'geo', geo: 'continent:AS,continent:OC' }),
      routed(name, 'cluster-de', ['192.0.2.99'], { policy: 'geo', geo: 'country:DE' }),
    ],
  });
  const locs = { '81.2.69.0': EU, '8.8.8.0': US, '133.242.0.0': ASIA, '41.0.0.0': { country: 'ZA', continent: 'AF' as const, lat: -26, lon: 28, prefixLength: 16 } };
  const table: [string, typeof latencySnap, string, string[]][] = [
    ['latency EU', latencySnap, '81.2.69.0', ['192.0.2.10']],
    ['latency US', latencySnap, '8.8.8.0', ['198.51.100.10']],
    ['latency Asia', latencySnap, '133.242.0.0', ['203.0.113.10']],
    ['latency Africa -> nearest (Europe)', latencySnap, '41.0.0.0', ['192.0.2.10']],
    ['geo country beats continent', geoSnap, '81.2.69.0', ['192.0.2.99']],
    ['geo US', geoSnap, '8.8.8.0', ['198.51.100.10']],
    ['geo Asia', geoSnap, '133.242.0.0', ['203.0.113.10']],
    ['geo unmatched -> default', geoSnap, '41.0.0.0', ['198.51.100.10']],
  ];
  for (const [label, s, ip, want] of table) {
    it(`${label} via ECS, with scope prefix set`, () => {
      const r = responder(s, locs);
      const p = ask(r, query(name, 'A', { ecs: { ip, prefix: 24 } }), '127.0.0.1');
      expect(rrs(p).map((a) => a.data)).toEqual(want);
      const opt = p.additionals?.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer;
      const ecs = opt.options[0] as { sourcePrefixLength: number; scopePrefixLength: number; ip: string };
      expect(ecs).toMatchObject({ sourcePrefixLength: 24, ip });
      expect(ecs.scopePrefixLength).toBe(locs[ip as keyof typeof locs].prefixLength);
    });
    it(`${label} via the source address`, () => {
      const p = ask(responder(s, locs), query(name, 'A'), ip);
      expect(rrs(p).map((a) => a.data)).toEqual(want);
    });
  }
  it('unknown or private clients get every target; scope is the source prefix', () => {
    const p = ask(responder(latencySnap, locs), query(name, 'A', { ecs: { ip: '10.0.0.0', prefix: 8 } }));
    expect(rrs(p).map((a) => a.data).sort()).toEqual(['192.0.2.10', '198.51.100.10', '203.0.113.10']);
    const opt = p.additionals?.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer;
    expect((opt.options[0] as { scopePrefixLength: number }).scopePrefixLength).toBe(8);
  });
  it('ECS /0 (client opted out) answers every target with scope 0', () => {
    const p = ask(responder(latencySnap, locs), query(name, 'A', { ecs: { ip: '0.0.0.0', prefix: 0 } }), '81.2.69.0');
    expect(p.answers).toHaveLength(3);
  });
  it('plain answers carry ECS scope 0', () => {
    const plainSnap = buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: [plain(name, 'A', ['192.0.2.1'])] });
    const p = ask(responder(plainSnap, locs), query(name, 'A', { ecs: { ip: '81.2.69.0', prefix: 24 } }));
    const opt = p.additionals?.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer;
    expect((opt.options[0] as { scopePrefixLength: number }).scopePrefixLength).toBe(0);
  });
  it('a routed cluster behind a CNAME (hostname load balancer) is answered with its CNAME', () => {
    const s = buildSnapshot({
      zones: [{ domain: 'example.com' }],
      endpoints: [
        routed(name, 'cluster-eu', ['lb-eu.elb.example.net'], { policy: 'latency', region: 'eu-central-1' }, 'CNAME'),
        routed(name, 'cluster-us', ['198.51.100.10'], { policy: 'latency', region: 'us-east-1' }),
      ],
    });
    expect(data(ask(responder(s, locs), query(name, 'A'), '81.2.69.0'))).toEqual([`${name} CNAME lb-eu.elb.example.net`]);
    expect(data(ask(responder(s, locs), query(name, 'A'), '8.8.8.0'))).toEqual([`${name} A 198.51.100.10`]);
  });

  it('weighted answers follow the weights over 10,000 queries', () => {
    const s = buildSnapshot({
      zones: [{ domain: 'example.com' }],
      endpoints: [
        routed(name, 'c1', ['192.0.2.1'], { policy: 'weighted', weight: 1 }),
        routed(name, 'c2', ['192.0.2.2'], { policy: 'weighted', weight: 3 }),
        routed(name, 'c3', ['192.0.2.3'], { policy: 'weighted', weight: 6 }),
        routed(name, 'c0', ['192.0.2.4'], { policy: 'weighted', weight: 0 }),
      ],
    });
    const r = responder(s);
    const counts = new Map<string, number>();
    const N = 10_000;
    const msg = query(name, 'A');
    for (let i = 0; i < N; i++) {
      const p = ask(r, msg);
      expect(p.answers).toHaveLength(1);
      const ip = String(rrs(p)[0]?.data);
      counts.set(ip, (counts.get(ip) ?? 0) + 1);
    }
    // Binomial standard deviation sqrt(N p (1-p)) is at most 50; allow 5 sigma.
    for (const [ip, w] of [['192.0.2.1', 0.1], ['192.0.2.2', 0.3], ['192.0.2.3', 0.6]] as const) {
      expect(Math.abs((counts.get(ip) ?? 0) - N * w)).toBeLessThan(5 * Math.sqrt(N * w * (1 - w)));
    }
    expect(counts.get('192.0.2.4')).toBeUndefined();
  });

  it('failover answers the primaries, then the secondaries when no primary is left', () => {
    const eps = [
      routed(name, 'c1', ['192.0.2.1'], { policy: 'failover', failover: 'primary' }),
      routed(name, 'c2', ['192.0.2.2'], { policy: 'failover', failover: 'secondary' }),
      routed(name, 'c3', ['192.0.2.3'], { policy: 'failover', failover: 'secondary' }),
    ];
    const before = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: eps }));
    expect(data(ask(before, query(name, 'A')))).toEqual([`${name} A 192.0.2.1`]);
    // The records controller drops an Offline cluster's endpoint: the primary disappears.
    const after = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: eps.slice(1) }));
    expect(data(ask(after, query(name, 'A'))).sort()).toEqual([`${name} A 192.0.2.2`, `${name} A 192.0.2.3`]);
  });
});

describe('default location for unknown clients', () => {
  it('routes private clients as if they were in the configured region', async () => {
    const { Responder } = await import('../../../src/dnsserver/answer.js');
    const { createLatencyTable } = await import('../../../src/dnsserver/regions.js');
    const name = 'app.example.com';
    const s = buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: [
      routed(name, 'eu', ['192.0.2.10'], { policy: 'latency', region: 'eu-west-1' }),
      routed(name, 'us', ['198.51.100.10'], { policy: 'latency', region: 'us-east-1' }),
    ] });
    const r = new Responder({ latency: createLatencyTable(), geo: { lookup: () => undefined }, defaultLocation: { region: 'us-east-2' } });
    r.snapshot = s;
    const p = ask(r, query(name, 'A', { ecs: { ip: '10.1.0.0', prefix: 16 } }), '10.1.2.3');
    expect(data(p)).toEqual([`${name} A 198.51.100.10`]);
  });
});
