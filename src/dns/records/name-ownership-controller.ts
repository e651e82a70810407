// Reports who owns which DNS name (src/dns/ownership.ts) on the objects involved: the
// `NameConflict`, `RecordsRejected` and `TTLAdjusted` conditions on kfed's DNSEndpoints
// and on the ServiceDNSRecord/IngressDNSRecord they were rendered from, and a Warning
// Event on every object involved, external-dns's DNSEndpoints included (their status is
// external-dns's to write). Leader only; the serving feed and the publishing pipeline
// apply the same decision on their own, so this controller only tells.
//
// Any DNSEndpoint change enqueues one `resolve` key (the queue folds bursts into one
// pass): it recomputes the decision over every DNSEndpoint and enqueues the objects whose
// conditions differ from what they carry; each of those is then written with its
// resourceVersion (a concurrent write fails with 409 and is retried from fresh state).
import { conditionsEqual, setCondition } from '../../api/conditions.js';
import type { Condition, KubeObject } from '../../api/meta.js';
import type { DNSEndpoint, IngressDNSRecord, ServiceDNSRecord } from '../../api/multiclusterdns.js';
import type { EventRecorder } from '../../clusters/events.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { Informer } from '../../kube/informer.js';
import type { ResourceRef } from '../../kube/resource.js';
import type { Logger } from '../../observability/logger.js';
import type { Registry } from '../../observability/metrics.js';
import { Controller } from '../../runtime/controller.js';
import { resolveOwnership, sourceId, type EndpointScope } from '../ownership.js';
import { DNS_ENDPOINTS, INGRESS_DNS_RECORDS, SERVICE_DNS_RECORDS } from '../../api/multiclusterdns.js';
import { endpointStatusKey, OWNERSHIP_CONDITIONS, ownershipConditions, type OwnershipCondition } from './ownership-status.js';

export interface NameOwnershipOptions {
  host: ClusterClient;
  /** kfed's DNSEndpoints. */
  endpoints: Informer<DNSEndpoint>;
  /** external-dns's DNSEndpoints, when kfed reads them. */
  externalEndpoints?: Informer<DNSEndpoint> | undefined;
  serviceRecords: Informer<ServiceDNSRecord>;
  ingressRecords: Informer<IngressDNSRecord>;
  scope: EndpointScope;
  events?: EventRecorder | undefined;
  now?: (() => Date) | undefined;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
}

const RESOLVE = 'resolve';
const OWNED = new Set<string>(OWNERSHIP_CONDITIONS);

export class NameOwnershipController {
  readonly controller: Controller<string>;
  private readonly o: NameOwnershipOptions;
  private desired = new Map<string, OwnershipCondition[]>();
  /** What each object was last told in an Event, so a condition is announced once per change. */
  private readonly announced = new Map<string, string>();

