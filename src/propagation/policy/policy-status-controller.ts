// Writes every policy's status (leader only): the federated objects it matched (count and
// a bounded sorted list), selector kinds that name no enabled type, conflicts with another
// policy of its family at equal priority (both named), and the override failures the sync
// controllers reported in federated objects' status naming this policy. A Ready condition
// sums it up; a Warning Event on the policy marks a new conflict, failure or unknown kind.
//
// Incremental: the informers' events are noted (which policy, which object changed) and one
// key drains them at most every `minIntervalMs`: the changes are applied to a PolicyIndex
// (policy-index.ts), which names the policies whose status they may change, and only those
// are evaluated and, when different, written. An object change re-evaluates the policies
// that select it or selected it; a policy change that policy and the policies of its family
// sharing an object with it; a change of the enabled types every policy. Federated objects
// are read from shared informers, one per enabled type.
import { FEDERATED_TYPE_CONFIGS, type FederatedTypeConfig } from '../../api/core.js';
import {
  CLUSTER_OVERRIDE_POLICIES, CLUSTER_PROPAGATION_POLICIES, OVERRIDE_POLICIES, PROPAGATION_POLICIES,
  type FederatedObject, type PolicyStatus,
} from '../../api/federation.js';
import type { KubeObject } from '../../api/meta.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { EventRecorder } from '../../clusters/events.js';
import type { Informer } from '../../kube/informer.js';
import type { InformerScope } from '../../kube/informer-factory.js';
import { objectKey, type ResourceRef } from '../../kube/resource.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { Registry } from '../../observability/metrics.js';
import type { ReconcileResult } from '../../runtime/controller.js';
import { ControllerBuilder, type ManagedController, type SourceEvent } from '../../runtime/controller-builder.js';
import type { Runnable } from '../../runtime/runnable.js';
import { federatedRef } from '../resources.js';
import { PolicyIndex } from './policy-index.js';
import { policyKey, type EvaluatedPolicy } from './policy-match.js';
import { policyStatus, statusEqual, type PolicyConflictSource } from './policy-status.js';

export { policyStatus } from './policy-status.js';

const KEY = 'policies';
const POLICY_REFS = [PROPAGATION_POLICIES, CLUSTER_PROPAGATION_POLICIES, OVERRIDE_POLICIES, CLUSTER_OVERRIDE_POLICIES];

type Policy = EvaluatedPolicy & { status?: PolicyStatus };

export interface PolicyStatusControllerOptions {
  host: ClusterClient;
  informers: InformerScope;
  kubefedNamespace: string;
  /** KubeFedConfig scope Namespaced: only this namespace's objects and policies */
  namespace?: string | undefined;
  events?: EventRecorder | undefined;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
  /** at most one batch of changes per interval (default 2000 ms) */
  minIntervalMs?: number;
  now?: () => number;
  /** more conflicts to report (plain resources a policy selects but kfed will not federate) */
  conflicts?: PolicyConflictSource | undefined;
}

interface TypeWatch {
  informer: Informer<FederatedObject>;
  targetKind: string;
  off: () => void;
  /** when it was acquired: a new type's objects are waited for, a while (its CRD may be missing) */
  since: number;
}

/** How long a pass waits for a newly watched type's informer to list its objects. */
const TYPE_SYNC_WAIT_MS = 5000;

interface PolicyWhere {
  informer: Informer<Policy>;
  ref: ResourceRef;
  /** the informer's key, `ns/name` or `name` */
  key: string;
}

export class PolicyStatusController implements Runnable {
  readonly name = 'policy-status-controller';
  readonly needLeaderElection = true;
  private readonly managed: ManagedController;
  private readonly log: Logger;
  private readonly policies: { ref: ResourceRef; informer: Informer<Policy> }[];
  private readonly ftcs: Informer<FederatedTypeConfig>;
  private readonly types = new Map<string, TypeWatch>();
  private readonly index = new PolicyIndex();
  /** policy key -> where it is; every policy noted, applied or not */
  private readonly where = new Map<string, PolicyWhere>();
  /** noted, not yet applied to the index: policy keys; objects as `type|ns/name` */
  private readonly changedPolicies = new Set<string>();
  private readonly changedObjects = new Map<string, { type: string; key: string }>();
  /** policies whose status may be stale */
  private readonly dirty = new Set<string>();
  /** the status last written per policy: a status-only update that differs is corrected */
  private readonly written = new Map<string, string>();
  private typesChanged = true;
  private lastRun = -Infinity;

