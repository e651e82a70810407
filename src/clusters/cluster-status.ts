// KubeFedCluster status: the conditions Kubefed writes for each health state, region and
// zones from member Node labels, and the comparison that keeps status writes to real
// changes. Pure functions.
import { conditionsEqual, kubeTime } from '../api/conditions.js';
import type { ClusterCondition, KubeFedClusterStatus } from '../api/core.js';
import type { KubeObject } from '../api/meta.js';
import type { HealthState } from './health-state.js';

export const REGION_LABEL = 'topology.kubernetes.io/region';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const LEGACY_REGION_LABEL = 'failure-domain.beta.kubernetes.io/region';
export const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';

// Kubefed's messages (pkg/controller/kubefedcluster), so tooling matching on them keeps working.
export const HEALTHZ_OK = '/healthz responded with ok';
export const HEALTHZ_NOT_OK = '/healthz responded without ok';
export const NOT_REACHABLE = 'cluster is not reachable';
export const REACHABLE = 'cluster is reachable';
export const CONFIG_MALFORMED = "cluster's configuration may be malformed";

export interface Location {
  region: string | undefined;
  zones: string[];
}

/**
 * Region and zones from Node labels (topology.kubernetes.io/*, falling back to the
 * deprecated failure-domain.beta.kubernetes.io/*). Region is the one most nodes carry
 * (Kubefed took the first node's, which depends on list order).
 */
export function locationFromNodes(nodes: readonly KubeObject[]): Location {
  const regions = new Map<string, number>();
  const zones = new Set<string>();
  for (const n of nodes) {
    const labels = n.metadata.labels ?? {};
    const region = labels[REGION_LABEL] || labels[LEGACY_REGION_LABEL];
    const zone = labels[ZONE_LABEL] || labels[LEGACY_ZONE_LABEL];
    if (region) regions.set(region, (regions.get(region) ?? 0) + 1);
    if (zone) zones.add(zone);
  }
  let region: string | undefined;
  let best = 0;
  for (const [r, count] of regions) {
    if (count > best || (count === best && region !== undefined && r < region)) {
      region = r;
      best = count;
    }
  }
  return { region, zones: [...zones].sort() };
}

export { kubeTime };

/**
 * The conditions for a state, shaped as Kubefed writes them: Ready True when healthy;
 * Ready False + Offline False when /healthz answers without ok; Offline True when
 * unreachable. kfed also writes Ready False next to Offline True (Kubefed wrote no Ready
 * condition then), so READY reads False instead of blank.
 */
export function conditionsFor(state: HealthState, detail: string, at: number): ClusterCondition[] {
  const t = kubeTime(at);
  const c = (type: ClusterCondition['type'], status: ClusterCondition['status'], reason: NonNullable<ClusterCondition['reason']>, message: string): ClusterCondition => ({
    type,
    status,
    lastProbeTime: t,
    lastTransitionTime: t,
    reason,
    message,
  });
  switch (state) {
    case 'Ready':
      return [c('Ready', 'True', 'ClusterReady', HEALTHZ_OK)];
    case 'NotReady':
      return [c('Ready', 'False', 'ClusterNotReady', detail || HEALTHZ_NOT_OK), c('Offline', 'False', 'ClusterReachable', REACHABLE)];
    case 'Offline': {
      const message = detail ? `${NOT_REACHABLE}: ${detail}` : NOT_REACHABLE;
      return [c('Ready', 'False', 'ClusterNotReachable', message), c('Offline', 'True', 'ClusterNotReachable', message)];
    }
    case 'ConfigMalformed':
      return [c('Ready', 'False', 'ClusterConfigMalformed', detail ? `${CONFIG_MALFORMED}: ${detail}` : CONFIG_MALFORMED)];
  }
}

export interface DesiredStatusInput {
  current: KubeFedClusterStatus | undefined;
  /** Undefined before the first probe: conditions stay as they are. */
  health: { state: HealthState; message: string; since: number } | undefined;
  /** Undefined when nodes were not read (yet) or carry no labels: hand-set values stay. */
  location: Location | undefined;
  kubernetesVersion: string | undefined;
}

/** Status to write. Conditions that did not change keep their timestamps. */
export function desiredStatus(input: DesiredStatusInput): KubeFedClusterStatus {
  const cur = input.current;
  let conditions = cur?.conditions ?? [];
  if (input.health) {
    const fresh = conditionsFor(input.health.state, input.health.message, input.health.since || Date.now());
    conditions = sameConditions(conditions, fresh) ? conditions : fresh;
  }
  const out: KubeFedClusterStatus = { conditions: conditions.map((c) => ({ ...c })) };
  const version = input.kubernetesVersion ?? cur?.kubernetesVersion;
  if (version) out.kubernetesVersion = version;
  const hasLocation = input.location !== undefined && (input.location.region !== undefined || input.location.zones.length > 0);
  const region = hasLocation ? input.location?.region : cur?.region;
  const zones = hasLocation ? input.location?.zones : cur?.zones;
  if (region) out.region = region;
  if (zones && zones.length > 0) out.zones = [...zones];
  return out;
}

/** Same types, statuses, reasons and messages (timestamps aside). */
export function sameConditions(a: readonly ClusterCondition[], b: readonly ClusterCondition[]): boolean {
  return conditionsEqual(a, b, { ignoreTime: true });
}

/** Would writing `b` over `a` change anything a reader cares about? */
export function statusEqual(a: KubeFedClusterStatus | undefined, b: KubeFedClusterStatus): boolean {
  if (!a) return false;
  if (!sameConditions(a.conditions ?? [], b.conditions)) return false;
  if ((a.kubernetesVersion ?? '') !== (b.kubernetesVersion ?? '')) return false;
  if ((a.region ?? '') !== (b.region ?? '')) return false;
  const za = a.zones ?? [];
  const zb = b.zones ?? [];
  return za.length === zb.length && za.every((z, i) => z === zb[i]);
}
