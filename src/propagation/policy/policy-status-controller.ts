// Writes every policy's status (leader only): the federated objects it matched (count and
// a bounded sorted list), selector kinds that name no enabled type, conflicts with another
// policy of its family at equal priority (both named), and the override failures the sync
// controllers reported in federated objects' status naming this policy. A Ready condition
// sums it up; a Warning Event on the policy marks a new conflict, failure or unknown kind.
//
// One key for everything: any change to a policy's spec, a FederatedTypeConfig or a
// federated object re-evaluates all policies at once (policy-evaluation.ts), at most every
// `minIntervalMs`. Federated objects are read from shared informers, one per enabled type.
import { conditionsEqual, setCondition } from '../../api/conditions.js';
import { FEDERATED_TYPE_CONFIGS, type FederatedTypeConfig } from '../../api/core.js';
import {
  CLUSTER_OVERRIDE_POLICIES, CLUSTER_PROPAGATION_POLICIES, OVERRIDE_POLICIES, PROPAGATION_POLICIES,
  type FederatedObject, type PolicyCondition, type PolicyStatus,
} from '../../api/federation.js';
import type { KubeObject } from '../../api/meta.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { EventRecorder } from '../../clusters/events.js';
import type { Informer } from '../../kube/informer.js';
import type { InformerScope } from '../../kube/informer-factory.js';
import type { ResourceRef } from '../../kube/resource.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { Registry } from '../../observability/metrics.js';
import type { ReconcileResult } from '../../runtime/controller.js';
import { ControllerBuilder, type ManagedController } from '../../runtime/controller-builder.js';
import type { Runnable } from '../../runtime/runnable.js';
import { federatedRef } from '../resources.js';
import { evaluatePolicies, policyKey, type EvaluatedPolicy, type PolicyEvaluation } from './policy-evaluation.js';

const KEY = 'policies';
const POLICY_REFS = [PROPAGATION_POLICIES, CLUSTER_PROPAGATION_POLICIES, OVERRIDE_POLICIES, CLUSTER_OVERRIDE_POLICIES];

export interface PolicyStatusControllerOptions {
  host: ClusterClient;
  informers: InformerScope;
  kubefedNamespace: string;
  /** KubeFedConfig scope Namespaced: only this namespace's objects and policies */
  namespace?: string | undefined;
  events?: EventRecorder | undefined;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
  /** at most one evaluation per interval (default 2000 ms) */
  minIntervalMs?: number;
  now?: () => number;
}

interface TypeWatch {
  informer: Informer<FederatedObject>;
  targetKind: string;
}

/** The status a policy should have (conditions merged with its current ones). */
export function policyStatus(p: EvaluatedPolicy & { status?: PolicyStatus }, e: PolicyEvaluation, overrideFailures: readonly string[], now: number): PolicyStatus {
  const generation = p.metadata.generation ?? 0;
  const [reason, message]: [PolicyCondition['reason'], string] =
    e.unknownKinds.length > 0 ? ['UnknownKind', `resource selector kind ${e.unknownKinds.map((k) => JSON.stringify(k)).join(', ')} names no enabled type (target or Federated<Kind>)`]
      : overrideFailures.length > 0 ? ['OverrideFailed', overrideFailures[0]!]
        : e.conflicts.length > 0 ? ['Conflict', e.conflicts[0]!]
          : e.matched === 0 ? ['NoMatch', 'the resource selectors match no federated object']
            : ['Applied', `selects ${e.matched} federated object(s)`];
  const condition: PolicyCondition = { type: 'Ready', status: reason === 'Applied' ? 'True' : 'False', reason, message, observedGeneration: generation };
  return {
    observedGeneration: generation,
    matched: e.matched,
    matchedObjects: e.matchedObjects,
    unknownKinds: e.unknownKinds,
    conflicts: e.conflicts,
    overrideFailures: [...overrideFailures],
    conditions: setCondition(p.status?.conditions, condition, now),
  };
}

function statusEqual(a: PolicyStatus | undefined, b: PolicyStatus): boolean {
  if (!a) return false;
  const strip = (s: PolicyStatus): string => JSON.stringify({ ...s, conditions: undefined });
  return strip(a) === strip(b) && conditionsEqual(a.conditions, b.conditions, { ignoreTime: true });
}

/** `Kind ns/name` -> failures, from objects whose cluster status reports ApplyOverridesFailed naming a policy. */
function overrideFailuresByPolicy(objects: Iterable<FederatedObject>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const fed of objects) {
    for (const c of fed.status?.clusters ?? []) {
      if (c.status !== 'ApplyOverridesFailed' || !c.message) continue;
      const m = /^((?:Cluster)?OverridePolicy \S+): (.*)$/.exec(c.message);
      if (!m) continue;
      const list = out.get(m[1]!) ?? [];
      if (list.length < 50) list.push(`${fed.kind} ${fed.metadata.namespace ? `${fed.metadata.namespace}/` : ''}${fed.metadata.name ?? ''} in ${c.name}: ${m[2]}`);
      out.set(m[1]!, list);
    }
  }
  return out;
}

