// Response-rate limiting per client prefix (in the spirit of BIND's RRL): a UDP source
// cannot be verified, so a spoofed flood would turn the server into an amplifier. Each
// prefix gets a token bucket; over budget, every `slip`-th response is sent truncated
// (TC, no records: tiny, and a real client retries over TCP) and the rest are dropped.
import { isIPv4 } from 'node:net';

export interface RateLimitOptions {
  /** Sustained responses per second per prefix (default 100). */
  responsesPerSecond?: number;
  /** Bucket size (default: responsesPerSecond). */
  burst?: number;
  /** Every Nth limited response slips through truncated; 0 drops all (default 2). */
  slip?: number;
  ipv4PrefixLength?: number;
  ipv6PrefixLength?: number;
  /** Loopback sources cannot be spoofed from outside the host (default true). */
  exemptLoopback?: boolean;
  /** Bucket table bound; past it the table is reset (fail open) (default 100,000). */
  maxEntries?: number;
}

export type RateVerdict = 'pass' | 'drop' | 'slip';

interface Bucket {
  tokens: number;
  last: number;
  limited: number;
}

function v4Key(ip: string, bits: number): number {
  let v = 0;
  let part = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) { v = v * 256 + part; part = 0; } else part = part * 10 + (c - 48);
  }
  v = v * 256 + part;
  return Math.floor(v / 2 ** (32 - bits));
}

/** Prefix of an IPv6 address as a string of its first `bits` bits (hex groups, masked). */
function v6Key(ip: string, bits: number): string {
  const [head = '', tail] = ip.split('::', 2);
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...new Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  let key = '';
  for (let g = 0, left = bits; left > 0 && g < 8; g++, left -= 16) {
    const val = parseInt(groups[g] ?? '0', 16) || 0;
    const masked = left >= 16 ? val : val & (0xffff << (16 - left)) & 0xffff;
    key += masked.toString(16) + ':';
  }
  return key;
}

export class ResponseRateLimiter {
  private readonly rate: number;
  private readonly burst: number;
  private readonly slip: number;
  private readonly v4Bits: number;
  private readonly v6Bits: number;
  private readonly exemptLoopback: boolean;
  private readonly maxEntries: number;
  private readonly buckets = new Map<number | string, Bucket>();

  constructor(opts: RateLimitOptions = {}) {
    this.rate = opts.responsesPerSecond ?? 100;
    this.burst = opts.burst ?? this.rate;
    this.slip = opts.slip ?? 2;
    this.v4Bits = Math.min(32, Math.max(1, opts.ipv4PrefixLength ?? 24));
    this.v6Bits = Math.min(128, Math.max(1, opts.ipv6PrefixLength ?? 56));
    this.exemptLoopback = opts.exemptLoopback ?? true;
    this.maxEntries = opts.maxEntries ?? 100_000;
    if (!(this.rate > 0) || !(this.burst >= 1)) throw new Error(`rate limit: responsesPerSecond and burst must be positive (got ${this.rate}, ${this.burst})`);
  }

  get size(): number {
    return this.buckets.size;
  }

  /** The settings in force (for the native limiter, which applies the same rules). */
  get settings(): { responsesPerSecond: number; burst: number; slip: number; ipv4PrefixLength: number; ipv6PrefixLength: number; exemptLoopback: boolean; maxEntries: number } {
    return { responsesPerSecond: this.rate, burst: this.burst, slip: this.slip, ipv4PrefixLength: this.v4Bits, ipv6PrefixLength: this.v6Bits, exemptLoopback: this.exemptLoopback, maxEntries: this.maxEntries };
  }

  /** Decides for one response to `ip` at time `nowMs` (monotonic milliseconds). */
  check(ip: string, nowMs: number): RateVerdict {
    if (this.exemptLoopback && (ip.startsWith('127.') || ip === '::1' || ip.startsWith('::ffff:127.'))) return 'pass';
    const v4 = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
    const key = v4.includes(':') ? v6Key(v4, this.v6Bits) : v4Key(v4, this.v4Bits);
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxEntries) this.buckets.clear();
      b = { tokens: this.burst, last: nowMs, limited: 0 };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + ((nowMs - b.last) / 1000) * this.rate);
      b.last = nowMs;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 'pass';
    }
    b.limited++;
    return this.slip > 0 && b.limited % this.slip === 0 ? 'slip' : 'drop';
  }

  /** Drops buckets that have refilled, so idle prefixes do not hold memory. */
  sweep(nowMs: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((nowMs - b.last) / 1000) * this.rate >= this.burst) this.buckets.delete(k);
    }
  }
}
