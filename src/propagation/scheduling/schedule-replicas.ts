// ReplicaSchedulingPreference planner (Kubefed's replica scheduler), pure.
//
// planReplicas distributes totalReplicas over the available clusters:
// 1. clusters with a preference (own entry, else `*`) are ordered by weight (descending),
//    ties by FNV-1 32 hash of cluster name + object key, so single replicas do not always
//    land on the alphabetically first cluster; clusters without one get 0;
// 2. each gets its minReplicas (bounded by what is left and its estimated capacity);
// 3. without rebalance, replicas already running beyond that are kept where they are
//    (bounded by maxReplicas and capacity) — "preallocated";
// 4. the rest is spread by weight, fractions rounded up, repeatedly, until nothing is left
//    or no cluster can take more (maxReplicas or capacity reached).
// Replicas a cluster should get but cannot (capacity) are returned as overflow; with
// rebalance=false overflow is trimmed to what could not be placed anywhere.
// scheduleReplicas = plan + overflow, with 0 for clusters that run the object but are no
// longer planned — Kubefed's final per-cluster replica counts.
import { ALL_CLUSTERS, type ClusterPreferences, type ReplicaSchedulingPreferenceSpec } from '../../api/scheduling.js';
import type { ClusterOverride, FederatedObject, OverrideItem, Placement } from '../../api/federation.js';

// Member replica state lives in replica-state.ts; re-exported so callers import one module.
export { analyzePods, clusterReplicaState, type ClusterReplicaState, type MemberWorkload, type PodAnalysis } from './replica-state.js';

export type ReplicaCounts = Record<string, number>;

export interface ReplicaPlan {
  plan: ReplicaCounts;
  overflow: ReplicaCounts;
}

/** FNV-1 32-bit (Go's hash/fnv New32) of a UTF-8 string. */
export function fnv1Hash32(input: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(input)) {
    hash = Math.imul(hash, 0x01000193) >>> 0;
    hash = (hash ^ byte) >>> 0;
  }
  return hash;
}

interface NamedPreference {
  cluster: string;
  hash: number;
  min: number;
  max: number | undefined;
  weight: number;
}

type PlannerSpec = Pick<ReplicaSchedulingPreferenceSpec, 'totalReplicas' | 'rebalance' | 'clusters'>;

export function planReplicas(
  spec: PlannerSpec,
  availableClusters: readonly string[],
  current: Readonly<ReplicaCounts>,
  capacity: Readonly<ReplicaCounts>,
  key: string,
): ReplicaPlan {
  const plan: ReplicaCounts = {};
  const overflow: ReplicaCounts = {};
  let prefs: NamedPreference[] = [];
  for (const cluster of availableClusters) {
    const pref: ClusterPreferences | undefined = spec.clusters?.[cluster] ?? spec.clusters?.[ALL_CLUSTERS];
    if (!pref) {
      plan[cluster] = 0;
      continue;
    }
    prefs.push({ cluster, hash: fnv1Hash32(cluster + key), min: pref.minReplicas ?? 0, max: pref.maxReplicas, weight: pref.weight ?? 0 });
  }
  prefs.sort((a, b) => b.weight - a.weight || a.hash - b.hash);
  const cap = (c: string): number | undefined => capacity[c];

  let remaining = spec.totalReplicas;
  for (const p of prefs) {
    let min = Math.min(p.min, remaining);
    const c = cap(p.cluster);
    if (c !== undefined) min = Math.min(min, c);
    remaining -= min;
    plan[p.cluster] = min;
  }

  const preallocated: ReplicaCounts = {};
  if (!spec.rebalance) {
    for (const p of prefs) {
      const planned = plan[p.cluster] ?? 0;
      const running = current[p.cluster];
      if (running === undefined || running <= planned) continue;
      let target = running;
      if (p.max !== undefined) target = Math.min(p.max, target);
      const c = cap(p.cluster);
      if (c !== undefined) target = Math.min(c, target);
      const extra = Math.max(0, Math.min(target - planned, remaining));
      remaining -= extra;
      preallocated[p.cluster] = extra;
      plan[p.cluster] = planned + extra;
    }
  }

  // Each pass either places everything, fills a cluster, or halves what is preallocated,
  // so it terminates; `modified` guards the degenerate all-full case.
  let modified = true;
  while (modified && remaining > 0) {
    modified = false;
    const weightSum = prefs.reduce((s, p) => s + p.weight, 0);
    if (weightSum <= 0) break;
    const next: NamedPreference[] = [];
    const toDistribute = remaining;
    for (const p of prefs) {
      const start = plan[p.cluster] ?? 0;
      let extra = Math.min(Math.floor((toDistribute * p.weight + weightSum - 1) / weightSum), remaining);
      const prealloc = preallocated[p.cluster] ?? 0;
      const usedPrealloc = Math.min(extra, prealloc);
      preallocated[p.cluster] = prealloc - usedPrealloc;
      extra -= usedPrealloc;
      if (usedPrealloc > 0) modified = true;
      let total = start + extra;
      let full = false;
      if (p.max !== undefined && total > p.max) {
        total = p.max;
        full = true;
      }
      const c = cap(p.cluster);
      if (c !== undefined && total > c) {
        overflow[p.cluster] = total - c;
        total = c;
        full = true;
      }
      if (!full) next.push(p);
      remaining -= total - start;
      plan[p.cluster] = total;
      if (total > start) modified = true;
    }
    prefs = next;
  }

  if (spec.rebalance) return { plan, overflow };
  const trimmed: ReplicaCounts = {};
  for (const [cluster, value] of Object.entries(overflow)) {
    const v = Math.min(value, remaining);
    if (v > 0) trimmed[cluster] = v;
  }
  return { plan, overflow: trimmed };
}

