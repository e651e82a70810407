import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import type { ZoneChanges } from '../../../../src/dns/publish/provider.js';
import { rfc2136Limits, updateSize } from '../../../../providers/rfc2136/limits.js';
import { buildUpdate } from '../../../../providers/rfc2136/update-message.js';

describe('limits', () => {
  const record = (i: number): Endpoint => ({ dnsName: `host-${i}.go-app.go-app.myfed.svc.example.com`, recordType: 'A', recordTTL: 180, targets: ['192.0.2.1', '198.51.100.1', '203.0.113.1'] });
  const batch = (n: number): ZoneChanges => ({ create: Array.from({ length: n }, (_, i) => record(i)), updateOld: [], updateNew: [], delete: [] });

  it('never underestimates the UPDATE kfed builds', () => {
    for (const n of [1, 10, 100]) {
      const c: ZoneChanges = { ...batch(n), delete: [{ ...record(n + 1), targets: ['"txt"'], recordType: 'TXT' }], updateOld: [record(n + 2)], updateNew: [{ ...record(n + 2), targets: ['192.0.2.9'] }] };
      expect(updateSize(c)).toBeGreaterThanOrEqual(buildUpdate('example.com', c).length);
      expect(updateSize(c)).toBeLessThan(buildUpdate('example.com', c).length + 1200);
    }
  });

  it('fits batches up to 32 KiB, well under the 64 KiB of a TCP message', () => {
    const limits = rfc2136Limits();
    let n = 1;
    while (limits.fits(batch(n + 1))) n++;
    expect(n).toBeGreaterThan(100);
    expect(buildUpdate('example.com', batch(n)).length).toBeLessThanOrEqual(32 * 1024);
    expect(limits.fits(batch(n + 1))).toBe(false);
  });
});
