// A usable zone (issue 18 item 2): name servers with addresses, a configurable SOA and
// referrals for NS records below the apex, answered from the wire by the Responder.
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../../src/dnsserver/snapshot.js';
import { ask, data, flags, plain, query, rcodeOf, responder, rrs } from './fixtures.js';

const snap = buildSnapshot({
  serial: 9,
  zones: [
    {
      domain: 'example.com', nameServers: ['ns1.example.com', 'ns2.example.com', 'ns.other.net'], nameServerAddresses: ['192.0.2.53', '2001:db8::53'],
      soa: { mname: 'ns1.example.com', rname: 'dns-admin@example.com', refresh: 14400, retry: 3600, expire: 1209600, minimum: 60 },
    },
    { domain: 'bare.test' },
  ],
  endpoints: [
    plain('ns2.example.com', 'A', ['198.51.100.53']),
    plain('sub.example.com', 'NS', ['ns.sub.example.com', 'ns.elsewhere.net']),
    plain('ns.sub.example.com', 'A', ['203.0.113.5']),
    plain('www.example.com', 'A', ['192.0.2.1']),
    plain('to-sub.example.com', 'CNAME', ['x.sub.example.com']),
  ],
});
const r = responder(snap);

describe('name servers of a zone', () => {
  it('serves the NS list in order and answers in-zone NS names with the configured addresses', () => {
    expect(data(ask(r, query('example.com', 'NS')))).toEqual(['example.com NS ns1.example.com', 'example.com NS ns2.example.com', 'example.com NS ns.other.net']);
    const a = ask(r, query('ns1.example.com', 'A'));
    expect(rcodeOf(a)).toBe('NOERROR');
    expect(flags(a).aa).toBe(true);
    expect(data(a)).toEqual(['ns1.example.com A 192.0.2.53']);
    expect(data(ask(r, query('ns1.example.com', 'AAAA')))).toEqual(['ns1.example.com AAAA 2001:db8::53']);
  });

  it('keeps addresses a DNSEndpoint publishes for a name server instead of the configured ones', () => {
    expect(data(ask(r, query('ns2.example.com', 'A')))).toEqual(['ns2.example.com A 198.51.100.53']);
    expect(rrs(ask(r, query('ns2.example.com', 'AAAA')), 'answers')).toEqual([]);
  });

  it('warns about an in-zone name server without an address, and still serves the zone', () => {
    const s = buildSnapshot({ zones: [{ domain: 'bare.test' }], endpoints: [], serial: 1 });
    expect(s.zoneProblems.join('\n')).toMatch(/ns1\.bare\.test: name server inside zone bare\.test has no address/);
    expect(rcodeOf(ask(responder(s), query('ns1.bare.test', 'A')))).toBe('NXDOMAIN');
  });
});

describe('SOA', () => {
  it('takes MNAME, RNAME (an address becomes a mailbox name) and the timers from the zone input', () => {
    expect(rrs(ask(r, query('example.com', 'SOA')))[0]?.data).toEqual({
      mname: 'ns1.example.com', rname: 'dns-admin.example.com', serial: 9, refresh: 14400, retry: 3600, expire: 1209600, minimum: 60,
    });
  });

  it('uses MINIMUM for negative answers and defaults the rest', () => {
    const nx = ask(r, query('nope.example.com', 'A'));
    expect(rcodeOf(nx)).toBe('NXDOMAIN');
    expect(rrs(nx, 'authorities')[0]?.ttl).toBe(60);
    expect(rrs(ask(r, query('bare.test', 'SOA')))[0]?.data).toMatchObject({ mname: 'ns1.bare.test', rname: 'hostmaster.bare.test', refresh: 3600, retry: 600, expire: 604800, minimum: 30 });
  });
});

describe('referrals below a zone cut', () => {
  for (const name of ['sub.example.com', 'x.sub.example.com', 'a.b.sub.example.com', 'ns.sub.example.com']) {
    it(`${name}: not authoritative, NS in authority, in-zone glue in additional`, () => {
      const p = ask(r, query(name, 'A', { edns: true }));
      expect(rcodeOf(p)).toBe('NOERROR');
      expect(flags(p).aa).toBe(false);
      expect(rrs(p, 'answers')).toEqual([]);
      expect(data(p, 'authorities')).toEqual(['sub.example.com NS ns.sub.example.com', 'sub.example.com NS ns.elsewhere.net']);
      expect(rrs(p, 'additionals').filter((x) => x.type !== 'OPT').map((x) => `${x.name} ${x.type} ${String(x.data)}`)).toEqual(['ns.sub.example.com A 203.0.113.5']);
    });
  }

  it('answers DS at the cut itself authoritatively (NODATA from the parent side)', () => {
    const p = ask(r, query('sub.example.com', 'DS'));
    expect(flags(p).aa).toBe(true);
    expect(rrs(p, 'answers')).toEqual([]);
    expect(data(p, 'authorities')[0]).toMatch(/^example\.com SOA/);
  });

  it('a CNAME into a delegated name stops at the CNAME; names beside the cut are unaffected', () => {
    expect(data(ask(r, query('to-sub.example.com', 'A')))).toEqual(['to-sub.example.com CNAME x.sub.example.com']);
    expect(flags(ask(r, query('www.example.com', 'A'))).aa).toBe(true);
    expect(data(ask(r, query('www.example.com', 'A')))).toEqual(['www.example.com A 192.0.2.1']);
  });

  it('is the same over TCP and from the answer cache', () => {
    const first = ask(r, query('y.sub.example.com', 'A'));
    const again = ask(r, query('y.sub.example.com', 'A'));
    const tcp = ask(r, query('y.sub.example.com', 'A'), '192.0.2.200', true);
    for (const p of [first, again, tcp]) expect(data(p, 'authorities')).toHaveLength(2);
  });
});
