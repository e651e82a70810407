// Batched UDP sockets from kfed's native addon (native/udp-batch): recvmmsg/sendmmsg,
// optional SO_REUSEPORT, one call into JavaScript per batch. Built by `npm ci`
// (scripts/build-native.mjs); where it is missing (no compiler, not Linux) or
// KFED_DNS_NATIVE=0, the DNS server falls back to node:dgram.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RateLimitOptions } from './rate-limit.js';

interface Binding {
  open(address: string, port: number, ipv6: boolean, reusePort: boolean, outSlot: number, recvBuf: number): unknown;
  localPort(h: unknown): number;
  buffers(h: unknown): [ArrayBuffer, ArrayBuffer, ArrayBuffer, number, number, number];
  start(h: unknown, onBatch: (n: number) => void): void;
  close(h: unknown): void;
  dropped(h: unknown): number;
  cacheInit(h: unknown, maxEntries: number, metricSlots: number, bounds: number[]): ArrayBuffer;
  cacheClear(h: unknown): void;
  startThreads(h: unknown, n: number): ArrayBuffer[];
  rrlInit(h: unknown, rate: number, burst: number, slip: number, ipv4Bits: number, ipv6Bits: number, exemptLoopback: boolean, maxEntries: number): void;
}

const ADDON = join('native', 'udp-batch', 'build', 'Release', 'udp_batch.node');
let binding: Binding | null | undefined;
let loadError: string | undefined;

/** The addon, or undefined (see `udpBatchUnavailable` for why). */
export function udpBatchBinding(): Binding | undefined {
  if (binding !== undefined) return binding ?? undefined;
  binding = null;
  if (process.env['KFED_DNS_NATIVE'] === '0') { loadError = 'turned off by KFED_DNS_NATIVE=0'; return undefined; }
  if (process.platform !== 'linux' || endianness() !== 'LE') { loadError = `not built for ${process.platform} (${endianness()})`; return undefined; }
  const path = addonPath();
  if (!existsSync(path)) {
    loadError = process.env['KFED_NATIVE_ADDON'] ? `KFED_NATIVE_ADDON=${path} does not exist` : `${ADDON} not built (npm ci builds it; needs python3, make and a C compiler)`;
    return undefined;
  }
  try {
    binding = createRequire(import.meta.url)(path) as Binding;
  } catch (err) {
    loadError = `load ${path}: ${(err as Error).message}`;
  }
  return binding ?? undefined;
}

/**
 * Where the addon is loaded from: KFED_NATIVE_ADDON (a path to a udp_batch.node) when set, which
 * scripts/check-native.sh uses to run the tests on a sanitizer build; else the package's
 * own build (src/dnsserver or dist/src/dnsserver: the addon is under the package root).
 */
export function addonPath(): string {
  const override = process.env['KFED_NATIVE_ADDON'];
  if (override) return resolve(override);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5 && !existsSync(join(dir, ADDON)); i++) dir = dirname(dir);
  return join(dir, ADDON);
}

/** Why the addon is not in use, or undefined when it is. */
export function udpBatchUnavailable(): string | undefined {
  udpBatchBinding();
  return loadError;
}

export const META_STRIDE = 16;
/** Meta words per datagram slot (see native/udp-batch/udp_batch.c). */
export const META = {
  LEN: 0, FAMILY: 1, PORT: 2, ADDR: 3, REPLY_LEN: 7,
  /**
   * 1: answered from the native answer cache, 2: withheld by native rate limiting (the
   * batch handler leaves both alone); 3: rate limiting slips it (answer it truncated).
   */
  DONE: 8,
  /** Written by the handler: 1 cache the reply for every client, 2 for the class in STORE_CLASS. */
  STORE: 9, STORE_CLASS: 10,
  /** Offset of the echoed ECS address in the reply (-1: none), and the reply's metrics slot. */
  STORE_ECS_AT: 11, STORE_METRIC: 12,
  /** 1: the query's client subnet was located; its location class and the answers' ECS scope. */
  SUBNET: 13, SUBNET_CLASS: 14, SUBNET_SCOPE: 15,
} as const;

/** Layout of the native answer cache's statistics (after the metrics slots; see answer_cache.h). */
export const CACHE_STATS = { HITS: 0, SUM: 1, DROPS: 2, BUCKETS: 3 } as const;

/** Response-rate limiting settings, as the JavaScript limiter holds them (rate-limit.ts), every one set. */
export type NativeRateLimit = Required<RateLimitOptions>;

export interface BatchSocketOptions {
  address: string;
  port: number;
  ipv6: boolean;
  /** SO_REUSEPORT: several processes each bind their own socket on the port. */
  reusePort: boolean;
  /** Largest reply (bytes); each output slot has this size. */
  maxReply: number;
  /** SO_RCVBUF (0: the kernel default). */
  recvBufferSize: number;
}

/**
 * A bound batch socket. `start(onBatch)` calls `onBatch(n)` with n datagrams in the
 * input slots; the handler writes replies into the output slots and their lengths into
 * `meta[i * META_STRIDE + META.REPLY_LEN]`, and they are sent when it returns.
 */
