// scheduling.kubefed.io/v1alpha1 ReplicaSchedulingPreference (Kubefed shape).
import type { FieldError } from './core.js';
import type { KubeObject, ObjectMeta, ResourceRef } from './meta.js';

export const SCHEDULING_GROUP = 'scheduling.kubefed.io';
export const SCHEDULING_VERSION = 'v1alpha1';
export const SCHEDULING_API_VERSION = `${SCHEDULING_GROUP}/${SCHEDULING_VERSION}`;
export const REPLICA_SCHEDULING_PREFERENCES: ResourceRef = { group: SCHEDULING_GROUP, version: SCHEDULING_VERSION, resource: 'replicaschedulingpreferences', namespaced: true, kind: 'ReplicaSchedulingPreference' };

/** The federated kinds Kubefed's replica scheduler drives. */
export type RSPTargetKind = 'FederatedDeployment' | 'FederatedReplicaSet';
export const RSP_TARGET_KINDS: readonly RSPTargetKind[] = ['FederatedDeployment', 'FederatedReplicaSet'];

/** Key in `clusters` that applies to every cluster without an entry of its own. */
export const ALL_CLUSTERS = '*';

export interface ClusterPreferences {
  /** 0 by default */
  minReplicas?: number;
  /** unbounded when absent */
  maxReplicas?: number;
  /** preference for one more replica here; 0 by default */
  weight?: number;
}

export interface ReplicaSchedulingPreferenceSpec {
  targetKind: RSPTargetKind;
  totalReplicas: number;
  /** move running replicas to match the preferences (false: leave them where they run) */
  rebalance?: boolean;
  /** place on the intersection of the schedule and the target's clusterSelector instead of overwriting placement */
  intersectWithClusterSelector?: boolean;
  clusters?: Record<string, ClusterPreferences>;
}

export interface ReplicaSchedulingPreference extends KubeObject {
  metadata: ObjectMeta;
  spec: ReplicaSchedulingPreferenceSpec;
  status?: Record<string, unknown>;
}

/** An RSP without cluster preferences spreads evenly over every cluster (Kubefed's `*: {weight: 1}`). */
export function defaultReplicaSchedulingPreference(rsp: ReplicaSchedulingPreference): ReplicaSchedulingPreference {
  const out = structuredClone(rsp);
  if (!out.spec.clusters || Object.keys(out.spec.clusters).length === 0) {
    out.spec.clusters = { [ALL_CLUSTERS]: { weight: 1 } };
  }
  return out;
}

function nonNegativeInt(field: string, value: number | undefined): FieldError[] {
  if (value === undefined) return [];
  return Number.isInteger(value) && value >= 0 ? [] : [{ field, message: `Invalid value: ${value}: must be a non-negative integer` }];
}

export function validateReplicaSchedulingPreference(rsp: ReplicaSchedulingPreference): FieldError[] {
  const spec = rsp.spec;
  const errs: FieldError[] = [];
  if (!spec.targetKind) errs.push({ field: 'spec.targetKind', message: 'Required value' });
  else if (!RSP_TARGET_KINDS.includes(spec.targetKind)) {
    errs.push({ field: 'spec.targetKind', message: `Unsupported value: ${JSON.stringify(spec.targetKind)}: supported values: "FederatedDeployment", "FederatedReplicaSet"` });
  }
  if (spec.totalReplicas === undefined) errs.push({ field: 'spec.totalReplicas', message: 'Required value' });
  else errs.push(...nonNegativeInt('spec.totalReplicas', spec.totalReplicas));
  for (const [cluster, pref] of Object.entries(spec.clusters ?? {})) {
    const path = `spec.clusters[${cluster}]`;
    errs.push(...nonNegativeInt(`${path}.minReplicas`, pref.minReplicas));
    errs.push(...nonNegativeInt(`${path}.maxReplicas`, pref.maxReplicas));
    errs.push(...nonNegativeInt(`${path}.weight`, pref.weight));
    if (pref.maxReplicas !== undefined && (pref.minReplicas ?? 0) > pref.maxReplicas) {
      errs.push({ field: `${path}.minReplicas`, message: `Invalid value: ${pref.minReplicas}: must not exceed maxReplicas (${pref.maxReplicas})` });
    }
  }
  return errs;
}
