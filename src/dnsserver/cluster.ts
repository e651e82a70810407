// A worker process per core sharing one UDP socket (node:cluster hands the same socket
// to every worker on Linux, so the kernel spreads datagrams across them) and one TCP
// listener. Node's dgram only gains SO_REUSEPORT in v22.12/23.1, hence cluster.
// The primary forwards each snapshot's *input*; every worker rebuilds the identical,
// immutable snapshot (buildSnapshot is deterministic given the serial).
import { spawnSync } from 'node:child_process';
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry } from 'prom-client';
import type { MaxmindGeoOptions } from './geo-locator.js';
import type { RateLimitOptions } from './rate-limit.js';
import type { LatencyTableOptions } from './regions.js';
import type { DnsLogger, DnsServerPorts } from './server.js';
import { sharedPortFor } from '../runtime/shared-port.js';
import type { SnapshotInput, ZoneSnapshot } from './snapshot.js';

/** Serializable server options (sent to workers over IPC). */
export interface WorkerServerOptions {
  address?: string;
  port?: number;
  /** MMDB files to open in each worker; false: no geolocation. Default: bundled GeoLite2. */
  geo?: MaxmindGeoOptions | false;
  latency?: LatencyTableOptions;
  defaultLocation?: { country?: string; region?: string };
  rateLimit?: RateLimitOptions | false;
  tcpIdleTimeoutMs?: number;
  maxTcpConnections?: number;
  maxUdpPayload?: number;
  unlocatedClients?: 'default' | 'all';
  udpRecvBufferSize?: number;
  /** Batched UDP via the native addon when built (default true); see DnsServerOptions. */
  udpBatching?: boolean;
  /** Set by ClusteredDnsServer: with batched UDP each worker binds its own SO_REUSEPORT socket. */
  reusePort?: boolean;
  /** UDP serving threads in each worker (DnsServerOptions.udpThreads). */
  udpThreads?: number;
}

export interface ClusteredDnsServerOptions extends WorkerServerOptions {
  /** Worker processes (default: available parallelism). */
  workers?: number | undefined;
  logger?: DnsLogger | undefined;
}

export type WorkerMessage =
  | { kind: 'kfed-dns:init'; options: WorkerServerOptions }
  | { kind: 'kfed-dns:snapshot'; input: SnapshotInput & { serial: number } };

export type PrimaryMessage =
  | { kind: 'kfed-dns:ready' }
  | { kind: 'kfed-dns:listening'; ports: DnsServerPorts }
  | { kind: 'kfed-dns:installed'; serial: number }
  | { kind: 'kfed-dns:failed'; error: string }
  | { kind: 'kfed-dns:log'; level: 'info' | 'warn' | 'debug'; obj: object; msg: string };

function isPrimaryMessage(m: unknown): m is PrimaryMessage {
  return typeof m === 'object' && m !== null && typeof (m as { kind?: unknown }).kind === 'string' && (m as { kind: string }).kind.startsWith('kfed-dns:');
}

function workerExec(): { exec: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const ext = extname(self);
  const exec = self.slice(0, -ext.length).replace(/cluster$/, 'cluster-worker') + ext;
  // Running from TypeScript sources: the workers need the same loader.
  const execArgv = ext === '.ts' && !process.execArgv.some((a) => a.includes('tsx')) ? [...process.execArgv, '--import', 'tsx'] : [...process.execArgv];
  if (udpSendQueueSupported()) execArgv.push(UDP_SEND_QUEUE_FLAG);
  return { exec, execArgv };
}

// Node sends every datagram with its own sendmsg(2) (uv_udp_try_send). With this flag
// it queues them in libuv instead, and a reply sent while libuv is still reading the
// socket goes out with the others of that read burst in one sendmmsg(2): measured on a
// 2-core VM, 58k vs 47k qps for a bare echo server and 1.5x for kfed's answers
// (bench/dns-server). The flag only changes how UDP sends are issued, and the workers
// send nothing but DNS replies. Node has no public switch for it (reusePort and
// sendmmsg are not in Node 20's dgram), so it is probed once rather than assumed.
const UDP_SEND_QUEUE_FLAG = '--test-udp-no-try-send';
let udpSendQueue: boolean | undefined;

