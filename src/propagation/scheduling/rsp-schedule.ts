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
  applySchedule, clusterReplicaState, mergePlan, planReplicas, schedulingClusters, type MemberWorkload, type ReplicaCounts, type ScheduleUpdate,
} from './schedule-replicas.js';

/** Why an RSP is (not) applied; the Ready condition's reason. */
export type RSPReason = 'Scheduled' | 'ReplicasNotPlaced' | 'InsufficientCapacity' | 'InvalidSpec' | 'TargetNotFound' | 'NoReadyClusters' | 'InvalidClusterSelector';

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
  /** how long a pod must stay Unschedulable before it counts against capacity; default Kubefed's minute */
  unschedulableAfterMs?: number;
}

export interface RSPPlacement {
  ok: true;
  /** the replicas written per cluster (what runs plus overflow) */
  schedule: ReplicaCounts;
  /** replicas per cluster that can run: the schedule within each cluster's estimated capacity */
  running: ReplicaCounts;
  /** replicas written beyond a cluster's capacity, which stay Pending there (Kubefed's overflow) */
  overflow: ReplicaCounts;
  update: ScheduleUpdate;
  /** spec.totalReplicas that no cluster can run */
  unplaced: number;
  /** whether capacity (pods stuck Unschedulable) is why some are unplaced, rather than the preferences */
  capacityBound: boolean;
  /** pods stuck Unschedulable per cluster */
  unschedulable: ReplicaCounts;
  total: number;
  /** when the capacity estimate may change by itself (a pending pod crosses the threshold), epoch ms */
  recheckAt?: number;
}

export type RSPOutcome = RSPPlacement | { ok: false; reason: Exclude<RSPReason, 'Scheduled'>; message: string };

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
  const state = clusterReplicaState(input.workloads.filter((w) => allowed.has(w.cluster)), input.now, input.unschedulableAfterMs);
  const spec = defaultReplicaSchedulingPreference(input.rsp).spec;
  const planned = planReplicas(spec, chosen.clusters, state.current, state.capacity, input.key);
  const schedule = mergePlan(planned, state.current);
  const running: ReplicaCounts = {};
  const overflow: ReplicaCounts = {};
  for (const [cluster, n] of Object.entries(schedule)) {
    const cap = state.capacity[cluster];
    running[cluster] = cap === undefined ? n : Math.min(n, cap);
    if (n > running[cluster]) overflow[cluster] = n - running[cluster];
  }
  const runnable = Object.values(running).reduce((a, b) => a + b, 0);
  const capacityBound = Object.entries(state.capacity).some(([c, cap]) => (planned.plan[c] ?? 0) >= cap) || Object.keys(planned.overflow).length > 0;
  return {
    ok: true, schedule, running, overflow, update: applySchedule(input.fed, schedule),
    unplaced: Math.max(0, spec.totalReplicas - runnable), capacityBound, unschedulable: state.unschedulable, total: spec.totalReplicas,
    ...(state.recheckAt !== undefined ? { recheckAt: state.recheckAt } : {}),
  };
}

export interface RSPStatus {
  observedGeneration: number;
  /** replicas per cluster that run (or will, once started): never more than totalReplicas in all */
  schedule?: ReplicaCounts;
  /** replicas written beyond a cluster's capacity, Pending there (absent when none) */
  overflow?: ReplicaCounts;
  conditions: Condition[];
}

/** The status the RSP should have; lastTransitionTime kept while the condition holds. */
export function rspStatus(prev: Record<string, unknown> | undefined, outcome: RSPOutcome, generation: number, now: Date): RSPStatus {
  // A schedule that leaves replicas without a cluster (maxReplicas, zero weights, no entry
  // for the Ready clusters) is still applied, but the RSP is not Ready: it does not do what it says.
  const short = outcome.ok && outcome.unplaced > 0;
  const status: ConditionStatus = outcome.ok && !short ? 'True' : 'False';
  const reason: RSPReason = !outcome.ok ? outcome.reason : !short ? 'Scheduled' : outcome.capacityBound ? 'InsufficientCapacity' : 'ReplicasNotPlaced';
  const message = !outcome.ok ? outcome.message : placementMessage(outcome);
  const old = (prev?.['conditions'] as Condition[] | undefined)?.filter((c) => c.type === 'Ready');
  const out: RSPStatus = { observedGeneration: generation, conditions: setCondition(old, { type: 'Ready', status, reason, message }, now) };
  if (outcome.ok) {
    out.schedule = sortedCounts(outcome.running);
    if (Object.keys(outcome.overflow).length > 0) out.overflow = sortedCounts(outcome.overflow);
  } else {
    // Nothing was written: the last schedule still describes the target.
    if (prev?.['schedule'] !== undefined) out.schedule = sortedCounts(prev['schedule'] as ReplicaCounts);
    if (prev?.['overflow'] !== undefined) out.overflow = sortedCounts(prev['overflow'] as ReplicaCounts);
  }
  return out;
}

function placementMessage(o: RSPPlacement): string {
  const parts: string[] = [];
  if (o.unplaced > 0) {
    parts.push(o.capacityBound
      ? `${o.unplaced} of ${o.total} replicas cannot run: no Ready cluster has room (pods Unschedulable: ${countsText(o.unschedulable)})`
      : `${o.unplaced} of ${o.total} replicas cannot be placed (maxReplicas, weights or cluster entries of the Ready clusters leave no room)`);
  }
  parts.push(scheduleMessage(o.running));
  if (Object.keys(o.overflow).length > 0) parts.push(`pending beyond capacity ${countsText(o.overflow)}`);
  return parts.join('; ');
}

/** Whether `prev` already says what `next` says (lastTransitionTime aside, it is carried over). */
export function rspStatusEqual(prev: Record<string, unknown> | undefined, next: RSPStatus): boolean {
  return prev !== undefined && JSON.stringify(normalise(prev)) === JSON.stringify(normalise(next as unknown as Record<string, unknown>));
}

/** Every field of the status, in a fixed order: a field `next` lacks (a stale key) makes them differ. */
function normalise(s: Record<string, unknown>): unknown {
  const conditions = ((s['conditions'] as Condition[] | undefined) ?? []).map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '', c.lastTransitionTime ?? '']);
  const known = new Set(['observedGeneration', 'schedule', 'overflow', 'conditions']);
  const extra = Object.keys(s).filter((k) => !known.has(k)).sort();
  const counts = (k: string): unknown => (s[k] === undefined ? null : sortedCounts(s[k] as ReplicaCounts));
  return [s['observedGeneration'] ?? null, counts('schedule'), counts('overflow'), conditions, extra];
}

function sortedCounts(counts: Readonly<ReplicaCounts>): ReplicaCounts {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function countsText(counts: Readonly<ReplicaCounts>): string {
  return Object.entries(sortedCounts(counts)).map(([c, n]) => `${c}=${n}`).join(', ');
}

function scheduleMessage(schedule: Readonly<ReplicaCounts>): string {
  const text = countsText(schedule);
  return text ? `replicas ${text}` : 'no cluster scheduled';
}
