// Karmada-style propagation of plain resources (leader only, off unless
// --policy-propagate-plain-resources): for every host object of an enabled type's target
// kind that a PropagationPolicy (same namespace) or ClusterPropagationPolicy selects by
// that kind, kfed keeps a Federated<Kind> of the same name generated from it
// (plain-federated.ts); the sync controller then propagates it where the policy places it.
// The template follows the plain object; the generated object is deleted when the plain
// object is deleted, becomes ineligible or no policy selects it any more. A Federated<Kind>
// someone else wrote is never taken over: the selecting policies get a conflict line in
// their status (through PlainConflicts) and a Warning Event.
//
// One key per (type, generated object's key). Plain informers exist only for the target
// kinds some propagation policy names, so nothing is cached for kinds no policy selects.
import { FEDERATED_TYPE_CONFIGS, type FederatedTypeConfig } from '../../api/core.js';
import { CLUSTER_PROPAGATION_POLICIES, ORPHAN_ANNOTATION, PROPAGATION_POLICIES, type FederatedObject, type PropagationPolicy } from '../../api/federation.js';
import type { KubeObject } from '../../api/meta.js';
import type { EventRecorder } from '../../clusters/events.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import { isAlreadyExists, isConflict } from '../../kube/errors.js';
import type { Informer } from '../../kube/informer.js';
import type { InformerScope } from '../../kube/informer-factory.js';
import { objectKey } from '../../kube/resource.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { Registry } from '../../observability/metrics.js';
import type { ReconcileResult } from '../../runtime/controller.js';
import { ControllerBuilder, type ManagedController, type SourceEvent } from '../../runtime/controller-builder.js';
import type { Runnable } from '../../runtime/runnable.js';
import { policyKey } from '../policy/policy-match.js';
import { federatedRef, targetRef } from '../resources.js';
import { federatedKey, generatedDiffers, generatedFederated, GENERATED_FROM_LABEL, ineligible, isGenerated, isMemberCopy, plainKey, plainName, plainSelectors } from './plain-federated.js';
import type { PlainConflicts } from './plain-conflicts.js';

/** The key that re-reads the types and the policies' kinds, then enqueues every object. */
const TYPES = '';

export interface PlainResourceControllerOptions {
  host: ClusterClient;
  informers: InformerScope;
  kubefedNamespace: string;
  /** KubeFedConfig scope Namespaced: only this namespace's objects and policies */
  namespace?: string | undefined;
  conflicts: PlainConflicts;
  events?: EventRecorder | undefined;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
}

interface PlainType {
  ftc: FederatedTypeConfig;
  fed: Informer<FederatedObject>;
  plain?: { informer: Informer<KubeObject>; off: () => void } | undefined;
  offFed: () => void;
}

export class PlainResourceController implements Runnable {
  readonly name = 'plain-resource-controller';
  readonly needLeaderElection = true;
  private readonly managed: ManagedController;
  private readonly log: Logger;
  private readonly ftcs: Informer<FederatedTypeConfig>;
  private readonly policies: Informer<PropagationPolicy>[];
  private readonly types = new Map<string, PlainType>();

  constructor(private readonly o: PlainResourceControllerOptions) {
    this.log = (o.logger ?? silentLogger()).child({ component: this.name });
    this.ftcs = o.informers.informer<FederatedTypeConfig>(o.host, FEDERATED_TYPE_CONFIGS, { namespace: o.kubefedNamespace });
    this.policies = [PROPAGATION_POLICIES, CLUSTER_PROPAGATION_POLICIES].map((ref) => o.informers.informer<PropagationPolicy>(o.host, ref, ref.namespaced && o.namespace ? { namespace: o.namespace } : {}));
    const specChanged = (e: SourceEvent<PropagationPolicy>): string | undefined => (e.type !== 'update' || e.old.metadata.generation !== e.obj.metadata.generation ? TYPES : undefined);
    let builder = new ControllerBuilder<string>(this.name, { workers: 4, ...(o.logger ? { logger: o.logger } : {}), ...(o.registry ? { registry: o.registry } : {}) })
      .watch(this.ftcs, () => TYPES);
    for (const p of this.policies) builder = builder.watch(p, specChanged);
    this.managed = builder
      .enqueueAllFrom(() => [TYPES])
      .onStop(() => {
        for (const t of this.types.values()) {
          t.offFed();
          t.plain?.off();
        }
        return o.informers.close();
      })
      .reconcile((key, signal) => (key === TYPES ? this.syncTypes() : this.reconcile(key, signal)));
  }

