// The reconcile loop shared by the ServiceDNSRecord and IngressDNSRecord controllers:
// read the record from the host cache, look at every joined member through the member
// caches, compute `status.dns[]` and the `Valid` condition with the pure core, and write
// status only when it changed. Kind specifics (which member objects matter, which
// validation, whether a Domain is involved) come from a small `RecordKindSpec`.
//
// Level-triggered: every handler only enqueues `ns/name`; a cluster becoming NotReady
// enqueues every record, so the DNS names drop it within one reconcile round.
import type { KubeObject } from '../../api/meta.js';
import type { ClusterDNS, DNSRecordStatus, DomainObject } from '../../api/multiclusterdns.js';
import type { MemberCluster, MemberRegistry } from '../../clusters/member-registry.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { Informer } from '../../kube/informer.js';
import type { ResourceRef } from '../../kube/resource.js';
import type { Logger } from '../../observability/logger.js';
import type { Registry } from '../../observability/metrics.js';
import { Controller } from '../../runtime/controller.js';
import { TerminalError } from '../../runtime/errors.js';
import type { DomainIndex } from './domain-index.js';
import { recordKeysForDomain } from './domain-index.js';
import type { MemberResource, MemberWatches } from './member-watches.js';
import { mergeCondition, writeStatusIfChanged } from './record-status.js';
import { Expectations } from '../../runtime/expectations.js';
import { hasErrors, validCondition, type ValidationContext, type ValidationProblem } from './validate.js';

/** A record as the controllers read it: spec plus the status they own. */
export type DNSRecordObject = KubeObject & { spec: object; status?: DNSRecordStatus };

/** What one member cluster looks like to a record, as seen by the controller right now. */
export interface MemberView {
  member: MemberCluster;
  /** Ready, and its caches synced: only then are its objects trusted. */
  observed: boolean;
  watches: MemberWatches;
}

export interface RecordKindSpec<T extends DNSRecordObject> {
  /** Bounded controller name (metric label). */
  name: string;
  kind: string;
  resource: ResourceRef;
  /** Member resources whose events concern this kind, with the record key they map to. */
  memberKeys: Partial<Record<MemberResource, (obj: KubeObject) => string | undefined>>;
  /** Domain the record refers to, or undefined when this kind has none. */
  domainRefOf?(record: T): string | undefined;
  validate(record: T, domain: DomainObject | undefined, ctx: ValidationContext): ValidationProblem[];
  computeDNS(key: string, record: T, members: readonly MemberView[]): ClusterDNS[];
}

export interface RecordControllerOptions<T extends DNSRecordObject> {
  host: ClusterClient;
  members: MemberRegistry;
  watches: MemberWatches;
  records: Informer<T>;
  domains?: DomainIndex;
  workers?: number | undefined;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
  now?: (() => Date) | undefined;
  /** Called after a status write, with the record key (the DNSEndpoint controller's fast path). */
  onStatusWritten?: (key: string) => void;
}

export class RecordController<T extends DNSRecordObject> {
  readonly controller: Controller<string>;
  private readonly overlay = new Expectations<T>();
  private readonly now: () => Date;

  constructor(
    private readonly spec: RecordKindSpec<T>,
    private readonly o: RecordControllerOptions<T>,
  ) {
    this.now = o.now ?? (() => new Date());
    this.controller = new Controller<string>({
      name: spec.name,
      reconcile: (key, signal) => this.reconcile(key, signal),
      workers: o.workers ?? 8,
      logger: o.logger,
      registry: o.registry,
    });
    const enqueue = (obj: T): void => {
      if (!obj.metadata.namespace || !obj.metadata.name) return;
      const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
      // The cache now holds this version (or newer): our overlay entry is obsolete.
      this.overlay.forget(key);
      this.controller.enqueue(key);
    };
    o.records.addHandlers({ onAdd: enqueue, onUpdate: (_old, obj) => enqueue(obj), onDelete: enqueue });
  }

  /**
   * The freshest state of a record: our own status write while the informer has not
   * delivered it yet, else the cached object. Lets the DNSEndpoint controller render
   * right after a status write instead of one watch round trip later.
   */
  latest(key: string): T | undefined {
    return this.overlay.current(key, this.o.records.get(key));
  }

  /** Every record: a member joined, left, changed readiness or location. */
  enqueueAll(): void {
    for (const key of this.o.records.keys()) this.controller.enqueue(key);
  }

  /** A member object changed: enqueue the record it belongs to, if there is one. */
  onMemberObject(resource: MemberResource, obj: KubeObject): void {
    const key = this.spec.memberKeys[resource]?.(obj);
    if (key !== undefined && this.o.records.get(key)) this.controller.enqueue(key);
  }

  /** A Domain changed: enqueue the records that refer to it. */
  onDomain(domain: KubeObject): void {
    if (!this.spec.domainRefOf || !this.o.domains?.concerns(domain) || !domain.metadata.name) return;
    for (const key of recordKeysForDomain(this.o.records.list(), domain.metadata.name)) this.controller.enqueue(key);
  }

  async reconcile(key: string, signal: AbortSignal): Promise<void> {
    const cached = this.o.records.get(key);
    if (!cached || cached.metadata.deletionTimestamp) {
      this.overlay.forget(key);
      return;
    }
    const record = this.overlay.current(key, cached);
    const members = this.o.members.list();
    const domainRef = this.spec.domainRefOf?.(record);
    const domain = domainRef === undefined ? undefined : this.o.domains?.get(domainRef);
    const problems = this.spec.validate(record, domain, { knownClusters: members.map((m) => m.name) });
    const generation = record.metadata.generation;
    const views: MemberView[] = members.map((member) => ({ member, observed: member.ready && this.o.watches.synced(member.name), watches: this.o.watches }));
    const dns = this.spec.computeDNS(key, record, views);
    const condition = validCondition(problems, generation);
    const status: DNSRecordStatus = {
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      ...(domain ? { domain: domain.domain } : {}),
      dns,
      conditions: mergeCondition(record.status?.conditions, condition, this.now),
    };
    if (await writeStatusIfChanged(this.o.host.dynamic, this.spec.resource, key, record, status, this.overlay, signal)) this.o.onStatusWritten?.(key);
    if (hasErrors(problems)) {
      // Reported in the Valid condition; retried when the record or its Domain changes.
      throw new TerminalError(`${this.spec.kind} ${key}: ${condition.message ?? 'invalid'}`, { reason: condition.reason });
    }
  }
}
