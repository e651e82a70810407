// Composition of the multi-cluster DNS controllers as one leader-only runnable: host
// informers (records, Domains, kfed DNSEndpoints), member watches, the ServiceDNSRecord
// and IngressDNSRecord status controllers, the DNSEndpoint controller and the Domain
// status controller.
//
// Start order matters for correctness, not only speed: workers start after the host
// caches synced and after every Ready member's caches synced (bounded wait), so a new
// leader never renders from empty member caches and briefly publishes "no targets".
import type { KubeObject } from '../api/meta.js';
import type { DNSEndpoint, DomainObject, IngressDNSRecord, ServiceDNSRecord } from '../api/multiclusterdns.js';
import type { MemberRegistry } from '../clusters/member-registry.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { Informer } from '../kube/informer.js';
import { clusterInformer } from '../kube/informer.js';
import type { ResourceRef } from '../kube/resource.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import type { Registry } from '../observability/metrics.js';
import { withOwnSignal } from '../runtime/clock.js';
import type { Runnable } from '../runtime/runnable.js';
import { DNSEndpointController } from './dns-endpoint-controller.js';
import { DomainController } from './domain-controller.js';
import { DomainIndex } from './domain-index.js';
import { createIngressDNSRecordController } from './ingress-dns-controller.js';
import { MemberWatches, type MemberInformerOptions } from './member-watches.js';
import type { RecordController } from './record-controller.js';
import { endpointKey } from './record-keys.js';
import { DEFAULT_KUBEFED_NAMESPACE, DNS_ENDPOINTS, DOMAINS, INGRESS_DNS_RECORDS, SERVICE_DNS_RECORDS } from './resources.js';
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
  /** Workers per controller. Default 8 (the work is API round trips, not CPU). */
  workers?: number;
  /** Longest wait for Ready members' caches before the workers start. Default 10 s. */
  memberSyncTimeoutMs?: number;
  informer?: MemberInformerOptions;
  logger?: Logger;
  registry?: Registry;
  now?: () => Date;
}

export class MultiClusterDNS implements Runnable {
  readonly name = 'multicluster-dns';
  readonly needLeaderElection = true;
  readonly services: RecordController<ServiceDNSRecord>;
  readonly ingresses: RecordController<IngressDNSRecord>;
  readonly endpoints: DNSEndpointController;
  readonly domainStatus: DomainController;
  readonly watches: MemberWatches;
  readonly hostInformers: {
    serviceRecords: Informer<ServiceDNSRecord>;
    ingressRecords: Informer<IngressDNSRecord>;
    domains: Informer<DomainObject>;
    dnsEndpoints: Informer<DNSEndpoint>;
  };
  private readonly o: MultiClusterDNSOptions;
  private readonly log: Logger;

  constructor(o: MultiClusterDNSOptions) {
    this.o = o;
    this.log = (o.logger ?? silentLogger()).child({ component: 'multicluster-dns' });
    const ns = o.kubefedNamespace ?? DEFAULT_KUBEFED_NAMESPACE;
    const hostInformer = <T extends KubeObject>(resource: ResourceRef, namespace?: string): Informer<T> =>
      clusterInformer<T>(o.host, resource, { ...o.informer, namespace, logger: o.logger, registry: o.registry });
    this.hostInformers = {
      serviceRecords: hostInformer<ServiceDNSRecord>(SERVICE_DNS_RECORDS),
      ingressRecords: hostInformer<IngressDNSRecord>(INGRESS_DNS_RECORDS),
      domains: hostInformer<DomainObject>(DOMAINS, ns),
      dnsEndpoints: hostInformer<DNSEndpoint>(DNS_ENDPOINTS),
    };
    const domains = new DomainIndex(this.hostInformers.domains, ns);
    const common = {
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.registry ? { registry: o.registry } : {}),
    };
    this.watches = new MemberWatches({
      members: o.members,
      resources: ['services', 'endpointslices', 'ingresses'],
      onObject: (_cluster, resource, obj) => {
        this.services.onMemberObject(resource, obj);
        this.ingresses.onMemberObject(resource, obj);
      },
      onMember: () => {
        this.services.enqueueAll();
        this.ingresses.enqueueAll();
      },
      ...(o.informer ? { informer: o.informer } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.registry ? { registry: o.registry } : {}),
    });
    const recordOpts = { host: o.host, members: o.members, watches: this.watches, domains, ...common, ...(o.now ? { now: o.now } : {}) };
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
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.registry ? { registry: o.registry } : {}),
      ...(o.now ? { now: o.now } : {}),
    });
    const onDomain = (d: KubeObject): void => {
      this.services.onDomain(d);
      this.endpoints.onDomain(d);
    };
    this.hostInformers.domains.addHandlers({ onAdd: onDomain, onUpdate: (_a, b) => onDomain(b), onDelete: onDomain });
  }

  start(parent: AbortSignal): Promise<void> {
    // Our own signal: every informer, worker and sync wait listens on it, more than
    // the default warning threshold, and the caller's signal is not ours to tune.
    return withOwnSignal(parent, (signal) => this.run(signal));
  }

  private async run(signal: AbortSignal): Promise<void> {
    const runs: Promise<unknown>[] = [];
    const informers: Pick<Informer, 'start' | 'waitForSync'>[] = Object.values(this.hostInformers);
    for (const inf of informers) runs.push(inf.start(signal));
    runs.push(this.watches.start(signal));
    try {
      await Promise.all(informers.map((i) => i.waitForSync(signal)));
      await this.o.membersSynced?.(signal);
      await this.watches.waitForReadyMembers(this.o.memberSyncTimeoutMs ?? 10_000, signal);
    } catch (err) {
      if (signal.aborted) {
        await Promise.allSettled(runs);
        return;
      }
      throw new Error('multicluster-dns: host caches did not sync', { cause: err });
    }
    this.log.info({ members: this.o.members.list().length }, 'caches synced; starting DNS controllers');
    this.services.enqueueAll();
    this.ingresses.enqueueAll();
    this.endpoints.enqueueAll();
    this.domainStatus.enqueueAll();
    runs.push(
      this.services.controller.start(signal),
      this.ingresses.controller.start(signal),
      this.endpoints.controller.start(signal),
      this.domainStatus.controller.start(signal),
    );
    await Promise.all(runs);
  }
}

/** Factory for the composition root (src/app/controllers.ts). */
export function createMultiClusterDNS(options: MultiClusterDNSOptions): MultiClusterDNS {
  return new MultiClusterDNS(options);
}