  liveness(): true | string {
    return this.managed.liveness();
  }

  start(signal: AbortSignal): Promise<void> {
    return this.managed.start(signal);
  }

  private propagationPolicies(): PropagationPolicy[] {
    return this.policies.flatMap((i) => i.list());
  }

  /** Federated informers for every enabled type, plain ones for the kinds a policy names; then every object is looked at. */
  private async syncTypes(): Promise<void> {
    const named = new Set(this.propagationPolicies().flatMap((p) => (p.spec.resourceSelectors ?? []).map((s) => s.kind)));
    const wanted = new Map<string, FederatedTypeConfig>();
    for (const ftc of this.ftcs.list()) if (ftc.spec.propagation === 'Enabled') wanted.set(ftc.metadata.name ?? '', ftc);
    for (const [name, t] of this.types) {
      const w = wanted.get(name);
      if (w && JSON.stringify(w.spec) === JSON.stringify(t.ftc.spec)) continue;
      this.types.delete(name);
      t.offFed();
      t.plain?.off();
      void this.o.informers.release(t.fed);
      if (t.plain) void this.o.informers.release(t.plain.informer);
    }
    for (const [name, ftc] of wanted) {
      let t = this.types.get(name);
      if (!t) {
        const fed = this.o.informers.informer<FederatedObject>(this.o.host, federatedRef(ftc), this.o.namespace ? { namespace: this.o.namespace } : {});
        const entry: PlainType = { ftc, fed, offFed: () => undefined };
        // Generated objects, and any object of a name a plain object of this type has (a conflict appears or ends).
        const note = (obj: FederatedObject, was = false): void => {
          const key = objectKey(obj);
          if (was || isGenerated(obj) || entry.plain?.informer.get(plainKey(ftc, key))) this.managed.controller?.enqueue(`${name}|${key}`);
        };
        entry.offFed = fed.addHandlers({ onAdd: (obj) => note(obj), onUpdate: (old, obj) => note(obj, isGenerated(old)), onDelete: (obj) => note(obj) });
        this.types.set(name, (t = entry));
      }
      const kind = ftc.spec.targetType.kind;
      if (named.has(kind) && !t.plain) {
        const ref = targetRef(ftc);
        const informer = this.o.informers.informer<KubeObject>(this.o.host, ref, ref.namespaced && this.o.namespace ? { namespace: this.o.namespace } : {});
        const note = (obj: KubeObject): void => this.managed.controller?.enqueue(`${name}|${federatedKey(ftc, obj)}`);
        t.plain = { informer, off: informer.addHandlers({ onAdd: note, onUpdate: (_old, obj) => note(obj), onDelete: note }) };
      } else if (!named.has(kind) && t.plain) {
        // No policy names the kind any more: what was generated from it goes (enqueued below).
        t.plain.off();
        void this.o.informers.release(t.plain.informer);
        t.plain = undefined;
      }
    }
    for (const [name, t] of this.types) {
      for (const key of t.plain?.informer.keys() ?? []) {
        const obj = t.plain!.informer.get(key);
        if (obj) this.managed.controller?.enqueue(`${name}|${federatedKey(t.ftc, obj)}`);
      }
      for (const fed of t.fed.list()) if (isGenerated(fed)) this.managed.controller?.enqueue(`${name}|${objectKey(fed)}`);
    }
  }

