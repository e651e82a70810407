// The DNS server: one UDP socket and one TCP listener on the same address and port,
// answering from the snapshot installed with setSnapshot (swapped atomically: a query
// sees the old or the new snapshot, never a mix).
import dgram from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import { Responder } from './answer.js';
import type { GeoLocator } from './geo-locator.js';
import { DURATION_BUCKETS } from './duration-histogram.js';
import { DnsMetrics, METRIC_SLOTS } from './metrics.js';
import { ResponseRateLimiter, type RateLimitOptions } from './rate-limit.js';
import { createLatencyTable, type LatencyTable } from './regions.js';
import { sharedPortFor } from '../runtime/shared-port.js';
import type { ZoneSnapshot } from './snapshot.js';
import { BatchUdpSocket, META, META_STRIDE, slotAddress, udpBatchBinding, udpBatchUnavailable } from './udp-batch.js';

/** The subset of a pino logger the server uses. */
export interface DnsLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface DnsServerOptions {
  /** Listen address (default 127.0.0.1); `::` or `0.0.0.0` for all. */
  address?: string | undefined;
  /** Port for both UDP and TCP (default 5353); 0 picks a port free for both. */
  port?: number | undefined;
  /** Client geolocation; without it latency/geo answers go to every target. */
  geo?: GeoLocator | undefined;
  /** Region-to-region latency table (default: built-in regions, great-circle). */
  latency?: LatencyTable | undefined;
  /** Location assumed for private/unknown clients (default: none: every target). */
  defaultLocation?: { country?: string; region?: string } | undefined;
  /** UDP response-rate limiting per client prefix (on by default); false turns it off. */
  rateLimit?: RateLimitOptions | false | undefined;
  /** Idle TCP connections are closed after this (default 10,000 ms). */
  tcpIdleTimeoutMs?: number | undefined;
  /** Concurrent TCP connections; more are closed at once (default 256). */
  maxTcpConnections?: number | undefined;
  /** Largest UDP response (default 1232). */
  maxUdpPayload?: number | undefined;
  /** Geo answers to unlocated clients: the `*` set when defined (default), or every target. */
  unlocatedClients?: 'default' | 'all' | undefined;
  /** SO_RCVBUF for the UDP socket (capped by the kernel's rmem_max). */
  udpRecvBufferSize?: number | undefined;
  /**
   * Batched UDP through kfed's native addon (recvmmsg/sendmmsg) when it is built; false
   * forces node:dgram (default true).
   */
  udpBatching?: boolean | undefined;
  /** With batched UDP: SO_REUSEPORT, so each DNS worker process binds its own socket. */
  reusePort?: boolean | undefined;
  /**
   * With batched UDP and the answer cache: threads answering UDP from the cache in this
   * process, each on its own SO_REUSEPORT socket, the JavaScript thread included (default
   * 1: that thread only). Misses are answered by JavaScript whichever thread got them.
   */
  udpThreads?: number | undefined;
  /** Registry for the kfed_dns_* metrics (default: a private one, see `metrics.registry`). */
  metrics?: Registry | undefined;
  logger?: DnsLogger | undefined;
}

export interface DnsServerPorts {
  udpPort: number;
  tcpPort: number;
}

const noopLogger: DnsLogger = { info() {}, warn() {}, debug() {} };

// The destination of every reply is the IP literal the query came from; resolve it
// synchronously instead of paying dns.lookup's nextTick per datagram, and skip even
// the literal check when it is the same source as the previous datagram's.
let lastLiteral = '';
let lastFamily = 0;
function literalLookup(address: string, opts: unknown, cb: (err: Error | null, address: string, family: number) => void): void {
  if (address === lastLiteral) { cb(null, address, lastFamily); return; }
  const fam = net.isIP(address);
  if (fam === 0) { dnsLookup(address, opts as object, cb as never); return; }
  lastLiteral = address;
  lastFamily = fam;
  cb(null, address, fam);
}

export class DnsServer {
  readonly metrics: DnsMetrics;
  private readonly responder: Responder;
  private readonly rrl: ResponseRateLimiter | undefined;
  private readonly log: DnsLogger;
  private readonly opts: DnsServerOptions;
  private udp: dgram.Socket | undefined;
  private batch: BatchUdpSocket | undefined;
  private tcp: net.Server | undefined;
  private readonly conns = new Set<net.Socket>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private ports: DnsServerPorts | undefined;

