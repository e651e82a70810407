// DNSEndpoint controller: renders each ServiceDNSRecord / IngressDNSRecord (spec, Domain
// and the `status.dns[]` the record controllers keep) into its DNSEndpoint, named as
// Kubefed named it (`service-<name>` / `ingress-<name>`, same namespace) and owned by
// the record, so the garbage collector removes it with the record (this controller also
// deletes it itself, for hosts without a garbage collector).
//
// It writes only when the rendered spec or the owner changed: a second reconcile with
// nothing new makes no request at all. An invalid record (Valid=False), a missing Domain,
// or a record whose status was never computed leaves the existing DNSEndpoint as it is:
// never a half-written one.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { DNSEndpoint, IngressDNSRecord, ServiceDNSRecord } from '../../api/multiclusterdns.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { Informer } from '../../kube/informer.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { Registry } from '../../observability/metrics.js';
import { Controller } from '../../runtime/controller.js';
import { recordKeysForDomain, type DomainIndex } from './domain-index.js';
import { dnsEndpointName, type DNSRecordKind } from '../naming.js';
import { endpointKey, endpointKeyOfDNSEndpoint, parseEndpointKey, type EndpointKey } from './record-keys.js';
import { Expectations } from '../../runtime/expectations.js';
import { buildDNSEndpoint, renderIngressEndpoints, renderServiceEndpoints, type RenderResult } from './render-endpoints.js';
import { DNS_ENDPOINTS } from '../../api/multiclusterdns.js';
import { hasErrors, validateIngressDNSRecord, validateServiceDNSRecord } from './validate.js';

export interface DNSEndpointControllerOptions {
  host: ClusterClient;
  serviceRecords: Informer<ServiceDNSRecord>;
  ingressRecords: Informer<IngressDNSRecord>;
  /** kfed's DNSEndpoints (multiclusterdns.kubefed.io) on the host. */
  endpoints: Informer<DNSEndpoint>;
  domains: DomainIndex;
  /**
   * Freshest record state by kind and `ns/name` (the record controllers' view including
   * their own just-written status); default: the informer caches.
   */
  recordView?: (kind: DNSRecordKind, key: string) => ServiceDNSRecord | IngressDNSRecord | undefined;
  workers?: number | undefined;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
}

/** What the reconcile did; returned for tests and logs. */
export type EndpointAction = 'created' | 'updated' | 'deleted' | 'unchanged' | 'waiting' | 'conflict';

const OWNER_KIND: Readonly<Record<DNSRecordKind, string>> = { service: 'ServiceDNSRecord', ingress: 'IngressDNSRecord' };

function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller);
}

export class DNSEndpointController {
  readonly controller: Controller<EndpointKey>;
  private readonly overlay = new Expectations<DNSEndpoint>();
  private readonly log: Logger;
  /** Last skipped-name report per key, so it is logged when it changes, not every pass. */
  private readonly skippedSeen = new Map<string, string>();

  constructor(private readonly o: DNSEndpointControllerOptions) {
    this.log = (o.logger ?? silentLogger()).child({ component: 'dnsendpoint-controller' });
    this.controller = new Controller<EndpointKey>({
      name: 'dnsendpoint',
      reconcile: async (key, signal) => {
        await this.reconcile(key, signal);
      },
      workers: o.workers ?? 8,
      logger: o.logger,
      registry: o.registry,
    });
    const onRecord = (kind: DNSRecordKind) => (obj: KubeObject): void => {
      if (obj.metadata.namespace && obj.metadata.name) this.controller.enqueue(endpointKey(kind, `${obj.metadata.namespace}/${obj.metadata.name}`));
    };
    const svc = onRecord('service');
    const ing = onRecord('ingress');
    o.serviceRecords.addHandlers({ onAdd: svc, onUpdate: (_a, b) => svc(b), onDelete: svc });
    o.ingressRecords.addHandlers({ onAdd: ing, onUpdate: (_a, b) => ing(b), onDelete: ing });
    const onEndpoint = (obj: DNSEndpoint): void => {
      this.overlay.forget(`${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`);
      const key = endpointKeyOfDNSEndpoint(obj);
      if (key) this.controller.enqueue(key);
    };
    o.endpoints.addHandlers({ onAdd: onEndpoint, onUpdate: (_a, b) => onEndpoint(b), onDelete: onEndpoint });
  }

  enqueueAll(): void {
    for (const k of this.o.serviceRecords.keys()) this.controller.enqueue(endpointKey('service', k));
    for (const k of this.o.ingressRecords.keys()) this.controller.enqueue(endpointKey('ingress', k));
  }