  private async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const bar = key.indexOf('|');
    const t = this.types.get(key.slice(0, bar));
    const fedKey = key.slice(bar + 1);
    if (!t) return;
    // Deciding from a partial cache would create duplicates or delete what is still selected.
    if (!t.fed.hasSynced() || (t.plain && !t.plain.informer.hasSynced())) return { requeueAfterMs: 500 };
    const plain = t.plain?.informer.get(plainKey(t.ftc, fedKey));
    const fed = t.fed.get(fedKey);
    // A host that is also a member holds kfed's own copy of a user's Federated<Kind>: not a source, not a conflict.
    if (plain && fed && !isGenerated(fed) && isMemberCopy(plain)) {
      this.o.conflicts.set(key, new Map());
      return;
    }
    const selecting = plain && ineligible(plain, this.o.kubefedNamespace) === undefined ? plainSelectors(this.propagationPolicies(), t.ftc, plain) : [];
    if (!plain || selecting.length === 0) {
      this.o.conflicts.set(key, new Map());
      if (fed && isGenerated(fed) && !fed.metadata.deletionTimestamp) await this.remove(t, fed, plain, signal);
      return;
    }
    if (fed && !isGenerated(fed)) {
      const line = `${plainName(t.ftc, plain)}: ${fed.kind} ${fedKey} exists and was not generated from it (no ${GENERATED_FROM_LABEL} label); kfed does not take it over`;
      if (this.o.conflicts.set(key, new Map(selecting.map((p) => [policyKey(p), line])))) {
        for (const p of selecting) this.o.events?.record(p, 'Warning', 'PlainResourceConflict', line);
      }
      return;
    }
    this.o.conflicts.set(key, new Map());
    const desired = generatedFederated(t.ftc, plain);
    const ref = federatedRef(t.ftc);
    try {
      if (!fed) {
        await this.o.host.dynamic.create(ref, desired, { signal });
        this.log.info({ object: plainName(t.ftc, plain), policy: policyKey(selecting[0]!) }, 'federated a plain object a policy selects');
      } else if (fed.metadata.deletionTimestamp) {
        return { requeueAfterMs: 1000 }; // generated again once the old one is gone
      } else if (generatedDiffers(fed, desired)) {
        const metadata = { ...fed.metadata, labels: desired.metadata.labels!, ownerReferences: desired.metadata.ownerReferences! };
        await this.o.host.dynamic.update(ref, { ...fed, metadata, spec: { ...fed.spec, template: desired.spec.template! } }, { signal });
      }
    } catch (err) {
      if (isAlreadyExists(err) || isConflict(err)) return { requeue: true }; // the cache is behind: look again
      throw err;
    }
  }

  /**
   * Deletes a generated object; the sync controller then removes its member objects. When
   * the plain object is still there and kfed adopted it as a member object (the host is a
   * member too), the member objects are orphaned instead, so the user's object survives.
   */
  private async remove(t: PlainType, fed: FederatedObject, plain: KubeObject | undefined, signal: AbortSignal): Promise<void> {
    const ref = federatedRef(t.ftc);
    const where = fed.metadata.namespace ? { namespace: fed.metadata.namespace } : {};
    const orphan = plain !== undefined && !plain.metadata.deletionTimestamp && isMemberCopy(plain);
    if (orphan && fed.metadata.annotations?.[ORPHAN_ANNOTATION] !== 'true') {
      await this.o.host.dynamic.patch(ref, fed.metadata.name ?? '', { metadata: { annotations: { [ORPHAN_ANNOTATION]: 'true' } } }, { ...where, type: 'merge', signal });
    }
    await this.o.host.dynamic.delete(ref, fed.metadata.name ?? '', { ...where, ...(fed.metadata.uid ? { preconditions: { uid: fed.metadata.uid } } : {}), ignoreNotFound: true, signal });
    this.log.info({ object: `${fed.kind} ${objectKey(fed)}`, orphan }, 'deleted a generated federated object: its plain object is gone or no policy selects it');
  }
}
