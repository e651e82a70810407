// The embedded DNS server of one replica and the feed that keeps its snapshot current.
// Every replica runs both (the feed is not leader-only): DNS answers must not depend on
// which replica leads, and a standby must answer from a warm snapshot the moment a
// client or load balancer reaches it.
//
// The server answers in this process (`workers: 0`) or in worker processes that share
// one UDP socket and one TCP listener (ClusteredDnsServer). The workers batch their UDP
// sends and take the answering off this process's event loop, at the cost of a process
// (and a geolocation database) each; this process then only forwards snapshot inputs.
import type { DnsServingConfig, GeoDatabase } from '../config/config.js';
import type { DnsEndpointScopeConfig } from '../config/dns-endpoint-scope.js';
import { ClusteredDnsServer } from '../dnsserver/cluster.js';
import { DnsServer, type DnsServerPorts } from '../dnsserver/server.js';
import { openMaxmindGeoLocator, type GeoLocator, type MaxmindGeoOptions } from '../dnsserver/geo-locator.js';
import { ServingFeed, type SnapshotSink } from '../dnsserver/serving-feed.js';
import { createLatencyTable, type LatencyTableOptions } from '../dnsserver/regions.js';
import type { InformerFactory } from '../kube/informer-factory.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { Logger } from '../observability/logger.js';
import type { Registry } from '../observability/metrics.js';

export interface DnsServing {
  /**
   * The server: a DnsServer answering in this process, or the primary side of the worker
   * processes (`workers` > 0). Narrow with `instanceof` where one kind is needed.
   */
  readonly server: DnsServer | ClusteredDnsServer;
  /** Worker processes answering queries; 0 when the server runs in this process. */
  readonly workers: number;
  /** Add to the manager: it watches Domains and DNSEndpoints on the host. */
  readonly feed: ServingFeed;
  readonly ports: DnsServerPorts;
  /** `address:port` the server listens on, as dig's `@address -p port` wants it. */
  readonly address: string;
  /** True once the first snapshot is served (by every worker alive at the time, with workers). */
  hasSnapshot(): boolean;
  /** Process ids of the live workers; empty when the server runs in this process. */
  workerPids(): number[];
  /**
   * Prometheus text of the workers' kfed_dns_* metrics, summed over the workers. '' when
   * the server runs in this process: its metrics are in the registry already.
   */
  workerMetrics(): Promise<string>;
  /** Stops the server (and its workers) and closes the geolocation database. */
  close(): Promise<void>;
}

export interface DnsServingOptions {
  config: DnsServingConfig;
  host: ClusterClient;
  kubefedNamespace: string;
  /** Where external-dns's DNSEndpoints are read beyond the default scope (src/dns/ownership.ts). */
  endpointScope?: DnsEndpointScopeConfig | undefined;
  logger: Logger;
  registry: Registry;
  /** The process's shared informers (the feed's DNSEndpoints and Domains are the leader's too). */
  informers?: InformerFactory;
}

function describeGeo(db: GeoDatabase): string {
  return db.kind === 'file' ? db.path : db.kind === 'bundled' ? '(bundled GeoLite2)' : 'none';
}

async function geoLocator(config: DnsServingConfig, logger: Logger): Promise<GeoLocator | undefined> {
  const db = config.geoDatabase;
  if (db.kind === 'none') return undefined;
  const started = performance.now();
  try {
    const geo = await openMaxmindGeoLocator(db.kind === 'file' ? { path: db.path } : {});
    logger.info({ database: db.kind === 'file' ? db.path : 'bundled GeoLite2', ms: Math.round(performance.now() - started) }, 'opened geolocation database');
    return geo;
  } catch (err) {
    throw new Error(`open geolocation database ${describeGeo(db)}`, { cause: err });
  }
}

/** What each worker opens itself (the options cross IPC, so paths, not readers). */
function workerGeo(db: GeoDatabase): MaxmindGeoOptions | false {
  return db.kind === 'none' ? false : db.kind === 'file' ? { path: db.path } : {};
}

/** The server side, whichever kind: what startDnsServing wires to the feed. */
interface Started {
  server: DnsServer | ClusteredDnsServer;
  ports: DnsServerPorts;
  sink: SnapshotSink;
  hasSnapshot(): boolean;
  workerPids(): number[];
  workerMetrics(): Promise<string>;
  close(): Promise<void>;
}

