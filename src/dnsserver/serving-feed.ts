// Feeds the embedded DNS server: watches DNSEndpoints of both API groups
// (multiclusterdns.kubefed.io and externaldns.k8s.io) and the Domains on the host, and
// after each change builds a new immutable snapshot and installs it. Every replica runs
// it (needLeaderElection false) because every replica answers DNS (docs/architecture.md).
//
// Changes are coalesced: the first change arms a short timer (`debounceMs`), changes
// meanwhile ride along, and a change during a build schedules one more build. So a burst
// of thousands of DNSEndpoint writes costs a handful of builds, and a single change is
// served after about `debounceMs` plus one build.
import type { KubeObject } from '../api/meta.js';
import type { DNSEndpoint, DomainObject } from '../api/multiclusterdns.js';
import { buildSnapshot, type SnapshotInput, type ZoneInput, type ZoneSnapshot } from './snapshot.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { Informer } from '../kube/informer.js';
import { clusterInformer } from '../kube/informer.js';
import type { InformerFactory, InformerScope } from '../kube/informer-factory.js';
import type { ResourceRef } from '../kube/resource.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { Histogram, registerOnce, type Registry } from '../observability/metrics.js';
import { withOwnSignal } from '../runtime/clock.js';
import type { Runnable } from '../runtime/runnable.js';
import { classifyTarget, compareText, normalizeDNSName } from '../dns/naming.js';
import { DEFAULT_KUBEFED_NAMESPACE, DNS_ENDPOINTS, DOMAINS, EXTERNALDNS_ENDPOINTS } from '../dns/resources.js';
import { hasErrors, validateDomain } from '../dns/records/validate.js';

/** Where snapshots go: DnsServer and ClusteredDnsServer both fit. */
export interface SnapshotSink {
  setSnapshot(snapshot: ZoneSnapshot): void;
}

export interface ServingFeedOptions {
  host: ClusterClient;
  sink: SnapshotSink;
  /** Namespace of the Domains to serve. Default kube-federation-system. */
  kubefedNamespace?: string;
  /** Also serve externaldns.k8s.io DNSEndpoints. Default true. */
  externalDNS?: boolean;
  /** Coalescing window after a change. Default 10 ms. */
  debounceMs?: number;
  /** TTLs passed to buildSnapshot. */
  snapshot?: Pick<SnapshotInput, 'defaultTtl' | 'soaTtl' | 'negativeTtl'>;
  informer?: { watchTimeoutSeconds?: number; backoffInitialMs?: number; backoffMaxMs?: number };
  /** The process's shared informers; without them the feed runs informers of its own. */
  informers?: InformerFactory | undefined;
  logger?: Logger;
  registry?: Registry;
}

/** Zones served for a set of Domains: valid ones only, one per apex, NS from `nameServer` when it is a hostname. */
export function zonesFromDomains(domains: readonly DomainObject[]): ZoneInput[] {
  const byApex = new Map<string, ZoneInput>();
  for (const d of [...domains].sort((a, b) => compareText(a.metadata.name ?? '', b.metadata.name ?? ''))) {
    if (d.metadata.deletionTimestamp || hasErrors(validateDomain(d))) continue;
    const apex = normalizeDNSName(d.domain);
    if (byApex.has(apex)) continue;
    const ns = typeof d.nameServer === 'string' ? classifyTarget(d.nameServer) : undefined;
    // An NS record names a host; an IP in `nameServer` cannot be one, so the default stays.
    byApex.set(apex, ns?.kind === 'hostname' ? { domain: apex, nameServers: [ns.value] } : { domain: apex });
  }
  return [...byApex.values()];
}

export class ServingFeed implements Runnable {
  readonly name = 'dns-serving-feed';
  readonly needLeaderElection = false;
  private readonly o: ServingFeedOptions;
  private readonly log: Logger;
  private readonly domains: Informer<DomainObject>;
  private readonly endpoints: Informer<DNSEndpoint>[];
  private readonly scope: InformerScope | undefined;
  private readonly buildSeconds: Histogram<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private building = false;
  private dirty = false;
  private active = false;
  private builds = 0;
  private last: ZoneSnapshot | undefined;