  constructor(opts: DnsServerOptions = {}) {
    this.opts = opts;
    this.log = opts.logger ?? noopLogger;
    this.metrics = new DnsMetrics(opts.metrics);
    this.responder = new Responder({ latency: opts.latency ?? createLatencyTable(), geo: opts.geo, defaultLocation: opts.defaultLocation, maxUdpPayload: opts.maxUdpPayload, unlocatedClients: opts.unlocatedClients });
    this.rrl = opts.rateLimit === false ? undefined : new ResponseRateLimiter(opts.rateLimit ?? {});
  }

  /** Installs a new snapshot; queries after this call are answered from it. */
  setSnapshot(s: ZoneSnapshot): void {
    const prev = this.responder.snapshot;
    this.responder.snapshot = s;
    // Answers cached in C were built from the previous snapshot.
    this.batch?.clearCache();
    this.metrics.snapshot(s.serial, s.recordCount);
    this.log.info({ serial: s.serial, previousSerial: prev?.serial, names: s.names.size, records: s.recordCount, warnings: s.warnings.length }, 'dns snapshot installed');
  }

  get snapshot(): ZoneSnapshot | undefined {
    return this.responder.snapshot;
  }

  get listening(): DnsServerPorts | undefined {
    return this.ports;
  }

  /** How UDP is served: `batched` (native recvmmsg/sendmmsg) or `dgram` (node:dgram). */
  get udpMode(): 'batched' | 'dgram' | undefined {
    return this.batch ? 'batched' : this.udp ? 'dgram' : undefined;
  }

  private wantsBatching(address: string): boolean {
    return this.opts.udpBatching !== false && net.isIP(address) !== 0 && udpBatchBinding() !== undefined;
  }

