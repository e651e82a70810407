import { describe, expect, it } from 'vitest';
import { ResponseRateLimiter } from '../../../src/dnsserver/rate-limit.js';

describe('response-rate limiting', () => {
  it('allows the burst, then slips every 2nd and drops the rest, refilling over time', () => {
    const r = new ResponseRateLimiter({ responsesPerSecond: 10, exemptLoopback: true });
    const got = Array.from({ length: 14 }, () => r.check('198.51.100.7', 0));
    expect(got.slice(0, 10).every((v) => v === 'pass')).toBe(true);
    expect(got.slice(10)).toEqual(['drop', 'slip', 'drop', 'slip']);
    expect(r.check('198.51.100.7', 500)).toBe('pass');
  });
  it('shares a bucket per /24 and per /56', () => {
    const r = new ResponseRateLimiter({ responsesPerSecond: 1, slip: 0 });
    expect(r.check('198.51.100.1', 0)).toBe('pass');
    expect(r.check('198.51.100.2', 0)).toBe('drop');
    expect(r.check('198.51.101.1', 0)).toBe('pass');
    expect(r.check('2001:db8:0:1::1', 0)).toBe('pass');
    expect(r.check('2001:db8:0:1:ffff::2', 0)).toBe('drop');
    expect(r.check('2001:db8:0:100::1', 0)).toBe('pass');
    expect(r.check('::ffff:198.51.100.9', 0)).toBe('drop');
  });
  it('exempts loopback by default, not when told', () => {
    expect(Array.from({ length: 5 }, () => new ResponseRateLimiter({ responsesPerSecond: 1 }).check('127.0.0.1', 0))).toEqual(Array(5).fill('pass'));
    const strict = new ResponseRateLimiter({ responsesPerSecond: 1, exemptLoopback: false, slip: 0 });
    expect([strict.check('127.0.0.1', 0), strict.check('127.0.0.1', 0)]).toEqual(['pass', 'drop']);
  });
  it('forgets refilled buckets on sweep and bounds the table', () => {
    const r = new ResponseRateLimiter({ responsesPerSecond: 10, maxEntries: 100 });
    for (let i = 0; i < 250; i++) r.check(`10.${i}.0.1`, 0);
    expect(r.size).toBeLessThanOrEqual(100);
    r.sweep(10_000);
    expect(r.size).toBe(0);
  });
  it('rejects a bad configuration', () => {
    expect(() => new ResponseRateLimiter({ responsesPerSecond: 0 })).toThrow(/positive/);
  });
});
