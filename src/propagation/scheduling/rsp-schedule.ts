// One ReplicaSchedulingPreference reconcile as a pure function (Kubefed's
// ReplicaScheduler.Reconcile + plugin.Reconcile): which clusters may be scheduled, the
// per-cluster replica counts, the FederatedDeployment update, and the RSP's status.
// The controller (rsp-controller.ts) only gathers the inputs and writes the outputs.
import { setCondition } from '../../api/conditions.js';
import type { Condition, ConditionStatus } from '../../api/meta.js';
import type { FederatedObject } from '../../api/federation.js';
import {
  defaultReplicaSchedulingPreference, validateReplicaSchedulingPreference, type ReplicaSchedulingPreference,
} from '../../api/scheduling.js';
import { PlacementError, selectedClusterNames, type ClusterInfo } from '../policy/placement.js';
import {
  applySchedule, clusterReplicaState, scheduleReplicas, schedulingClusters, type MemberWorkload, type ReplicaCounts, type ScheduleUpdate,
} from './schedule-replicas.js';

/** Why an RSP is (not) applied; the Ready condition's reason. */
export type RSPReason = 'Scheduled' | 'ReplicasNotPlaced' | 'InvalidSpec' | 'TargetNotFound' | 'NoReadyClusters' | 'InvalidClusterSelector';

export interface RSPInput {
  rsp: ReplicaSchedulingPreference;
  /** the target (FederatedDeployment or FederatedReplicaSet) of the same namespace/name; undefined when absent */
  fed: FederatedObject | undefined;
  /** every joined cluster (labels for intersectWithClusterSelector, readiness) */
  clusters: readonly ClusterInfo[];
  /** member workloads of the Ready clusters (object undefined where absent) */
  workloads: readonly MemberWorkload[];
  /** `ns/name`, the planner's tie-break salt (Kubefed's qualified name) */
  key: string;
  now: Date;
}

export type RSPOutcome =
  | { ok: true; schedule: ReplicaCounts; update: ScheduleUpdate; /** spec.totalReplicas the preferences left without a cluster */ unplaced: number; total: number }
  | { ok: false; reason: Exclude<RSPReason, 'Scheduled'>; message: string };

/** The Ready clusters the RSP may schedule onto, or why there are none. */
export function rspClusters(input: Pick<RSPInput, 'rsp' | 'fed' | 'clusters'>): { ok: true; clusters: string[] } | { ok: false; reason: 'NoReadyClusters' | 'InvalidClusterSelector'; message: string } {
  const ready = input.clusters.filter((c) => c.ready).map((c) => c.name);
  if (ready.length === 0) return { ok: false, reason: 'NoReadyClusters', message: 'no joined cluster is Ready' };
  const intersect = input.rsp.spec.intersectWithClusterSelector === true;
  let selected: Set<string> | undefined;
  if (intersect) {
    // Kubefed skips placement.clusters here: that list is the RSP's own previous output.
    try {
      selected = selectedClusterNames({ ...(input.fed?.spec.placement?.clusterSelector ? { clusterSelector: input.fed.spec.placement.clusterSelector } : {}) }, input.clusters);
    } catch (err) {
      if (err instanceof PlacementError) return { ok: false, reason: 'InvalidClusterSelector', message: err.message };
      throw err;
    }
  }
  const clusters = schedulingClusters(ready, selected, intersect);
  if (clusters.length === 0) return { ok: false, reason: 'NoReadyClusters', message: 'no Ready cluster matches the target\'s clusterSelector' };
  return { ok: true, clusters };
}

export function reconcileRSP(input: RSPInput): RSPOutcome {
  const errs = validateReplicaSchedulingPreference(input.rsp);
  if (errs.length > 0) return { ok: false, reason: 'InvalidSpec', message: errs.map((e) => `${e.field}: ${e.message}`).join('; ') };
  if (!input.fed) return { ok: false, reason: 'TargetNotFound', message: `${input.rsp.spec.targetKind} ${input.key} does not exist` };
  const chosen = rspClusters(input);
  if (!chosen.ok) return chosen;
  const allowed = new Set(chosen.clusters);
  const { current, capacity } = clusterReplicaState(input.workloads.filter((w) => allowed.has(w.cluster)), input.now);
  const spec = defaultReplicaSchedulingPreference(input.rsp).spec;
  const schedule = scheduleReplicas(spec, chosen.clusters, current, capacity, input.key);
  const placed = Object.values(schedule).reduce((a, b) => a + b, 0);
  return { ok: true, schedule, update: applySchedule(input.fed, schedule), unplaced: Math.max(0, spec.totalReplicas - placed), total: spec.totalReplicas };
}

export interface RSPStatus {
  observedGeneration: number;
  /** replicas per cluster last written to the target */
  schedule?: ReplicaCounts;
  conditions: Condition[];
}

/** The status the RSP should have; lastTransitionTime kept while the condition holds. */
export function rspStatus(prev: Record<string, unknown> | undefined, outcome: RSPOutcome, generation: number, now: Date): RSPStatus {
  // A schedule that leaves replicas without a cluster (maxReplicas, zero weights, no entry
  // for the Ready clusters) is still applied, but the RSP is not Ready: it does not do what it says.
  const short = outcome.ok && outcome.unplaced > 0;
  const status: ConditionStatus = outcome.ok && !short ? 'True' : 'False';
  const reason: RSPReason = !outcome.ok ? outcome.reason : short ? 'ReplicasNotPlaced' : 'Scheduled';
  const message = !outcome.ok
    ? outcome.message
    : short
      ? `${outcome.unplaced} of ${outcome.total} replicas cannot be placed (maxReplicas, weights or cluster entries of the Ready clusters leave no room); ${scheduleMessage(outcome.schedule)}`
      : scheduleMessage(outcome.schedule);
  const old = (prev?.['conditions'] as Condition[] | undefined)?.filter((c) => c.type === 'Ready');
  const out: RSPStatus = { observedGeneration: generation, conditions: setCondition(old, { type: 'Ready', status, reason, message }, now) };
  if (outcome.ok) out.schedule = sortedCounts(outcome.schedule);
  else if (prev?.['schedule'] !== undefined) out.schedule = prev['schedule'] as ReplicaCounts;
  return out;
}

/** Whether `prev` already says what `next` says (lastTransitionTime aside, it is carried over). */
export function rspStatusEqual(prev: Record<string, unknown> | undefined, next: RSPStatus): boolean {
  return prev !== undefined && JSON.stringify(normalise(prev)) === JSON.stringify(normalise(next as unknown as Record<string, unknown>));
}

function normalise(s: Record<string, unknown>): unknown {
  const conditions = ((s['conditions'] as Condition[] | undefined) ?? []).map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '', c.lastTransitionTime ?? '']);
  return [s['observedGeneration'] ?? null, sortedCounts((s['schedule'] as ReplicaCounts | undefined) ?? {}), conditions];
}

function sortedCounts(counts: Readonly<ReplicaCounts>): ReplicaCounts {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function scheduleMessage(schedule: Readonly<ReplicaCounts>): string {
  const parts = Object.entries(sortedCounts(schedule)).map(([c, n]) => `${c}=${n}`);
  return parts.length > 0 ? `replicas ${parts.join(', ')}` : 'no cluster scheduled';
}
