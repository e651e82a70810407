// Composition of the multi-cluster DNS controllers as one leader-only runnable: host
// informers (records, Domains, kfed DNSEndpoints), member watches, the ServiceDNSRecord
// and IngressDNSRecord status controllers, the DNSEndpoint controller and the Domain
// status controller.
//
// Start order matters for correctness, not only speed: workers start after the host
// caches synced and after every Ready member's caches synced (bounded wait), so a new
// leader never renders from empty member caches and briefly publishes "no targets".
// The controller builder runs that sequence; the four queues are its side runs, each
// primed with an enqueue-all on every start.
import type { KubeObject } from '../../api/meta.js';
import type { DNSEndpoint, DomainObject, IngressDNSRecord, ServiceDNSRecord } from '../../api/multiclusterdns.js';
import type { MemberRegistry } from '../../clusters/member-registry.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { Informer } from '../../kube/informer.js';
import { InformerFactory, type InformerScope } from '../../kube/informer-factory.js';
import type { ResourceRef } from '../../kube/resource.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { Registry } from '../../observability/metrics.js';
import { ControllerBuilder, type ManagedController } from '../../runtime/controller-builder.js';
import type { Runnable } from '../../runtime/runnable.js';
import { DNSEndpointController } from './dns-endpoint-controller.js';
import { DomainController } from './domain-controller.js';
import { DomainIndex } from './domain-index.js';
import { createIngressDNSRecordController } from './ingress-dns-controller.js';
import { MemberWatches, type MemberInformerOptions } from './member-watches.js';
import type { RecordController } from './record-controller.js';
import { endpointKey } from './record-keys.js';
import { DEFAULT_KUBEFED_NAMESPACE } from '../../api/core.js';
import { DNS_ENDPOINTS, DOMAINS, EXTERNALDNS_ENDPOINTS, INGRESS_DNS_RECORDS, SERVICE_DNS_RECORDS } from '../../api/multiclusterdns.js';
import type { EventRecorder } from '../../clusters/events.js';
import type { EndpointScope } from '../ownership.js';
import { NameOwnershipController } from './name-ownership-controller.js';
import { createServiceDNSRecordController } from './service-dns-controller.js';

export interface MultiClusterDNSOptions {
  /** Client of the host cluster, where records, Domains and DNSEndpoints live. */
  host: ClusterClient;
  members: MemberRegistry;
  /**
   * Resolves once the registry knows every joined member (e.g. its KubeFedCluster
   * informer synced). Without it a fresh leader could see no members and render every
   * record without targets.
   */
  membersSynced?: (signal: AbortSignal) => Promise<void>;
  /** Namespace of the Domains (Kubefed's federation namespace). */
  kubefedNamespace?: string;
  /** The process's shared informers. Default: a set of its own. */
  informers?: InformerFactory;
  /** Workers per controller. Default 8 (the work is API round trips, not CPU). */
  workers?: number | undefined;
  /** Longest wait for Ready members' caches before the workers start. Default 10 s. */
  memberSyncTimeoutMs?: number;
  informer?: MemberInformerOptions | undefined;
  /** Also report on external-dns's DNSEndpoints (externaldns.k8s.io) in name conflicts. Default true. */
  externalDNS?: boolean;
  /** Where external-dns's DNSEndpoints are read beyond the default scope (src/dns/ownership.ts). */
  endpointScope?: Omit<EndpointScope, 'kubefedNamespace'> | undefined;
  /** Warning Events on the objects of a name conflict. */
  events?: EventRecorder | undefined;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
  now?: (() => Date) | undefined;
}

export class MultiClusterDNS implements Runnable {
  readonly name = 'multicluster-dns';
  readonly needLeaderElection = true;
  readonly services: RecordController<ServiceDNSRecord>;
  readonly ingresses: RecordController<IngressDNSRecord>;
  readonly endpoints: DNSEndpointController;
  readonly domainStatus: DomainController;
  readonly ownership: NameOwnershipController;
  readonly watches: MemberWatches;
  readonly hostInformers: {
    serviceRecords: Informer<ServiceDNSRecord>;
    ingressRecords: Informer<IngressDNSRecord>;
    domains: Informer<DomainObject>;
    dnsEndpoints: Informer<DNSEndpoint>;
  };
  readonly managed: ManagedController;
  private readonly o: MultiClusterDNSOptions;
  private readonly log: Logger;
  private readonly informers: InformerScope;