  constructor(o: ServingFeedOptions) {
    this.o = o;
    this.log = (o.logger ?? silentLogger()).child({ component: 'dns-serving-feed' });
    this.scope = o.informers?.scope();
    const make = <T extends KubeObject>(resource: ResourceRef, namespace?: string): Informer<T> => {
      // From the process's shared informers when given (the leader's DNS and publishing
      // controllers watch the same DNSEndpoints and Domains), else informers of its own.
      const inf = this.scope
        ? this.scope.informer<T>(o.host, resource, namespace ? { namespace } : {}, o.informer ?? {})
        : clusterInformer<T>(o.host, resource, { ...o.informer, namespace, logger: o.logger, registry: o.registry });
      const changed = (): void => this.schedule();
      // A status write (the publishing controller's) does not change what is served.
      const specChanged = (a: T, b: T): boolean => a !== b && (a.metadata.generation === undefined || a.metadata.generation !== b.metadata.generation || a.metadata.deletionTimestamp !== b.metadata.deletionTimestamp);
      inf.addHandlers({ onAdd: changed, onUpdate: (a, b) => (specChanged(a, b) ? changed() : undefined), onDelete: changed });
      return inf;
    };
    this.domains = make<DomainObject>(DOMAINS, o.kubefedNamespace ?? DEFAULT_KUBEFED_NAMESPACE);
    this.endpoints = [make<DNSEndpoint>(DNS_ENDPOINTS)];
    if (o.externalDNS ?? true) this.endpoints.push(make<DNSEndpoint>(EXTERNALDNS_ENDPOINTS));
    this.buildSeconds = o.registry
      ? registerOnce(o.registry, 'kfed_dns_feed_build_seconds', (registry) => new Histogram({
          name: 'kfed_dns_feed_build_seconds',
          help: 'Time to build a DNS zone snapshot from DNSEndpoints and Domains.',
          buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
          registers: [registry],
        }))
      : undefined;
  }

  /** Snapshots installed so far. */
  get buildCount(): number {
    return this.builds;
  }

  get snapshot(): ZoneSnapshot | undefined {
    return this.last;
  }

  start(parent: AbortSignal): Promise<void> {
    return withOwnSignal(parent, (signal) => this.run(signal));
  }

  private async run(signal: AbortSignal): Promise<void> {
    const all: Pick<Informer, 'start'>[] = [this.domains, ...this.endpoints];
    // Shared informers run in the factory; our own run here.
    const runs = this.scope ? [new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })))] : all.map((i) => i.start(signal));
    try {
      // kfed's own CRDs are required; external-dns's may be missing and join later.
      await Promise.all([this.domains, this.endpoints[0]].map((i) => i?.waitForSync(signal)));
      this.active = true;
      this.build();
    } catch (err) {
      if (!signal.aborted) throw new Error('dns serving feed: host caches did not sync', { cause: err });
    }
    await Promise.allSettled(runs);
    await this.scope?.close();
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.active) return;
    if (this.building) {
      this.dirty = true;
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.build();
    }, this.o.debounceMs ?? 10);
  }

  /** Builds from the caches now and installs the result. */
  build(): ZoneSnapshot | undefined {
    this.building = true;
    this.dirty = false;
    const started = performance.now();
    try {
      const endpoints = this.endpoints.filter((i) => i.hasSynced()).flatMap((i) => i.list());
      const snapshot = buildSnapshot({ zones: zonesFromDomains(this.domains.list()), endpoints, ...this.o.snapshot });
      this.o.sink.setSnapshot(snapshot);
      this.last = snapshot;
      this.builds++;
      this.buildSeconds?.observe((performance.now() - started) / 1000);
      if (snapshot.warnings.length > 0) this.log.debug({ warnings: snapshot.warnings.slice(0, 20), count: snapshot.warnings.length }, 'snapshot built with skipped records');
      return snapshot;
    } catch (err) {
      // A snapshot that cannot be built keeps the previous one serving.
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'dns snapshot build failed; still serving the previous one');
      return undefined;
    } finally {
      this.building = false;
      if (this.dirty) this.schedule();
    }
  }
}

export function createServingFeed(options: ServingFeedOptions): ServingFeed {
  return new ServingFeed(options);
}