/** The answering options every server kind takes (plain data: they also cross IPC to workers). */
function answerOptions(c: DnsServingConfig): {
  latency: LatencyTableOptions; defaultLocation?: { country?: string; region?: string }; unlocatedClients: 'default' | 'all';
  rateLimit: DnsServingConfig['rateLimit']; maxUdpPayload: number; tcpIdleTimeoutMs: number; maxTcpConnections: number; udpThreads: number;
} {
  return {
    latency: c.latencyTable ? { latencyMs: c.latencyTable.latencyMs, regions: c.latencyTable.regions } : {},
    ...(c.defaultLocation ? { defaultLocation: c.defaultLocation } : {}),
    unlocatedClients: c.unlocatedClients,
    rateLimit: c.rateLimit,
    maxUdpPayload: c.maxUdpPayload,
    tcpIdleTimeoutMs: c.tcpIdleTimeoutMs,
    maxTcpConnections: c.maxTcpConnections,
    udpThreads: c.udpThreads,
  };
}

async function startInProcess(o: DnsServingOptions, log: Logger): Promise<Started> {
  const geo = await geoLocator(o.config, log);
  const { latency, ...answering } = answerOptions(o.config);
  const server = new DnsServer({
    address: o.config.listen.host,
    port: o.config.listen.port,
    geo,
    latency: createLatencyTable(latency),
    ...answering,
    metrics: o.registry,
    logger: log,
  });
  let ports: DnsServerPorts;
  try {
    ports = await server.start();
  } catch (err) {
    geo?.close?.();
    throw err;
  }
  return {
    server,
    ports,
    sink: server,
    hasSnapshot: () => server.snapshot !== undefined,
    workerPids: () => [],
    workerMetrics: () => Promise.resolve(''),
    close: () => server.close().finally(() => geo?.close?.()),
  };
}

async function startWorkers(o: DnsServingOptions, log: Logger): Promise<Started> {
  const workers = o.config.workers;
  const server = new ClusteredDnsServer({
    address: o.config.listen.host,
    port: o.config.listen.port,
    geo: workerGeo(o.config.geoDatabase),
    ...answerOptions(o.config),
    workers,
    logger: log,
  });
  let ports: DnsServerPorts;
  try {
    ports = await server.start();
  } catch (err) {
    // Workers that did start would keep the socket (and this process) alive.
    await server.close();
    throw new Error(`start ${workers} dns worker processes (geolocation database ${describeGeo(o.config.geoDatabase)})`, { cause: err });
  }
  // ClusteredDnsServer keeps no snapshot of its own: served means every worker alive at
  // the time acknowledged one (its promise resolves then; it never rejects).
  let installed = false;
  let closed = false;
  return {
    server,
    ports,
    sink: {
      setSnapshot: (s) => {
        void server.setSnapshot(s).then(() => {
          installed = true;
        });
      },
    },
    hasSnapshot: () => installed,
    workerPids: () => server.pids,
    workerMetrics: () => (closed ? Promise.resolve('') : server.metrics()),
    close: () => {
      closed = true;
      return server.close();
    },
  };
}

/**
 * Binds UDP and TCP (in this process, or in `config.workers` worker processes, each of
 * which opens the geolocation database); the feed starts with the manager.
 */
export async function startDnsServing(o: DnsServingOptions): Promise<DnsServing> {
  const log = o.logger.child({ component: 'dns-server' });
  const started = o.config.workers > 0 ? await startWorkers(o, log) : await startInProcess(o, log);
  const feed = new ServingFeed({
    host: o.host,
    sink: started.sink,
    kubefedNamespace: o.kubefedNamespace,
    externalDNS: o.config.externalDNS,
    ...(o.endpointScope ? { endpointScope: o.endpointScope } : {}),
    nameServerAddresses: o.config.nameServerAddresses,
    ...(o.config.nameServerService ? { nameServerService: o.config.nameServerService } : {}),
    informers: o.informers,
    logger: o.logger,
    registry: o.registry,
  });
  const host = o.config.listen.host;
  let closing: Promise<void> | undefined;
  return {
    server: started.server,
    workers: o.config.workers,
    feed,
    ports: started.ports,
    address: `${host.includes(':') ? `[${host}]` : host}:${started.ports.udpPort}`,
    hasSnapshot: () => started.hasSnapshot(),
    workerPids: () => started.workerPids(),
    workerMetrics: () => started.workerMetrics(),
    close: () => {
      closing ??= started.close();
      return closing;
    },
  };
}
