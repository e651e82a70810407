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
import { buildSnapshot, type SnapshotInput, type ZoneSnapshot } from './snapshot.js';

export { zonesFromDomains } from './zone-inputs.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { Informer } from '../kube/informer.js';
import { clusterInformer } from '../kube/informer.js';
import type { InformerFactory, InformerScope } from '../kube/informer-factory.js';
import type { ResourceRef } from '../kube/resource.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { Histogram, registerOnce, type Registry } from '../observability/metrics.js';
import { withOwnSignal } from '../runtime/clock.js';
import type { Runnable } from '../runtime/runnable.js';
import { DEFAULT_KUBEFED_NAMESPACE } from '../api/core.js';
import { DNS_ENDPOINTS, DOMAINS, EXTERNALDNS_ENDPOINTS } from '../api/multiclusterdns.js';
import { SERVICES } from '../api/kubernetes.js';
import { highestResourceVersion, serialFor, serviceAddresses, zonesFromDomains } from './zone-inputs.js';
import { resolveOwnership, type EndpointScope } from '../dns/ownership.js';

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
  /**
   * Where external-dns's DNSEndpoints are read beyond the KubeFed namespace and the
   * namespaces of kfed's records (src/dns/ownership.ts). Default: nowhere else.
   */
  endpointScope?: Omit<EndpointScope, 'kubefedNamespace'> | undefined;
  /** Coalescing window after a change. Default 10 ms. */
  debounceMs?: number;
  /** Window after a status-only write, which changes only the SOA serial (see zone-inputs.ts). Default 1 s. */
  statusDebounceMs?: number;
  /** Addresses of in-zone name servers for Domains that give none. */
  nameServerAddresses?: readonly string[] | undefined;
  /** Service in the KubeFed namespace whose load-balancer IPs are those addresses when nameServerAddresses is empty. */
  nameServerService?: string | undefined;
  /** TTLs passed to buildSnapshot. */
  snapshot?: Pick<SnapshotInput, 'defaultTtl' | 'soaTtl' | 'negativeTtl'>;
  informer?: { watchTimeoutSeconds?: number; backoffInitialMs?: number; backoffMaxMs?: number };
  /** The process's shared informers; without them the feed runs informers of its own. */
  informers?: InformerFactory | undefined;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
}

export class ServingFeed implements Runnable {
  readonly name = 'dns-serving-feed';
  readonly needLeaderElection = false;
  private readonly o: ServingFeedOptions;
  private readonly log: Logger;
  private readonly domains: Informer<DomainObject>;
  private readonly endpoints: Informer<DNSEndpoint>[];
  private readonly service: Informer | undefined;
  /** Highest resourceVersion of a deletion seen: a deletion must raise the serial too. */
  private deletedRv = 0n;
  private lastProblems = '';
  private timerDue = 0;
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
    const make = <T extends KubeObject>(resource: ResourceRef, namespace?: string, name?: string): Informer<T> => {
      const selector = { ...(namespace ? { namespace } : {}), ...(name ? { fieldSelector: { 'metadata.name': name } } : {}) };
      // From the process's shared informers when given (the leader's DNS and publishing
      // controllers watch the same DNSEndpoints and Domains), else informers of its own.
      const inf = this.scope
        ? this.scope.informer<T>(o.host, resource, selector, o.informer ?? {})
        : clusterInformer<T>(o.host, resource, { ...o.informer, ...selector, logger: o.logger, registry: o.registry });
      const changed = (): void => this.schedule();
      // A status write (the publishing controller's) changes only the serial: rebuilt later.
      const specChanged = (a: T, b: T): boolean => a !== b && (a.metadata.generation === undefined || a.metadata.generation !== b.metadata.generation || a.metadata.deletionTimestamp !== b.metadata.deletionTimestamp);
      const deleted = (obj: T): void => {
        const rv = obj.metadata.resourceVersion;
        if (rv !== undefined && /^\d+$/.test(rv) && BigInt(rv) > this.deletedRv) this.deletedRv = BigInt(rv);
        this.schedule();
      };
      const updated = (a: T, b: T): void => {
        if (specChanged(a, b)) changed();
        else if (a !== b) this.schedule(o.statusDebounceMs ?? 1000);
      };
      inf.addHandlers({ onAdd: changed, onUpdate: updated, onDelete: deleted });
      return inf;
    };
    this.domains = make<DomainObject>(DOMAINS, o.kubefedNamespace ?? DEFAULT_KUBEFED_NAMESPACE);
    this.endpoints = [make<DNSEndpoint>(DNS_ENDPOINTS)];
    if (o.externalDNS ?? true) this.endpoints.push(make<DNSEndpoint>(EXTERNALDNS_ENDPOINTS));
    // A Service has no generation: each of its changes counts as a content change.
    const wantService = (o.nameServerAddresses?.length ?? 0) === 0 && o.nameServerService !== undefined;
    this.service = wantService ? make(SERVICES, o.kubefedNamespace ?? DEFAULT_KUBEFED_NAMESPACE, o.nameServerService) : undefined;
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
    const all: Pick<Informer, 'start'>[] = [this.domains, ...this.endpoints, ...(this.service ? [this.service] : [])];
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

  private schedule(delayMs = this.o.debounceMs ?? 10): void {
    if (!this.active) return;
    if (this.building) {
      this.dirty = true;
      return;
    }
    // A sooner build replaces a later one (a spec change after a status write).
    if (this.timer && this.timerDue <= performance.now() + delayMs) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = performance.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.build();
    }, delayMs);
  }

  /** Zones, records and the serial every replica agrees on; `all` are every DNSEndpoint read (for the serial). */
  private input(endpoints: SnapshotInput['endpoints'], all: readonly DNSEndpoint[]): SnapshotInput {
    const domains = this.domains.list();
    const service = this.service?.hasSynced() ? this.service.list() : [];
    const given = this.o.nameServerAddresses ?? [];
    const addresses = given.length > 0 ? given : serviceAddresses(service[0]);
    const rv = highestResourceVersion([...domains, ...all, ...service], this.deletedRv);
    return { zones: zonesFromDomains(domains, { nameServerAddresses: addresses }), endpoints, serial: serialFor(rv), ...this.o.snapshot };
  }

  /** Builds from the caches now and installs the result. */
  build(): ZoneSnapshot | undefined {
    this.building = true;
    this.dirty = false;
    const started = performance.now();
    try {
      const objects = this.endpoints.filter((i) => i.hasSynced()).flatMap((i) => i.list());
      // The same decision the publishing pipeline makes: only in-scope sources, each name
      // from its owner, one TTL per record set (conflicts are reported by the leader).
      const resolved = resolveOwnership(objects, { ...this.o.endpointScope, kubefedNamespace: this.o.kubefedNamespace ?? DEFAULT_KUBEFED_NAMESPACE });
      const endpoints = resolved.accepted.flatMap((a) => a.endpoints);
      const snapshot = buildSnapshot(this.input(endpoints, objects));
      this.o.sink.setSnapshot(snapshot);
      this.last = snapshot;
      this.builds++;
      this.buildSeconds?.observe((performance.now() - started) / 1000);
      const problems = snapshot.zoneProblems.join('; ');
      if (problems !== this.lastProblems && problems !== '') this.log.warn({ problems: snapshot.zoneProblems }, 'dns zones have problems');
      this.lastProblems = problems;
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