  constructor(private readonly o: PolicyStatusControllerOptions) {
    this.log = (o.logger ?? silentLogger()).child({ component: this.name });
    const selector = o.namespace ? { namespace: o.namespace } : {};
    this.ftcs = o.informers.informer<FederatedTypeConfig>(o.host, FEDERATED_TYPE_CONFIGS, { namespace: o.kubefedNamespace });
    this.policies = POLICY_REFS.map((ref) => ({ ref, informer: o.informers.informer(o.host, ref, ref.namespaced ? selector : {}) }));
    let builder = new ControllerBuilder<string>(this.name, { workers: 1, ...(o.logger ? { logger: o.logger } : {}), ...(o.registry ? { registry: o.registry } : {}) })
      .watch(this.ftcs, () => {
        this.typesChanged = true;
        return KEY;
      });
    for (const p of this.policies) builder = builder.watch(p.informer, (e) => this.notePolicy(p, e));
    this.managed = builder
      .enqueueAllFrom(() => [KEY])
      .onStop(() => {
        for (const t of this.types.values()) t.off();
        return o.informers.close();
      })
      .reconcile((_key, signal) => this.reconcile(signal));
  }

  liveness(): true | string {
    return this.managed.liveness();
  }

  async start(signal: AbortSignal): Promise<void> {
    const off = this.o.conflicts?.onChange((keys) => {
      for (const k of keys) this.dirty.add(k);
      this.managed.controller?.enqueue(KEY);
    });
    try {
      await this.managed.start(signal);
    } finally {
      off?.();
    }
  }

  /** A new or deleted policy, or a spec change, is applied to the index; a foreign status edit is corrected. */
  private notePolicy(p: { ref: ResourceRef; informer: Informer<Policy> }, e: SourceEvent<Policy>): string | undefined {
    const key = policyKey(e.obj);
    this.where.set(key, { informer: p.informer, ref: p.ref, key: objectKey(e.obj) });
    if (e.type !== 'update' || e.old.metadata.generation !== e.obj.metadata.generation) this.changedPolicies.add(key);
    else if (JSON.stringify(e.obj.status ?? null) !== this.written.get(key)) this.dirty.add(key);
    else return undefined;
    return KEY;
  }

  /** Acquire an informer per enabled federated type, release those of removed types. */
  private syncTypes(now: number): void {
    const wanted = new Map<string, FederatedTypeConfig>();
    for (const ftc of this.ftcs.list()) if (ftc.spec.propagation === 'Enabled') wanted.set(ftc.metadata.name ?? '', ftc);
    for (const [name, w] of this.types) {
      if (wanted.get(name)?.spec.targetType.kind === w.targetKind) continue;
      this.types.delete(name);
      w.off();
      for (const k of this.index.deleteGroup(name)) this.dirty.add(k);
      void this.o.informers.release(w.informer);
    }
    for (const [name, ftc] of wanted) {
      if (this.types.has(name)) continue;
      const informer = this.o.informers.informer<FederatedObject>(this.o.host, federatedRef(ftc), this.o.namespace ? { namespace: this.o.namespace } : {});
      const note = (obj: FederatedObject): void => {
        const key = objectKey(obj);
        this.changedObjects.set(`${name}|${key}`, { type: name, key });
        this.managed.controller?.enqueue(KEY);
      };
      const off = informer.addHandlers({ onAdd: note, onUpdate: (_old, obj) => note(obj), onDelete: note });
      this.types.set(name, { informer, targetKind: ftc.spec.targetType.kind, off, since: now });
    }
    for (const k of this.index.setKnownKinds(new Set([...this.types.values()].map((t) => t.targetKind)))) this.dirty.add(k);
  }