function udpSendQueueSupported(): boolean {
  udpSendQueue ??= spawnSync(process.execPath, [UDP_SEND_QUEUE_FLAG, '-e', ''], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  return udpSendQueue;
}

export class ClusteredDnsServer {
  private readonly opts: ClusteredDnsServerOptions;
  private readonly workers: Worker[] = [];
  private last: (SnapshotInput & { serial: number }) | undefined;
  private closing = false;
  private readonly aggregator = new AggregatorRegistry();

  constructor(opts: ClusteredDnsServerOptions = {}) {
    if (!cluster.isPrimary) throw new Error('ClusteredDnsServer must be created in the primary process');
    this.opts = opts;
  }

  async start(): Promise<DnsServerPorts> {
    const n = Math.max(1, this.opts.workers ?? availableParallelism());
    const { logger: _logger, workers: _workers, ...serverOpts } = this.opts;
    cluster.setupPrimary(workerExec());
    // The workers bind one port with SO_REUSEPORT, so port 0 is resolved here first, to a
    // port no port-0 bind can be given (shared-port.ts).
    const port = serverOpts.port === 0 ? await sharedPortFor(serverOpts.address ?? '127.0.0.1') : serverOpts.port;
    const all = await Promise.all(Array.from({ length: n }, () => this.fork({ ...serverOpts, reusePort: true, ...(port !== undefined ? { port } : {}) })));
    const ports = all[0] as DnsServerPorts;
    this.opts.logger?.info({ workers: n, port: ports.udpPort }, 'dns server workers listening');
    return ports;
  }

  /**
   * Sends the snapshot's input to every worker, which rebuilds it with the same serial.
   * Resolves once every live worker serves it (callers may ignore the promise).
   */
  setSnapshot(s: ZoneSnapshot): Promise<void> {
    return this.setInput({ ...s.input, serial: s.serial });
  }

  /**
   * Like setSnapshot, without building the snapshot in this process too: the primary
   * only forwards the input (serial required, so every worker builds the same one).
   */
  setInput(input: SnapshotInput & { serial: number }): Promise<void> {
    const s = { serial: input.serial };
    this.last = input;
    const msg: WorkerMessage = { kind: 'kfed-dns:snapshot', input: this.last };
    const waits: Promise<void>[] = [];
    for (const w of this.workers) {
      if (!w.isConnected()) continue;
      waits.push(new Promise<void>((resolve) => {
        const on = (m: unknown): void => {
          if (isPrimaryMessage(m) && m.kind === 'kfed-dns:installed' && m.serial >= s.serial) { w.off('message', on); w.off('exit', done); resolve(); }
        };
        const done = (): void => { w.off('message', on); resolve(); };
        w.on('message', on);
        w.once('exit', done);
      }));
      w.send(msg);
    }
    return Promise.all(waits).then(() => undefined);
  }

  /** Process ids of the running workers. */
  get pids(): number[] {
    return this.workers.filter((w) => !w.isDead() && w.process.pid !== undefined).map((w) => w.process.pid as number);
  }

  /** Prometheus text of all workers' metrics, summed (prom-client's cluster aggregation). */
  async metrics(): Promise<string> {
    return this.aggregator.clusterMetrics();
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => new Promise<void>((resolve) => {
      if (w.isDead()) { resolve(); return; }
      w.once('exit', () => resolve());
      w.kill('SIGTERM');
    })));
    this.workers.length = 0;
  }

  private fork(options: WorkerServerOptions): Promise<DnsServerPorts> {
    const w = cluster.fork();
    this.workers.push(w);
    const log = this.opts.logger;
    return new Promise((resolve, reject) => {
      w.on('message', (m: unknown) => {
        if (!isPrimaryMessage(m)) return;
        // IPC messages sent before the worker's module has loaded would be lost.
        if (m.kind === 'kfed-dns:ready') w.send({ kind: 'kfed-dns:init', options } satisfies WorkerMessage);
        else if (m.kind === 'kfed-dns:listening') {
          if (this.last) w.send({ kind: 'kfed-dns:snapshot', input: this.last } satisfies WorkerMessage);
          resolve(m.ports);
        } else if (m.kind === 'kfed-dns:failed') reject(new Error(`dns worker ${w.id}: ${m.error}`));
        else if (m.kind === 'kfed-dns:log') log?.[m.level]({ worker: w.id, ...m.obj }, m.msg);
      });
      w.once('exit', (code, signal) => {
        reject(new Error(`dns worker ${w.id} exited (${code ?? signal}) before listening`));
        if (!this.closing) log?.warn({ worker: w.id, code, signal }, 'dns worker exited');
      });
    });
  }
}
