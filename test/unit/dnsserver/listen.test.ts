import { describe, expect, it } from 'vitest';
import { parseListenAddress } from '../../../src/dnsserver/listen.js';
import { zonesFromDomains } from '../../../src/dnsserver/snapshot.js';

describe('parseListenAddress', () => {
  const ok: [string, { address: string; port: number }][] = [
    ['127.0.0.1:5353', { address: '127.0.0.1', port: 5353 }],
    ['0.0.0.0:53', { address: '0.0.0.0', port: 53 }],
    ['[::1]:5353', { address: '::1', port: 5353 }],
    [':53', { address: '0.0.0.0', port: 53 }],
    ['5353', { address: '127.0.0.1', port: 5353 }],
  ];
  for (const [text, want] of ok) it(`parses ${text}`, () => expect(parseListenAddress(text)).toEqual(want));
  for (const bad of ['localhost:53', '127.0.0.1:99999', '127.0.0.1:', 'x']) {
    it(`rejects ${bad}`, () => expect(() => parseListenAddress(bad)).toThrow(/listen address/));
  }
});

describe('zonesFromDomains', () => {
  it('maps Domain objects to zones', () => {
    expect(zonesFromDomains([{ domain: 'example.com', nameServer: 'ns1.example.com' }, { domain: 'example.org' }])).toEqual([
      { domain: 'example.com', nameServers: ['ns1.example.com'] }, { domain: 'example.org' },
    ]);
  });
});
