import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import { highestResourceVersion, serialFor, serviceAddresses } from '../../../src/dnsserver/zone-inputs.js';

const obj = (rv?: string): KubeObject => ({ apiVersion: 'v1', kind: 'X', metadata: { name: 'x', ...(rv !== undefined ? { resourceVersion: rv } : {}) } });

describe('SOA serial from resourceVersions', () => {
  it('is the highest resourceVersion of the objects and the deletions seen, whatever the order', () => {
    expect(highestResourceVersion([obj('17'), obj('5'), obj()])).toBe(17n);
    expect(highestResourceVersion([obj('5'), obj('17')])).toBe(17n);
    // A deletion (rv 30) raised it: removing the newest object must not lower the serial.
    expect(highestResourceVersion([obj('5')], 30n)).toBe(30n);
    expect(serialFor(17n)).toBe(17);
  });

  it('wraps modulo 2^32 (RFC 1982 serial arithmetic) and falls back to time for opaque versions', () => {
    expect(serialFor(2n ** 32n + 9n)).toBe(9);
    expect(highestResourceVersion([obj('abc')])).toBeUndefined();
    const t = serialFor(undefined);
    expect(t).toBeGreaterThan(1_700_000_000);
  });

  it('reads a Service\'s load-balancer IPs, sorted and unique', () => {
    const svc = { ...obj('1'), status: { loadBalancer: { ingress: [{ ip: '198.51.100.9' }, { hostname: 'lb.example.net' }, { ip: '192.0.2.7' }, { ip: '192.0.2.7' }] } } };
    expect(serviceAddresses(svc)).toEqual(['192.0.2.7', '198.51.100.9']);
    expect(serviceAddresses(undefined)).toEqual([]);
  });
});