  /** Applies the noted changes to the index; the policies they may affect become dirty. */
  private applyChanges(now: number): void {
    if (this.typesChanged) {
      this.typesChanged = false;
      this.syncTypes(now);
    }
    for (const key of this.changedPolicies) {
      const w = this.where.get(key);
      const policy = w?.informer.get(w.key);
      if (!policy) {
        this.where.delete(key);
        this.written.delete(key);
      }
      for (const k of policy ? this.index.upsertPolicy(policy) : this.index.deletePolicy(key)) this.dirty.add(k);
    }
    this.changedPolicies.clear();
    for (const [id, { type, key }] of this.changedObjects) {
      const t = this.types.get(type);
      const fed = t?.informer.get(key);
      const dirty = t && fed ? this.index.upsertObject(id, type, fed, t.targetKind) : this.index.deleteObject(id);
      for (const k of dirty) this.dirty.add(k);
    }
    this.changedObjects.clear();
  }

  private async reconcile(signal: AbortSignal): Promise<ReconcileResult | void> {
    const now = this.o.now?.() ?? Date.now();
    const wait = this.lastRun + (this.o.minIntervalMs ?? 2000) - now;
    if (wait > 0) return { requeueAfterMs: wait };
    this.applyChanges(now);
    // A status from half-listed objects would be written and then corrected: wait for new types (bounded).
    if ([...this.types.values()].some((t) => !t.informer.hasSynced() && now - t.since < TYPE_SYNC_WAIT_MS)) return { requeueAfterMs: 250 };
    this.lastRun = now;
    const extra = this.o.conflicts?.conflicts();
    let failed = false;
    for (const key of [...this.dirty]) {
      if (signal.aborted) return;
      this.dirty.delete(key);
      const w = this.where.get(key);
      const policy = w?.informer.get(w.key);
      if (!w || !policy) continue;
      this.index.setExtraConflicts(key, extra?.get(key) ?? []);
      const evaluation = this.index.evaluate(key);
      if (!evaluation) continue;
      const status = policyStatus(policy, evaluation, this.index.overrideFailures(key), now);
      if (statusEqual(policy.status, status)) {
        this.written.set(key, JSON.stringify(policy.status ?? null));
        continue;
      }
      this.announce(policy, status);
      try {
        const written = await this.o.host.dynamic.patch<Policy>(w.ref, policy.metadata.name ?? '', { status }, { ...(policy.metadata.namespace ? { namespace: policy.metadata.namespace } : {}), type: 'merge', subresource: 'status', signal });
        this.written.set(key, JSON.stringify(written.status ?? null));
      } catch (err) {
        failed = true;
        this.dirty.add(key);
        this.log.warn({ policy: key, err: err instanceof Error ? err.message : String(err) }, 'policy status write failed');
      }
    }
    return failed ? { requeueAfterMs: 1000 } : undefined;
  }

  /** A Warning Event when a problem appears or changes (not on every evaluation). */
  private announce(policy: KubeObject & { status?: PolicyStatus }, next: PolicyStatus): void {
    const prev = policy.status;
    const changed = (a: string[] | undefined, b: string[] | undefined): boolean => (b?.length ?? 0) > 0 && JSON.stringify(a ?? []) !== JSON.stringify(b);
    if (changed(prev?.conflicts, next.conflicts)) this.o.events?.record(policy, 'Warning', 'PolicyConflict', next.conflicts![0]!);
    if (changed(prev?.overrideFailures, next.overrideFailures)) this.o.events?.record(policy, 'Warning', 'OverrideFailed', next.overrideFailures![0]!);
    if (changed(prev?.unknownKinds, next.unknownKinds)) this.o.events?.record(policy, 'Warning', 'UnknownKind', next.conditions?.find((c) => c.type === 'Ready')?.message ?? '');
  }
}