  async start(): Promise<DnsServerPorts> {
    const address = this.opts.address ?? '127.0.0.1';
    const want = this.opts.port ?? 5353;
    let lastErr: unknown;
    if (this.wantsBatching(address)) return this.startBatched(address, want);
    if (this.opts.udpBatching !== false) this.log.info({ reason: udpBatchUnavailable() ?? 'listen address is not an IP literal' }, 'dns server: batched UDP unavailable, using node:dgram');
    for (let attempt = 0; attempt < (want === 0 ? 20 : 1); attempt++) {
      const udp = dgram.createSocket({ type: net.isIPv6(address) ? 'udp6' : 'udp4', lookup: literalLookup as never });
      try {
        await new Promise<void>((resolve, reject) => {
          udp.once('error', reject);
          udp.bind({ address, port: want }, () => { udp.off('error', reject); resolve(); });
        });
        const port = udp.address().port;
        const tcp = await this.listenTcp(address, port);
        this.udp = udp;
        this.tcp = tcp;
        this.wireUdp(udp);
        return this.listeningOn(address, port);
      } catch (err) {
        lastErr = err;
        udp.close();
        // Port 0 gave a UDP port whose TCP twin is taken: try another.
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || want !== 0) break;
      }
    }
    throw new Error(`dns server: listen on ${address}:${want}: ${(lastErr as Error)?.message}`, { cause: lastErr });
  }

  private listeningOn(address: string, port: number): DnsServerPorts {
    this.ports = { udpPort: port, tcpPort: port };
    if (this.rrl) {
      const rrl = this.rrl;
      this.sweepTimer = setInterval(() => rrl.sweep(performance.now()), 10_000);
      this.sweepTimer.unref();
    }
    this.log.info({ address, port, udp: this.udpMode }, 'dns server listening on udp and tcp');
    return this.ports;
  }

  private async startBatched(address: string, want: number): Promise<DnsServerPorts> {
    let lastErr: unknown;
    const reusePort = (this.opts.reusePort ?? false) || (this.opts.udpThreads ?? 1) > 1;
    for (let attempt = 0; attempt < (want === 0 ? 20 : 1); attempt++) {
      let sock: BatchUdpSocket | undefined;
      try {
        // SO_REUSEPORT on port 0 could join another process's group, or be joined by a client's
        // socket: such a server takes a port below the ephemeral range instead (shared-port.ts).
        const port = reusePort && want === 0 ? await sharedPortFor(address) : want;
        sock = BatchUdpSocket.open({
          address, port, ipv6: net.isIPv6(address), reusePort,
          maxReply: this.responder.maxUdpPayload, recvBufferSize: this.opts.udpRecvBufferSize ?? 0,
        });
        const tcp = await this.listenTcp(address, sock.port);
        this.batch = sock;
        this.tcp = tcp;
        this.metrics.udpRepliesDropped(() => this.batch?.dropped ?? 0);
        this.wireBatch(sock);
        return this.listeningOn(address, sock.port);
      } catch (err) {
        lastErr = err;
        sock?.close();
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || want !== 0) break;
      }
    }
    throw new Error(`dns server: listen on ${address}:${want}: ${(lastErr as Error)?.message}`, { cause: lastErr });
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    const batch = this.batch;
    this.batch = undefined;
    batch?.close();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    await Promise.all([
      udp ? new Promise<void>((r) => udp.close(() => r())) : undefined,
      tcp ? new Promise<void>((r) => tcp.close(() => r())) : undefined,
    ]);
    if (udp || tcp || batch) this.log.info({}, 'dns server stopped');
  }

  private wireUdp(udp: dgram.Socket): void {
    if (this.opts.udpRecvBufferSize) {
      try { udp.setRecvBufferSize(this.opts.udpRecvBufferSize); } catch (err) { this.log.warn({ err }, 'dns server: could not set UDP receive buffer'); }
    }
    const responder = this.responder;
    const metrics = this.metrics;
    const rrl = this.rrl;
    udp.on('error', (err) => this.log.warn({ err }, 'dns udp socket error'));
    udp.on('message', (msg, rinfo) => {
      // Source port 0 cannot be replied to (dgram.send would throw): spoofed or broken.
      if (rinfo.port === 0) { metrics.query('udp', -1, -1, 0); return; }
      const t0 = performance.now();
      let truncate = false;
      if (rrl) {
        const v = rrl.check(rinfo.address, t0);
        if (v === 'drop') { metrics.rateLimited('drop'); return; }
        if (v === 'slip') { metrics.rateLimited('slip'); truncate = true; }
      }
      let len: number;
      try {
        len = responder.respond(msg, rinfo.address, false, truncate);
      } catch (err) {
        metrics.internalError();
        this.log.debug({ err }, 'dns query failed');
        return;
      }
      if (len > 0) {
        const buf = Buffer.allocUnsafe(len);
        responder.out.copy(buf, 0, 0, len);
        try {
          udp.send(buf, rinfo.port, rinfo.address);
        } catch (err) {
          metrics.internalError();
          this.log.debug({ err }, 'dns reply not sent');
        }
      }
      if (responder.lastCached) metrics.cacheHit();
      metrics.query('udp', responder.lastQtype, responder.lastRcode, (performance.now() - t0) / 1000);
    });
  }

  /**
   * Answers each batch of datagrams into the output slots; the addon sends them on
   * return. With the answer cache in C, the addon answers the queries whose answers are
   * cached itself and calls this only for a batch with misses, which it learns from:
   * each reply the Responder says may be replayed, and each client subnet it located.
   * Response-rate limiting then runs in C too, with the same rules, before the cache:
   * withheld responses never reach JavaScript, slipped ones come marked to be truncated.
   */
  private wireBatch(sock: BatchUdpSocket): void {
    const { input, output, meta, inSlot, outSlot } = sock;
    const responder = this.responder;
    const metrics = this.metrics;
    const rrl = this.rrl;
    const native = responder.answerCacheSize > 0;
    if (native) {
      metrics.addNativeCache(sock.enableCache(responder.answerCacheSize, METRIC_SLOTS, DURATION_BUCKETS));
      if (rrl) sock.enableRateLimit(rrl.settings);
    }
    // Limited here only when the addon does not (no answer cache).
    const jsRrl = native ? undefined : rrl;
    // The source string is rebuilt only when the address differs from the previous datagram's.
    let k1 = 0; let k3 = 0; let k4 = 0; let k5 = 0; let k6 = 0;
    let source = '';
    sock.start((n) => {
      // One clock reading per batch: each answer is timed at the batch's mean.
      const t0 = performance.now();
      let answered = 0;
      for (let i = 0; i < n; i++) {
        const base = i * META_STRIDE;
        const done = meta[base + META.DONE] ?? 0;
        if (done === 1 || done === 2) continue;
        try {
          const len = meta[base + META.LEN] ?? -1;
          if (len < 0 || meta[base + META.PORT] === 0) { metrics.count('udp', -1, -1); continue; }
          const a1 = meta[base + 1] ?? 0; const a3 = meta[base + 3] ?? 0; const a4 = meta[base + 4] ?? 0; const a5 = meta[base + 5] ?? 0; const a6 = meta[base + 6] ?? 0;
          if (source === '' || a1 !== k1 || a3 !== k3 || a4 !== k4 || a5 !== k5 || a6 !== k6) {
            source = slotAddress(meta, base);
            k1 = a1; k3 = a3; k4 = a4; k5 = a5; k6 = a6;
          }
          let truncate = false;
          if (done === 3) { metrics.rateLimited('slip'); truncate = true; }
          if (jsRrl) {
            const v = jsRrl.check(source, t0);
            if (v === 'drop') { metrics.rateLimited('drop'); continue; }
            if (v === 'slip') { metrics.rateLimited('slip'); truncate = true; }
          }
          const at = i * inSlot;
          const out = responder.respond(input.subarray(at, at + len), source, false, truncate);
          if (out > 0 && out <= outSlot) {
            responder.out.copy(output, i * outSlot, 0, out);
            meta[base + META.REPLY_LEN] = out;
            if (native && responder.lastStore > -2) {
              meta[base + META.STORE] = responder.lastStore < 0 ? 1 : 2;
              meta[base + META.STORE_CLASS] = responder.lastStore;
              meta[base + META.STORE_ECS_AT] = responder.lastEcsAt;
              meta[base + META.STORE_METRIC] = DnsMetrics.slot('udp', responder.lastQtype, responder.lastRcode);
            }
          }
          if (native && responder.lastSubnetClass >= 0) {
            meta[base + META.SUBNET] = 1;
            meta[base + META.SUBNET_CLASS] = responder.lastSubnetClass;
            meta[base + META.SUBNET_SCOPE] = responder.lastSubnetScope;
          }
          if (responder.lastCached) metrics.cacheHit();
          if (metrics.count('udp', responder.lastQtype, responder.lastRcode)) answered++;
        } catch (err) {
          meta[base + META.REPLY_LEN] = 0;
          metrics.internalError();
          this.log.debug({ err }, 'dns query failed');
        }
      }
      if (answered > 0) metrics.answered(answered, (performance.now() - t0) / 1000);
    });
    const threads = Math.max(1, Math.min(16, Math.floor(this.opts.udpThreads ?? 1)));
    if (threads > 1 && native) {
      for (const stats of sock.startThreads(threads - 1)) metrics.addNativeCache(stats);
      this.log.info({ udpThreads: threads }, 'dns server: UDP serving threads started');
    } else if (threads > 1) {
      this.log.warn({ udpThreads: threads }, 'dns server: UDP serving threads need the answer cache; serving on one thread');
    }
  }

  private listenTcp(address: string, port: number): Promise<net.Server> {
    const server = net.createServer((sock) => this.onTcp(sock));
    server.maxConnections = this.opts.maxTcpConnections ?? 256;
    server.on('drop', () => this.metrics.tcpConnectionRejected());
    server.on('error', (err) => this.log.warn({ err }, 'dns tcp listener error'));
    return new Promise((resolve, reject) => {
      const onErr = (err: Error): void => { server.close(); reject(err); };
      server.once('error', onErr);
      server.listen({ host: address, port }, () => { server.off('error', onErr); resolve(server); });
    });
  }

  private onTcp(sock: net.Socket): void {
    this.conns.add(sock);
    sock.setNoDelay(true);
    sock.setTimeout(this.opts.tcpIdleTimeoutMs ?? 10_000);
    sock.on('timeout', () => sock.destroy());
    sock.on('error', () => sock.destroy());
    sock.on('close', () => this.conns.delete(sock));
    sock.on('drain', () => sock.resume());
    const source = sock.remoteAddress ?? '';
    let pending: Buffer | undefined;
    sock.on('data', (chunk: Buffer) => {
      const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      let off = 0;
      while (buf.length - off >= 2) {
        const len = buf.readUInt16BE(off);
        if (buf.length - off - 2 < len) break;
        const msg = buf.subarray(off + 2, off + 2 + len);
        off += 2 + len;
        // Not even a header: the stream cannot be trusted further (RFC 7766 section 8).
        if (len < 12) { sock.destroy(); return; }
        this.answerTcp(sock, msg, source);
        if (sock.destroyed) return;
      }
      pending = off < buf.length ? Buffer.from(buf.subarray(off)) : undefined;
    });
  }

  private answerTcp(sock: net.Socket, msg: Buffer, source: string): void {
    const t0 = performance.now();
    const responder = this.responder;
    let len: number;
    try {
      len = responder.respond(msg, source, true);
    } catch (err) {
      this.metrics.internalError();
      this.log.debug({ err }, 'dns query failed');
      sock.destroy();
      return;
    }
    if (len > 0) {
      const out = Buffer.allocUnsafe(len + 2);
      out.writeUInt16BE(len, 0);
      responder.out.copy(out, 2, 0, len);
      // A client that does not read its answers stops being read from.
      if (!sock.write(out)) sock.pause();
    }
    this.metrics.query('tcp', responder.lastQtype, responder.lastRcode, (performance.now() - t0) / 1000);
  }
}