  constructor(o: NameOwnershipOptions) {
    this.o = o;
    this.controller = new Controller<string>({
      name: 'dns-name-ownership',
      workers: 2,
      reconcile: async (key, signal) => {
        if (key === RESOLVE) this.resolve();
        else await this.writeStatus(key, signal);
      },
      logger: o.logger,
      registry: o.registry,
    });
    const changed = (): void => this.controller.enqueue(RESOLVE);
    for (const inf of [o.endpoints, o.externalEndpoints]) inf?.addHandlers({ onAdd: changed, onUpdate: changed, onDelete: changed });
    // A record's status write (by the record controller) may drop nothing of ours, but a
    // recreated record starts without our conditions.
    const onRecord = (kind: string) => (obj: KubeObject): void => {
      const key = `${kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
      if (this.desired.has(key) || hasOwnershipCondition(obj)) this.controller.enqueue(key);
    };
    const svc = onRecord('servicednsrecord');
    const ing = onRecord('ingressdnsrecord');
    o.serviceRecords.addHandlers({ onAdd: svc, onUpdate: (_a, b) => svc(b), onDelete: () => undefined });
    o.ingressRecords.addHandlers({ onAdd: ing, onUpdate: (_a, b) => ing(b), onDelete: () => undefined });
  }

  enqueueAll(): void {
    this.controller.enqueue(RESOLVE);
  }

  /** The conditions an object should carry now (tests, diagnostics). */
  conditionsFor(key: string): readonly OwnershipCondition[] {
    return this.desired.get(key) ?? [];
  }

  private objects(): DNSEndpoint[] {
    const ext = this.o.externalEndpoints;
    return [...this.o.endpoints.list(), ...(ext && ext.hasSynced() ? ext.list() : [])];
  }

  private resolve(): void {
    const objects = this.objects();
    this.desired = ownershipConditions(resolveOwnership(objects, this.o.scope));
    // Every object whose ownership conditions differ from the desired ones; external-dns's
    // only get Events, so they are visited when what they were told changed.
    const visit = (key: string, obj: KubeObject | undefined): void => {
      const want = this.desired.get(key) ?? [];
      if (obj && !sameConditions(ownConditions(obj), want)) this.controller.enqueue(key);
    };
    for (const obj of objects) {
      const key = endpointStatusKey(sourceId(obj));
      if (sourceId(obj).group === DNS_ENDPOINTS.group) visit(key, obj);
      else if ((this.announced.get(key) ?? '') !== summary(this.desired.get(key))) this.controller.enqueue(key);
    }
    for (const r of this.o.serviceRecords.list()) visit(`servicednsrecord/${r.metadata.namespace ?? ''}/${r.metadata.name ?? ''}`, r);
    for (const r of this.o.ingressRecords.list()) visit(`ingressdnsrecord/${r.metadata.namespace ?? ''}/${r.metadata.name ?? ''}`, r);
  }

  private async writeStatus(key: string, signal: AbortSignal): Promise<void> {
    const target = this.target(key);
    if (!target) {
      this.announced.delete(key);
      return;
    }
    const want = this.desired.get(key) ?? [];
    this.announce(key, target.obj, want);
    if (!target.ref) return;
    const prev = (target.obj as { status?: { conditions?: Condition[] } }).status?.conditions ?? [];
    if (sameConditions(ownConditions(target.obj), want)) return;
    const now = (this.o.now ?? (() => new Date()))();
    let next: Condition[] = prev.filter((c) => !OWNED.has(c.type) || want.some((w) => w.type === c.type));
    for (const c of want) next = setCondition(next, { ...c, ...(target.obj.metadata.generation !== undefined ? { observedGeneration: target.obj.metadata.generation } : {}) }, now);
    const body = structuredClone(target.obj) as KubeObject & { status?: { conditions?: Condition[] } };
    body.status = { ...(body.status ?? {}), conditions: next };
    await this.o.host.dynamic.updateStatus(target.ref, body, { signal });
  }

  private target(key: string): { obj: KubeObject; ref: ResourceRef | undefined } | undefined {
    const parts = key.split('/');
    if (parts[0] === 'dnsendpoint') {
      const [, group = '', namespace = '', name = ''] = parts;
      const own = group === DNS_ENDPOINTS.group;
      const obj = (own ? this.o.endpoints : this.o.externalEndpoints)?.getByName(namespace, name);
      return obj ? { obj, ref: own ? DNS_ENDPOINTS : undefined } : undefined;
    }
    const [kind, namespace = '', name = ''] = parts;
    const obj = kind === 'servicednsrecord' ? this.o.serviceRecords.getByName(namespace, name) : kind === 'ingressdnsrecord' ? this.o.ingressRecords.getByName(namespace, name) : undefined;
    return obj ? { obj, ref: kind === 'servicednsrecord' ? SERVICE_DNS_RECORDS : INGRESS_DNS_RECORDS } : undefined;
  }

  /** A Warning Event when an object's ownership problems appear or change. */
  private announce(key: string, obj: KubeObject, want: readonly OwnershipCondition[]): void {
    const text = summary(want);
    if ((this.announced.get(key) ?? '') === text) return;
    if (text) this.announced.set(key, text);
    else this.announced.delete(key);
    for (const c of want) this.o.events?.record(obj, 'Warning', c.reason, c.message ?? '');
  }
}

function ownConditions(obj: KubeObject): Condition[] {
  return ((obj as { status?: { conditions?: Condition[] } }).status?.conditions ?? []).filter((c) => OWNED.has(c.type));
}

/** Equal as this controller writes them: type, status, reason, message. */
function sameConditions(a: readonly Condition[], b: readonly Condition[]): boolean {
  const strip = (c: Condition): Condition => ({ type: c.type, status: c.status, ...(c.reason !== undefined ? { reason: c.reason } : {}), ...(c.message !== undefined ? { message: c.message } : {}) });
  return conditionsEqual(a.map(strip), b.map(strip), { ignoreTime: true });
}

function hasOwnershipCondition(obj: KubeObject): boolean {
  return ownConditions(obj).length > 0;
}

function summary(conds: readonly OwnershipCondition[] | undefined): string {
  return (conds ?? []).map((c) => `${c.type}/${c.reason}/${c.message ?? ''}`).join('\n');
}
