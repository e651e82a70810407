// The embedded DNS server of one replica and the feed that keeps its snapshot current.
// Every replica runs both (the feed is not leader-only): DNS answers must not depend on
// which replica leads, and a standby must answer from a warm snapshot the moment a
// client or load balancer reaches it.
import type { DnsServingConfig } from '../config/config.js';
import { DnsServer, type DnsServerPorts } from '../dnsserver/server.js';
import { openMaxmindGeoLocator, type GeoLocator } from '../dnsserver/geo-locator.js';
import { ServingFeed } from '../dns/serving-feed.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { Logger } from '../observability/logger.js';
import type { Registry } from '../observability/metrics.js';

export interface DnsServing {
  readonly server: DnsServer;
  /** Add to the manager: it watches Domains and DNSEndpoints on the host. */
  readonly feed: ServingFeed;
  readonly ports: DnsServerPorts;
  /** `address:port` the server listens on, as dig's `@address -p port` wants it. */
  readonly address: string;
  /** True once the first snapshot is served (readiness). */
  hasSnapshot(): boolean;
  close(): Promise<void>;
}

export interface DnsServingOptions {
  config: DnsServingConfig;
  host: ClusterClient;
  kubefedNamespace: string;
  logger: Logger;
  registry: Registry;
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
    throw new Error(`open geolocation database ${db.kind === 'file' ? db.path : '(bundled GeoLite2)'}`, { cause: err });
  }
}

/** Opens the geolocation database and binds UDP and TCP; the feed starts with the manager. */
export async function startDnsServing(o: DnsServingOptions): Promise<DnsServing> {
  const log = o.logger.child({ component: 'dns-server' });
  const geo = await geoLocator(o.config, log);
  const server = new DnsServer({
    address: o.config.listen.host,
    port: o.config.listen.port,
    geo,
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
  const feed = new ServingFeed({
    host: o.host,
    sink: server,
    kubefedNamespace: o.kubefedNamespace,
    externalDNS: o.config.externalDNS,
    logger: o.logger,
    registry: o.registry,
  });
  const host = o.config.listen.host;
  let closing: Promise<void> | undefined;
  return {
    server,
    feed,
    ports,
    address: `${host.includes(':') ? `[${host}]` : host}:${ports.udpPort}`,
    hasSnapshot: () => server.snapshot !== undefined,
    close: () => {
      closing ??= server.close().finally(() => geo?.close?.());
      return closing;
    },
  };
}
