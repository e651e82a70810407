// What the replica planner needs to know about each member: replicas running and ready
// now, and an estimated capacity when pods cannot be scheduled (Kubefed's
// clustersReplicaState and podanalyzer). kfed reads status.readyReplicas (what the
// workload controller counted); Kubefed read a misspelt `readyreplicas` and so always
// counted running pods instead. Pods are listed only for the unschedulable ones.
import type { KubeObject } from '../../api/meta.js';

/** A pod pending for longer than this with reason Unschedulable counts against capacity (Kubefed's minute). */
export const UNSCHEDULABLE_THRESHOLD_MS = 60_000;

export interface PodAnalysis {
  total: number;
  runningAndReady: number;
  unschedulable: number;
  /** when the next pod now pending as Unschedulable crosses the threshold (epoch ms); undefined when none will */
  nextStuckAt?: number;
}

interface PodCondition {
  type?: string;
  status?: string;
  reason?: string;
  lastTransitionTime?: string;
}

function podStatus(pod: KubeObject): { phase?: string; conditions?: PodCondition[] } {
  return (pod.status ?? {}) as { phase?: string; conditions?: PodCondition[] };
}

export function analyzePods(pods: readonly KubeObject[], now: Date, thresholdMs = UNSCHEDULABLE_THRESHOLD_MS): PodAnalysis {
  const result: PodAnalysis = { total: pods.length, runningAndReady: 0, unschedulable: 0 };
  for (const pod of pods) {
    const status = podStatus(pod);
    const conditions = status.conditions ?? [];
    if (status.phase === 'Running') {
      if (conditions.some((c) => c.type === 'Ready' && c.status === 'True')) result.runningAndReady++;
    } else if (status.phase === 'Pending' || status.phase === undefined) {
      const since = conditions.find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable')?.lastTransitionTime;
      const at = since === undefined ? NaN : Date.parse(since) + thresholdMs;
      if (Number.isNaN(at)) continue;
      if (at < now.getTime()) result.unschedulable++;
      else result.nextStuckAt = Math.min(result.nextStuckAt ?? Infinity, at);
    }
  }
  return result;
}

export interface MemberWorkload {
  cluster: string;
  /** the member Deployment/ReplicaSet; undefined when absent */
  object: KubeObject | undefined;
  /** its pods, needed only when not every replica is ready */
  pods?: readonly KubeObject[];
}

function num(obj: unknown, a: string, b: string): number {
  const v = (obj as Record<string, Record<string, unknown> | undefined>)[a]?.[b];
  return typeof v === 'number' ? v : 0;
}

export interface ClusterReplicaState {
  /** ready replicas per cluster that runs the workload */
  current: Record<string, number>;
  /** estimated replicas a cluster can run, where pods are stuck Unschedulable */
  capacity: Record<string, number>;
  /** pods stuck Unschedulable per cluster (the capacity estimate's evidence) */
  unschedulable: Record<string, number>;
  /** when a pending pod crosses the threshold and the estimate changes (epoch ms) */
  recheckAt?: number;
}

/** current replicas per cluster, and capacity where pods are stuck unschedulable. */
export function clusterReplicaState(members: readonly MemberWorkload[], now: Date, thresholdMs = UNSCHEDULABLE_THRESHOLD_MS): ClusterReplicaState {
  const state: ClusterReplicaState = { current: {}, capacity: {}, unschedulable: {} };
  for (const m of members) {
    if (!m.object) continue;
    const replicas = num(m.object, 'spec', 'replicas');
    const ready = num(m.object, 'status', 'readyReplicas');
    state.current[m.cluster] = ready;
    if (replicas === ready) continue;
    const pods = analyzePods(m.pods ?? [], now, thresholdMs);
    if (pods.unschedulable > 0) {
      state.capacity[m.cluster] = Math.max(0, replicas - pods.unschedulable);
      state.unschedulable[m.cluster] = pods.unschedulable;
    }
    if (pods.nextStuckAt !== undefined) state.recheckAt = Math.min(state.recheckAt ?? Infinity, pods.nextStuckAt);
  }
  return state;
}
