import { describe, expect, it } from 'vitest';
import type { DNSEndpoint } from '../../../src/api/multiclusterdns.js';
import { TYPE } from '../../../src/dnsserver/records.js';
import { buildSnapshot, nextSerial } from '../../../src/dnsserver/snapshot.js';
import { plain, routed } from './fixtures.js';

const zones = [{ domain: 'Example.COM.' }, { domain: 'sub.example.com', nameServers: ['ns.other.net'] }];

describe('buildSnapshot', () => {
  it('synthesizes SOA and NS per zone and sorts zones longest first', () => {
    const s = buildSnapshot({ zones, endpoints: [], serial: 7 });
    expect(s.zones.map((z) => z.apex)).toEqual(['sub.example.com', 'example.com']);
    expect(s.serial).toBe(7);
    const apex = s.names.get('example.com');
    expect([...apex!.sets.keys()].sort()).toEqual([TYPE.NS, TYPE.SOA]);
    expect(s.names.get('sub.example.com')!.sets.get(TYPE.NS)!.tails[0]!.target).toBe('ns.other.net');
    expect(s.names.get('example.com')!.sets.get(TYPE.NS)!.tails[0]!.target).toBe('ns1.example.com');
  });

  it('rejects a malformed zone with context', () => {
    expect(() => buildSnapshot({ zones: [{ domain: '.' }], endpoints: [] })).toThrow(/zone "\."/);
  });

  it('accepts DNSEndpoint objects of either API group and bare endpoints', () => {
    const obj = (group: string): DNSEndpoint => ({ apiVersion: `${group}/v1alpha1`, kind: 'DNSEndpoint', metadata: { name: 'x' }, spec: { endpoints: [plain(`${group.split('.')[0]}.example.com`, 'A', ['192.0.2.1'])] } });
    const s = buildSnapshot({ zones, endpoints: [obj('multiclusterdns.kubefed.io'), obj('externaldns.k8s.io'), plain('bare.example.com', 'A', ['192.0.2.2'])] });
    expect(s.names.has('multiclusterdns.example.com')).toBe(true);
    expect(s.names.has('externaldns.example.com')).toBe(true);
    expect(s.names.has('bare.example.com')).toBe(true);
  });

  it('serials from nextSerial always increase', () => {
    const a = nextSerial();
    const b = buildSnapshot({ zones, endpoints: [] }).serial;
    const c = buildSnapshot({ zones, endpoints: [] }).serial;
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
  });

  const cases: { name: string; endpoints: Parameters<typeof buildSnapshot>[0]['endpoints']; check: (s: ReturnType<typeof buildSnapshot>) => void }[] = [
    {
      name: 'merges plain record sets from several owners and dedupes targets',
      endpoints: [plain('www.example.com', 'A', ['192.0.2.1', '192.0.2.2']), plain('WWW.example.com.', 'A', ['192.0.2.2', '192.0.2.3'])],
      check: (s) => expect(s.names.get('www.example.com')!.sets.get(TYPE.A)!.tails).toHaveLength(3),
    },
    {
      name: 'creates empty non-terminals (NODATA, not NXDOMAIN)',
      endpoints: [plain('a.b.c.example.com', 'A', ['192.0.2.1'])],
      check: (s) => {
        expect(s.names.get('b.c.example.com')!.sets.size).toBe(0);
        expect(s.names.get('c.example.com')!.sets.size).toBe(0);
      },
    },
    {
      name: 'skips endpoints outside every zone, with a warning',
      endpoints: [plain('www.example.org', 'A', ['192.0.2.1'])],
      check: (s) => { expect(s.names.has('www.example.org')).toBe(false); expect(s.warnings[0]).toMatch(/not inside a served zone/); },
    },
    {
      name: 'skips invalid targets, keeps valid ones',
      endpoints: [plain('www.example.com', 'A', ['192.0.2.1', 'not-an-ip', '2001:db8::1']), plain('v6.example.com', 'AAAA', ['2001:db8::1', '::ffff:192.0.2.1'])],
      check: (s) => {
        expect(s.names.get('www.example.com')!.sets.get(TYPE.A)!.tails).toHaveLength(1);
        expect(s.warnings.filter((w) => /bad IPv4/.test(w))).toHaveLength(2);
        const v6 = s.names.get('v6.example.com')!.sets.get(TYPE.AAAA)!.tails.map((t) => t.bytes.subarray(10).toString('hex'));
        expect(v6).toEqual(['20010db8000000000000000000000001', '00000000000000000000ffffc0000201']);
      },
    },
    {
      name: 'keeps only the CNAME when a name has CNAME and other data',
      endpoints: [plain('x.example.com', 'CNAME', ['y.example.com']), plain('x.example.com', 'A', ['192.0.2.1'])],
      check: (s) => { expect([...s.names.get('x.example.com')!.sets.keys()]).toEqual([TYPE.CNAME]); expect(s.warnings.join()).toMatch(/CNAME and other data/); },
    },
    {
      name: 'ignores NS and CNAME at the apex',
      endpoints: [plain('example.com', 'NS', ['ns9.example.com']), plain('example.com', 'CNAME', ['elsewhere.net'])],
      check: (s) => { expect(s.names.get('example.com')!.sets.get(TYPE.NS)!.tails[0]!.target).toBe('ns1.example.com'); expect(s.warnings).toHaveLength(2); },
    },
    {
      name: 'groups routed endpoints per name into views by type (CNAME clusters join every view)',
      endpoints: [
        routed('app.example.com', 'c1', ['192.0.2.1'], { policy: 'latency', region: 'eu-west-1' }),
        routed('app.example.com', 'c2', ['2001:db8::2'], { policy: 'latency', region: 'us-east-1' }, 'AAAA'),
        routed('app.example.com', 'c3', ['lb.elb.example.net'], { policy: 'latency', region: 'ap-northeast-1' }, 'CNAME'),
      ],
      check: (s) => {
        const r = s.names.get('app.example.com')!.routed!;
        expect(r.get(TYPE.A)!.cands.map((c) => c.id)).toEqual(['c1', 'c3']);
        expect(r.get(TYPE.AAAA)!.cands.map((c) => c.id)).toEqual(['c2', 'c3']);
        expect(r.get(TYPE.CNAME)!.cands.map((c) => c.id)).toEqual(['c3']);
      },
    },
    {
      name: 'parses weights, failover roles and geo codes; warns on bad ones',
      endpoints: [
        routed('w.example.com', 'c1', ['192.0.2.1'], { policy: 'geo', geo: 'continent:EU, country:de,*', weight: 3, failover: 'primary' }),
        routed('w.example.com', 'c2', ['192.0.2.2'], { policy: 'geo', geo: 'planet:mars', weight: 999 }),
      ],
      check: (s) => {
        const [c1, c2] = s.names.get('w.example.com')!.routed!.get(TYPE.A)!.cands;
        expect(c1).toMatchObject({ weight: 3, failover: 'primary', geoContinents: ['EU'], geoCountries: ['DE'], geoDefault: true });
        expect(c2).toMatchObject({ weight: 1, failover: 'secondary', geoContinents: [], geoDefault: false });
        expect(s.warnings.join('\n')).toMatch(/weight "999"/);
        expect(s.warnings.join('\n')).toMatch(/geo code "planet:mars"/);
      },
    },
    {
      name: 'treats a setIdentifier without a routing policy as a plain record set',
      endpoints: [{ ...plain('s.example.com', 'A', ['192.0.2.1']), setIdentifier: 'a' }, { ...plain('s.example.com', 'A', ['192.0.2.2']), setIdentifier: 'b' }],
      check: (s) => { expect(s.names.get('s.example.com')!.routed).toBeUndefined(); expect(s.names.get('s.example.com')!.sets.get(TYPE.A)!.tails).toHaveLength(2); },
    },
    {
      name: 'applies recordTTL, else the default TTL',
      endpoints: [plain('t.example.com', 'A', ['192.0.2.1'], 42), plain('d.example.com', 'A', ['192.0.2.1'])],
      check: (s) => {
        expect(s.names.get('t.example.com')!.sets.get(TYPE.A)!.tails[0]!.bytes.readUInt32BE(4)).toBe(42);
        expect(s.names.get('d.example.com')!.sets.get(TYPE.A)!.tails[0]!.bytes.readUInt32BE(4)).toBe(300);
      },
    },
    {
      name: 'encodes TXT, MX, SRV and CAA targets',
      endpoints: [plain('r.example.com', 'TXT', ['"heritage=external-dns"']), plain('r.example.com', 'MX', ['10 mail.example.com']), plain('r.example.com', 'SRV', ['1 2 443 svc.example.com']), plain('r.example.com', 'CAA', ['0 issue "letsencrypt.org"'])],
      check: (s) => {
        const sets = s.names.get('r.example.com')!.sets;
        expect([...sets.keys()].sort((a, b) => a - b)).toEqual([TYPE.MX, TYPE.TXT, TYPE.SRV, TYPE.CAA]);
        expect(sets.get(TYPE.TXT)!.tails[0]!.bytes.subarray(11).toString()).toBe('heritage=external-dns');
        expect(s.warnings).toEqual([]);
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => c.check(buildSnapshot({ zones, endpoints: c.endpoints, serial: 1 })));
  }
});