export class PolicyStatusController implements Runnable {
  readonly name = 'policy-status-controller';
  readonly needLeaderElection = true;
  private readonly managed: ManagedController;
  private readonly log: Logger;
  private readonly policies: { ref: ResourceRef; informer: Informer<EvaluatedPolicy & { status?: PolicyStatus }> }[];
  private readonly ftcs: Informer<FederatedTypeConfig>;
  private readonly types = new Map<string, TypeWatch>();
  private lastRun = -Infinity;

  constructor(private readonly o: PolicyStatusControllerOptions) {
    this.log = (o.logger ?? silentLogger()).child({ component: this.name });
    const selector = o.namespace ? { namespace: o.namespace } : {};
    this.ftcs = o.informers.informer<FederatedTypeConfig>(o.host, FEDERATED_TYPE_CONFIGS, { namespace: o.kubefedNamespace });
    this.policies = POLICY_REFS.map((ref) => ({ ref, informer: o.informers.informer(o.host, ref, ref.namespaced ? selector : {}) }));
    let builder = new ControllerBuilder<string>(this.name, { workers: 1, ...(o.logger ? { logger: o.logger } : {}), ...(o.registry ? { registry: o.registry } : {}) }).watch(this.ftcs, () => KEY);
    // Only a spec change (or a new or deleted policy) matters: the status writes come back as updates.
    for (const p of this.policies) builder = builder.watch(p.informer, (e) => (e.type !== 'update' || e.old?.metadata.generation !== e.obj.metadata.generation ? KEY : undefined));
    this.managed = builder
      .enqueueAllFrom(() => [KEY])
      .onStop(() => o.informers.close())
      .reconcile((_key, signal) => this.reconcile(signal));
  }

  liveness(): true | string {
    return this.managed.liveness();
  }

  start(signal: AbortSignal): Promise<void> {
    return this.managed.start(signal);
  }

  /** Acquire an informer per enabled federated type, release those of removed types. */
  private syncTypes(): void {
    const wanted = new Map<string, FederatedTypeConfig>();
    for (const ftc of this.ftcs.list()) if (ftc.spec.propagation === 'Enabled') wanted.set(ftc.metadata.name ?? '', ftc);
    for (const [name, w] of this.types) {
      if (wanted.get(name)?.spec.targetType.kind === w.targetKind) continue;
      this.types.delete(name);
      void this.o.informers.release(w.informer);
    }
    for (const [name, ftc] of wanted) {
      if (this.types.has(name)) continue;
      const informer = this.o.informers.informer<FederatedObject>(this.o.host, federatedRef(ftc), this.o.namespace ? { namespace: this.o.namespace } : {});
      const enqueue = (): void => this.managed.controller?.enqueue(KEY);
      informer.addHandlers({ onAdd: enqueue, onUpdate: enqueue, onDelete: enqueue });
      this.types.set(name, { informer, targetKind: ftc.spec.targetType.kind });
    }
  }

  private async reconcile(signal: AbortSignal): Promise<ReconcileResult | void> {
    const now = this.o.now?.() ?? Date.now();
    const wait = this.lastRun + (this.o.minIntervalMs ?? 2000) - now;
    if (wait > 0) return { requeueAfterMs: wait };
    this.syncTypes();
    // A type whose CRD is missing never syncs: evaluate with what has synced, retry for the rest.
    const pending = [...this.types.values()].filter((t) => !t.informer.hasSynced());
    this.lastRun = now;
    const objects = [...this.types.values()].filter((t) => t.informer.hasSynced()).flatMap((t) => t.informer.list().map((fed) => ({ fed, targetKind: t.targetKind })));
    const known = new Set([...this.types.values()].map((t) => t.targetKind));
    const policies = this.policies.flatMap((p) => p.informer.list().map((policy) => ({ policy, ref: p.ref })));
    const results = evaluatePolicies(policies.map((p) => p.policy), objects, known);
    const failures = overrideFailuresByPolicy(objects.map((x) => x.fed));
    for (const { policy, ref } of policies) {
      if (signal.aborted) return;
      const key = policyKey(policy);
      const status = policyStatus(policy, results.get(key)!, failures.get(key) ?? [], now);
      if (statusEqual(policy.status, status)) continue;
      this.announce(policy, status);
      try {
        await this.o.host.dynamic.patch(ref, policy.metadata.name ?? '', { status }, { ...(policy.metadata.namespace ? { namespace: policy.metadata.namespace } : {}), type: 'merge', subresource: 'status', signal });
      } catch (err) {
        this.log.warn({ policy: key, err: err instanceof Error ? err.message : String(err) }, 'policy status write failed');
      }
    }
    return pending.length > 0 ? { requeueAfterMs: 1000 } : undefined;
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