  constructor(o: MultiClusterDNSOptions) {
    this.o = o;
    this.log = (o.logger ?? silentLogger()).child({ component: 'multicluster-dns' });
    const ns = o.kubefedNamespace ?? DEFAULT_KUBEFED_NAMESPACE;
    this.informers = (o.informers ?? new InformerFactory({ logger: o.logger, registry: o.registry })).scope();
    const hostInformer = <T extends KubeObject>(resource: ResourceRef, namespace?: string): Informer<T> =>
      this.informers.informer<T>(o.host, resource, namespace ? { namespace } : {}, o.informer ?? {});
    this.hostInformers = {
      serviceRecords: hostInformer<ServiceDNSRecord>(SERVICE_DNS_RECORDS),
      ingressRecords: hostInformer<IngressDNSRecord>(INGRESS_DNS_RECORDS),
      domains: hostInformer<DomainObject>(DOMAINS, ns),
      dnsEndpoints: hostInformer<DNSEndpoint>(DNS_ENDPOINTS),
    };
    const domains = new DomainIndex(this.hostInformers.domains, ns);
    const common = {
      workers: o.workers,
      logger: o.logger,
      registry: o.registry,
    };
    this.watches = new MemberWatches({
      members: o.members,
      informers: this.informers,
      resources: ['services', 'endpointslices', 'ingresses'],
      onObject: (_cluster, resource, obj) => {
        this.services.onMemberObject(resource, obj);
        this.ingresses.onMemberObject(resource, obj);
      },
      onMember: () => {
        this.services.enqueueAll();
        this.ingresses.enqueueAll();
      },
      informer: o.informer,
      logger: o.logger,
      registry: o.registry,
    });
    const recordOpts = { host: o.host, members: o.members, watches: this.watches, domains, ...common, now: o.now };
    this.services = createServiceDNSRecordController({
      ...recordOpts,
      records: this.hostInformers.serviceRecords,
      onStatusWritten: (key) => this.endpoints.controller.enqueue(endpointKey('service', key)),
    });
    this.ingresses = createIngressDNSRecordController({
      ...recordOpts,
      records: this.hostInformers.ingressRecords,
      onStatusWritten: (key) => this.endpoints.controller.enqueue(endpointKey('ingress', key)),
    });
    this.endpoints = new DNSEndpointController({
      host: o.host,
      serviceRecords: this.hostInformers.serviceRecords,
      ingressRecords: this.hostInformers.ingressRecords,
      endpoints: this.hostInformers.dnsEndpoints,
      domains,
      recordView: (kind, key) => (kind === 'service' ? this.services.latest(key) : this.ingresses.latest(key)),
      ...common,
    });
    this.domainStatus = new DomainController({
      host: o.host,
      domains: this.hostInformers.domains,
      logger: o.logger,
      registry: o.registry,
      now: o.now,
    });
    const onDomain = (d: KubeObject): void => {
      this.services.onDomain(d);
      this.endpoints.onDomain(d);
    };
    // external-dns's CRD may be missing: an optional watch that does not hold the workers back.
    const externalEndpoints = o.externalDNS ?? true ? hostInformer<DNSEndpoint>(EXTERNALDNS_ENDPOINTS) : undefined;
    this.ownership = new NameOwnershipController({
      host: o.host,
      endpoints: this.hostInformers.dnsEndpoints,
      externalEndpoints,
      serviceRecords: this.hostInformers.serviceRecords,
      ingressRecords: this.hostInformers.ingressRecords,
      scope: { ...o.endpointScope, kubefedNamespace: ns },
      events: o.events,
      logger: o.logger,
      registry: o.registry,
      now: o.now,
    });
    this.hostInformers.domains.addHandlers({ onAdd: onDomain, onUpdate: (_a, b) => onDomain(b), onDelete: onDomain });
    const side = (name: string, c: { controller: { start(signal: AbortSignal): Promise<void> }; enqueueAll(): void }): { name: string; run: (signal: AbortSignal) => Promise<void>; prime: () => void } => ({
      name, run: (signal) => c.controller.start(signal), prime: () => c.enqueueAll(),
    });
    const builder = new ControllerBuilder(this.name, {
      memberSyncTimeoutMs: o.memberSyncTimeoutMs ?? 10_000,
      logger: o.logger,
      registry: o.registry,
    });
    for (const inf of Object.values(this.hostInformers) as Informer<any>[]) builder.watch(inf);
    if (externalEndpoints) builder.watch(externalEndpoints, undefined, { optional: true });
    if (o.membersSynced) builder.waitFor('member registry', o.membersSynced);
    this.managed = builder
      .watchMembers({ start: () => this.watches.startWatching(), stop: () => this.watches.stopWatching(), waitForReadyMembers: (ms, signal) => this.watches.waitForReadyMembers(ms, signal) })
      .run(side('service-dns-records', this.services))
      .run(side('ingress-dns-records', this.ingresses))
      .run(side('dns-endpoints', this.endpoints))
      .run(side('domains', this.domainStatus))
      .run(side('dns-name-ownership', this.ownership))
      .onStop(() => this.informers.close())
      .build();
  }

  liveness(): true | string {
    return this.managed.liveness();
  }

  start(signal: AbortSignal): Promise<void> {
    return this.managed.start(signal);
  }
}

/** Factory for the composition root (src/app/controllers.ts). */
export function createMultiClusterDNS(options: MultiClusterDNSOptions): MultiClusterDNS {
  return new MultiClusterDNS(options);
}