  /** A Domain changed: its records' names may change. */
  onDomain(domain: KubeObject): void {
    if (!this.o.domains.concerns(domain) || !domain.metadata.name) return;
    for (const k of recordKeysForDomain(this.o.serviceRecords.list(), domain.metadata.name)) this.controller.enqueue(endpointKey('service', k));
  }

  async reconcile(key: EndpointKey, signal: AbortSignal): Promise<EndpointAction> {
    const parsed = parseEndpointKey(key);
    if (!parsed) return 'unchanged';
    const { kind, namespace, name, recordKey } = parsed;
    const epName = dnsEndpointName(kind, name);
    const epKey = `${namespace}/${epName}`;
    const existing = this.overlay.current(epKey, this.o.endpoints.get(epKey));
    const record = this.o.recordView ? this.o.recordView(kind, recordKey) : (kind === 'service' ? this.o.serviceRecords : this.o.ingressRecords).get(recordKey);

    if (!record || record.metadata.deletionTimestamp) {
      const ref = existing ? controllerRef(existing) : undefined;
      if (!existing || !ref || ref.kind !== OWNER_KIND[kind] || ref.name !== name) return 'unchanged';
      await this.o.host.dynamic.delete(DNS_ENDPOINTS, epName, { namespace, ignoreNotFound: true, preconditions: { uid: existing.metadata.uid ?? '' }, signal });
      this.overlay.forget(epKey);
      this.skippedSeen.delete(key);
      this.log.info({ dnsEndpoint: epKey }, 'deleted DNSEndpoint of a removed record');
      return 'deleted';
    }

    const rendered = this.render(kind, record);
    if (!rendered) return 'waiting';
    this.reportSkipped(key, rendered);
    const desired = buildDNSEndpoint(kind, record, rendered.endpoints);

    if (!existing) {
      const created = await this.o.host.dynamic.create<DNSEndpoint>(DNS_ENDPOINTS, desired, { signal });
      this.overlay.wrote(epKey, created);
      this.log.info({ dnsEndpoint: epKey, endpoints: rendered.endpoints.length }, 'created DNSEndpoint');
      return 'created';
    }
    const ref = controllerRef(existing);
    // Someone else's object of the same name (another kind, or a user's): do not fight over it.
    if (ref && (ref.kind !== OWNER_KIND[kind] || ref.name !== name)) {
      this.log.warn({ dnsEndpoint: epKey, owner: `${ref.kind}/${ref.name}` }, 'DNSEndpoint is controlled by another object; leaving it alone');
      return 'conflict';
    }
    const wantRefs = desired.metadata.ownerReferences ?? [];
    if (isDeepStrictEqual(existing.spec, desired.spec) && isDeepStrictEqual(existing.metadata.ownerReferences ?? [], wantRefs)) return 'unchanged';
    // Adopt an orphan or one left by an earlier record of the same name: replace the owner.
    const body: DNSEndpoint = {
      ...structuredClone(existing),
      spec: desired.spec,
    };
    body.metadata.ownerReferences = [...(existing.metadata.ownerReferences ?? []).filter((r) => !r.controller), ...wantRefs];
    const updated = await this.o.host.dynamic.update<DNSEndpoint>(DNS_ENDPOINTS, body, { signal });
    this.overlay.wrote(epKey, updated);
    this.log.info({ dnsEndpoint: epKey, endpoints: rendered.endpoints.length }, 'updated DNSEndpoint');
    return 'updated';
  }

  /** Endpoints of a record, or undefined when it must not be rendered now. */
  private render(kind: DNSRecordKind, record: ServiceDNSRecord | IngressDNSRecord): RenderResult | undefined {
    // The record controller has not looked at the members yet: rendering now would
    // publish a record without targets only to fill them in a moment later.
    if (record.status?.dns === undefined) return undefined;
    if (kind === 'ingress') {
      const r = record as IngressDNSRecord;
      return hasErrors(validateIngressDNSRecord(r)) ? undefined : renderIngressEndpoints(r);
    }
    const r = record as ServiceDNSRecord;
    const domain = this.o.domains.get(r.spec?.domainRef);
    if (!domain || hasErrors(validateServiceDNSRecord(r, domain))) return undefined;
    return renderServiceEndpoints(r, domain);
  }

  private reportSkipped(key: string, rendered: RenderResult): void {
    const text = rendered.skipped.map((s) => `${s.dnsName} (${s.reason})`).join(', ');
    if ((this.skippedSeen.get(key) ?? '') === text) return;
    if (text) this.skippedSeen.set(key, text);
    else this.skippedSeen.delete(key);
    if (text) this.log.warn({ key, skipped: rendered.skipped }, 'names left out of the DNSEndpoint');
  }
}