export class BatchUdpSocket {
  readonly port: number;
  readonly input: Buffer;
  readonly output: Buffer;
  readonly meta: Int32Array;
  readonly inSlot: number;
  readonly outSlot: number;
  private readonly b: Binding;
  private handle: unknown;

  private constructor(b: Binding, handle: unknown) {
    this.b = b;
    this.handle = handle;
    this.port = b.localPort(handle);
    const [input, output, meta, , inSlot, outSlot] = b.buffers(handle);
    this.input = Buffer.from(input);
    this.output = Buffer.from(output);
    this.meta = new Int32Array(meta);
    this.inSlot = inSlot;
    this.outSlot = outSlot;
  }

  /** Binds a socket; throws (with `code`, e.g. EADDRINUSE) when it cannot. */
  static open(o: BatchSocketOptions): BatchUdpSocket {
    const b = udpBatchBinding();
    if (!b) throw new Error(`udp batching unavailable: ${udpBatchUnavailable() ?? 'unknown reason'}`);
    return new BatchUdpSocket(b, b.open(o.address, o.port, o.ipv6, o.reusePort, o.maxReply, o.recvBufferSize));
  }

  start(onBatch: (n: number) => void): void {
    if (this.handle === undefined) throw new Error('udp batch socket is closed');
    this.b.start(this.handle, onBatch);
  }

  /**
   * Turns on the answer cache in C: a query whose answer the handler stored (META.STORE)
   * is answered as it arrives, without calling the handler. Returns the statistics
   * array (answers by metrics slot, hits, seconds, rate-limit drops, duration buckets
   * for `bounds`).
   */
  enableCache(maxEntries: number, metricSlots: number, bounds: number[]): Float64Array {
    if (this.handle === undefined) throw new Error('udp batch socket is closed');
    return new Float64Array(this.b.cacheInit(this.handle, maxEntries, metricSlots, bounds));
  }

  /**
   * Starts `n` more serving threads, each on its own SO_REUSEPORT socket on this
   * socket's address (which must have been opened with reusePort): they answer from
   * the answer cache and queue every other datagram for the batch handler, whose
   * replies leave from this socket. Needs `start` and `enableCache` first. Returns each
   * thread's statistics array (the layout of `enableCache`'s).
   */
  startThreads(n: number): Float64Array[] {
    if (this.handle === undefined) throw new Error('udp batch socket is closed');
    return this.b.startThreads(this.handle, n).map((ab) => new Float64Array(ab));
  }

  /**
   * Rate-limits responses in C (native/udp-batch/rrl.c, the rules of rate-limit.ts) for
   * this socket and its serving threads, before the cache is consulted: withheld ones
   * never reach the handler (META.DONE 2, counted in the statistics' DROPS), slipped ones
   * reach it marked 3. After `enableCache`, before `startThreads`.
   */
  enableRateLimit(r: NativeRateLimit): void {
    if (this.handle === undefined) throw new Error('udp batch socket is closed');
    this.b.rrlInit(this.handle, r.responsesPerSecond, r.burst, r.slip, r.ipv4PrefixLength, r.ipv6PrefixLength, r.exemptLoopback, r.maxEntries);
  }

  /** Forgets every cached answer and located subnet (the zone changed). */
  clearCache(): void {
    if (this.handle !== undefined) this.b.cacheClear(this.handle);
  }

  /** Replies the kernel refused (full send buffer or a queued error for that destination). */
  get dropped(): number {
    return this.handle === undefined ? 0 : this.b.dropped(this.handle);
  }

  close(): void {
    if (this.handle === undefined) return;
    this.b.close(this.handle);
    this.handle = undefined;
  }
}

/** Presentation form of the source address in a meta slot, as node:dgram reports it (RFC 5952 for IPv6). */
export function slotAddress(meta: Int32Array, base: number): string {
  if (meta[base + META.FAMILY] === 4) return v4Text(meta[base + META.ADDR] ?? 0);
  const g: number[] = [];
  for (let i = 0; i < 4; i++) {
    const x = meta[base + META.ADDR + i] ?? 0;
    g.push(((x & 0xff) << 8) | ((x >>> 8) & 0xff), (((x >>> 16) & 0xff) << 8) | (x >>> 24));
  }
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) return `::ffff:${v4Text(meta[base + META.ADDR + 3] ?? 0)}`;
  // The longest run of two or more zero groups becomes "::".
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number, b: number): string => g.slice(a, b).map((x) => x.toString(16)).join(':');
  return bestAt < 0 ? hex(0, 8) : `${hex(0, bestAt)}::${hex(bestAt + bestLen, 8)}`;
}

/** A meta word holds the address bytes in network order, read on a little-endian host. */
function v4Text(w: number): string {
  return `${w & 0xff}.${(w >>> 8) & 0xff}.${(w >>> 16) & 0xff}.${w >>> 24}`;
}
