// What the replica planner needs to know about each member: replicas running and ready
// now, and an estimated capacity when pods cannot be scheduled (Kubefed's
// clustersReplicaState and podanalyzer). kfed reads status.readyReplicas; Kubefed read
// a misspelt `readyreplicas` and so always fell back to listing pods.
import type { KubeObject } from '../../api/meta.js';

/** A pod pending for longer than this with reason Unschedulable counts against capacity. */
export const UNSCHEDULABLE_THRESHOLD_MS = 60_000;

export interface PodAnalysis {
  total: number;
  runningAndReady: number;
  unschedulable: number;
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

export function analyzePods(pods: readonly KubeObject[], now: Date): PodAnalysis {
  const result: PodAnalysis = { total: pods.length, runningAndReady: 0, unschedulable: 0 };
  for (const pod of pods) {
    const status = podStatus(pod);
    const conditions = status.conditions ?? [];
    if (status.phase === 'Running') {
      if (conditions.some((c) => c.type === 'Ready' && c.status === 'True')) result.runningAndReady++;
    } else if (status.phase === 'Pending' || status.phase === undefined) {
      const stuck = conditions.some(
        (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable' &&
          c.lastTransitionTime !== undefined && Date.parse(c.lastTransitionTime) + UNSCHEDULABLE_THRESHOLD_MS < now.getTime(),
      );
      if (stuck) result.unschedulable++;
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

/** current replicas per cluster, and capacity where pods are stuck unschedulable. */
export function clusterReplicaState(members: readonly MemberWorkload[], now: Date): { current: Record<string, number>; capacity: Record<string, number> } {
  const current: Record<string, number> = {};
  const capacity: Record<string, number> = {};
  for (const m of members) {
    if (!m.object) continue;
    const replicas = num(m.object, 'spec', 'replicas');
    const ready = num(m.object, 'status', 'readyReplicas');
    if (replicas === ready) {
      current[m.cluster] = ready;
      continue;
    }
    const pods = analyzePods(m.pods ?? [], now);
    current[m.cluster] = pods.runningAndReady;
    if (pods.unschedulable > 0) capacity[m.cluster] = Math.max(0, replicas - pods.unschedulable);
  }
  return { current, capacity };
}
