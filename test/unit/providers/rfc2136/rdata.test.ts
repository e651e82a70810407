import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { RecordType } from '../../../../src/dns/endpoint.js';
import { decodeTarget, encodeRdata, txtStrings, txtTarget } from '../../../../providers/rfc2136/rdata.js';

/** RDATA as dns-packet (an independent encoder) writes it for the same record. */
function packetRdata(type: string, data: unknown): Buffer {
  const msg = dnsPacket.encode({ type: 'response', id: 0, answers: [{ type, name: 'x', data } as dnsPacket.Answer] });
  // header 12, name "x" 3, type/class/ttl 8, rdlength 2
  return msg.subarray(12 + 3 + 10);
}

describe('rdata', () => {
  it.each([
    ['A', '192.0.2.1', '192.0.2.1'],
    ['AAAA', '2001:db8::1', '2001:db8::1'],
    ['AAAA', '2001:DB8:0:0:1::ffff', '2001:db8:0:0:1::ffff'],
    ['AAAA', '::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['CNAME', 'www.example.com', 'www.example.com'],
    ['NS', 'ns1.example.com', 'ns1.example.com'],
  ] as const)('%s %s encodes as dns-packet does', (type, target, data) => {
    expect(encodeRdata(type, target)).toEqual(packetRdata(type, data));
  });

  it('encodes MX, SRV and CAA from external-dns target text and reads them back the same', () => {
    const cases: [RecordType, string, unknown][] = [
      ['MX', '10 mail.example.com', { preference: 10, exchange: 'mail.example.com' }],
      ['SRV', '0 5 443 www.example.com', { priority: 0, weight: 5, port: 443, target: 'www.example.com' }],
      ['CAA', '0 issue "letsencrypt.org"', { flags: 0, tag: 'issue', value: 'letsencrypt.org' }],
    ];
    for (const [type, target, data] of cases) {
      expect(encodeRdata(type, target)).toEqual(packetRdata(type, data));
      const decoded = dnsPacket.decode(dnsPacket.encode({ type: 'response', id: 0, answers: [{ type, name: 'x', data } as dnsPacket.Answer] }));
      expect(decodeTarget(type, (decoded.answers?.[0] as { data: unknown }).data)).toBe(target);
    }
  });

  it('writes a TXT target as 255-octet strings and reads it back joined', () => {
    const value = `heritage=external-dns,external-dns/owner=o,${'r'.repeat(400)}`;
    const strings = txtStrings(value);
    expect(strings.map((s) => s.length)).toEqual([255, value.length - 255]);
    expect(txtTarget(strings)).toBe(value);
    expect(encodeRdata('TXT', 'say "hi"')).toEqual(packetRdata('TXT', ['say "hi"']));
    // Multi-octet characters split across strings come back whole.
    const wide = 'é'.repeat(200);
    expect(txtTarget(txtStrings(wide))).toBe(wide);
    expect(txtStrings('').map((s) => s.length)).toEqual([0]);
  });

  it('refuses malformed targets with the value in the message', () => {
    expect(() => encodeRdata('A', '192.0.2')).toThrow(/"192\.0\.2" is not an IPv4/);
    expect(() => encodeRdata('AAAA', '192.0.2.1')).toThrow(/IPv6/);
    expect(() => encodeRdata('CNAME', 'a b')).toThrow(/host name/);
    expect(() => encodeRdata('MX', 'mail.example.com')).toThrow(/preference/);
    expect(() => encodeRdata('CNAME', `${'a'.repeat(64)}.example.com`)).toThrow(/1\.\.63/);
  });
});