/** Final replicas per cluster: plan + overflow, 0 where the object runs but is no longer planned. */
export function scheduleReplicas(spec: PlannerSpec, availableClusters: readonly string[], current: Readonly<ReplicaCounts>, capacity: Readonly<ReplicaCounts>, key: string): ReplicaCounts {
  return mergePlan(planReplicas(spec, availableClusters, current, capacity, key), current);
}

/** The replicas to write per cluster for a plan (Kubefed's GetSchedulingResult). */
export function mergePlan({ plan, overflow }: ReplicaPlan, current: Readonly<ReplicaCounts>): ReplicaCounts {
  const result: ReplicaCounts = {};
  for (const cluster of Object.keys(current)) result[cluster] = 0;
  for (const [cluster, n] of Object.entries(plan)) result[cluster] = n;
  for (const [cluster, n] of Object.entries(overflow)) result[cluster] = (result[cluster] ?? 0) + n;
  return result;
}

/** Names the RSP may schedule onto: ready clusters, intersected with the selector's choice when asked. */
export function schedulingClusters(readyClusters: readonly string[], selectorClusters: ReadonlySet<string> | undefined, intersectWithClusterSelector: boolean): string[] {
  const ready = [...readyClusters].sort();
  return intersectWithClusterSelector && selectorClusters ? ready.filter((c) => selectorClusters.has(c)) : ready;
}

const REPLICAS_PATH = '/spec/replicas';

export interface ScheduleUpdate {
  changed: boolean;
  placement: Placement;
  overrides: OverrideItem[];
}

/**
 * The federated object's placement and overrides after applying a schedule (Kubefed's
 * plugin.Reconcile): placement.clusters = scheduled clusters; each scheduled cluster gets a
 * `/spec/replicas` override, unscheduled ones lose theirs; other overrides are untouched.
 */
export function applySchedule(fed: FederatedObject, result: Readonly<ReplicaCounts>): ScheduleUpdate {
  const names = Object.keys(result).sort();
  const current = (fed.spec.placement?.clusters ?? []).map((c) => c.name).sort();
  const placementChanged = fed.spec.placement?.clusters === undefined || current.join('\0') !== names.join('\0');
  const placement: Placement = { ...fed.spec.placement, clusters: names.map((name) => ({ name })) };

  const overrides: OverrideItem[] = [];
  const seen = new Set<string>();
  let overridesChanged = false;
  for (const item of fed.spec.overrides ?? []) {
    seen.add(item.clusterName);
    const others = (item.clusterOverrides ?? []).filter((o) => o.path !== REPLICAS_PATH);
    const had = (item.clusterOverrides ?? []).find((o) => o.path === REPLICAS_PATH);
    const want = result[item.clusterName];
    const ops: ClusterOverride[] = want === undefined ? others : [...others, { path: REPLICAS_PATH, value: want }];
    if (want === undefined ? had !== undefined : had?.value !== want || (had.op !== undefined && had.op !== 'replace')) overridesChanged = true;
    overrides.push({ ...item, clusterOverrides: ops });
  }
  for (const name of names) {
    if (seen.has(name)) continue;
    overrides.push({ clusterName: name, clusterOverrides: [{ path: REPLICAS_PATH, value: result[name] }] });
    overridesChanged = true;
  }
  return { changed: placementChanged || overridesChanged, placement, overrides };
}
