// Cluster-management metrics. Names without a prefix are Kubefed's (pkg/metrics), kept so
// existing dashboards work: kubefedcluster_total{state,cluster}, joined_cluster_total,
// cluster_health_status_duration_seconds, cluster_client_connection_duration_seconds,
// join_cluster_duration_seconds, unjoin_cluster_duration_seconds. `kfed_` names are
// additions. The `cluster` label is bounded by the number of joined members.
import { Counter, Gauge, Histogram, registerOnce, type Registry } from '../observability/metrics.js';

/** Kubefed's state label values. */
export type KubefedClusterState = 'ready' | 'notready' | 'offline';
export type ProbeResultLabel = 'healthy' | 'not_ready' | 'offline' | 'malformed';
export type ProbePath = 'periodic' | 'fast';

// Kubefed's buckets, so histograms line up with its dashboards.
const KUBEFED_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 7.5, 10.0, 12.5, 15.0, 17.5, 20.0, 22.5, 25.0, 27.5, 30.0, 50.0, 75.0, 100.0, 1000.0];

export interface ClusterMetrics {
  clusterTotal: Gauge<'state' | 'cluster'>;
  joinedClusters: Gauge<string>;
  healthStatusDuration: Histogram<string>;
  clientConnectionDuration: Histogram<string>;
  probes: Counter<'result' | 'path'>;
  transitions: Counter<'to'>;
  statusWrites: Counter<'result'>;
}

export function clusterMetrics(registry: Registry): ClusterMetrics {
  return registerOnce(registry, 'clusters/health', (r) => ({
    clusterTotal: new Gauge({ name: 'kubefedcluster_total', help: 'Number of total kubefed cluster in a specific state.', labelNames: ['state', 'cluster'], registers: [r] }),
    joinedClusters: new Gauge({ name: 'joined_cluster_total', help: 'Number of total joined clusters.', registers: [r] }),
    healthStatusDuration: new Histogram({ name: 'cluster_health_status_duration_seconds', help: 'Time taken for the cluster health periodic function.', buckets: KUBEFED_BUCKETS, registers: [r] }),
    clientConnectionDuration: new Histogram({ name: 'cluster_client_connection_duration_seconds', help: 'Time taken for the cluster client connection function.', buckets: KUBEFED_BUCKETS, registers: [r] }),
    probes: new Counter({ name: 'kfed_cluster_health_probes_total', help: 'Member health probes by result and by what triggered them.', labelNames: ['result', 'path'], registers: [r] }),
    transitions: new Counter({ name: 'kfed_cluster_health_transitions_total', help: 'Member readiness transitions written to KubeFedCluster status, by new state.', labelNames: ['to'], registers: [r] }),
    statusWrites: new Counter({ name: 'kfed_cluster_status_writes_total', help: 'KubeFedCluster status writes by result.', labelNames: ['result'], registers: [r] }),
  }));
}

/** Sets Kubefed's one-hot kubefedcluster_total gauges for a cluster. */
export function setClusterState(m: ClusterMetrics, cluster: string, state: KubefedClusterState | undefined): void {
  for (const s of ['ready', 'notready', 'offline'] as const) {
    if (state === undefined) m.clusterTotal.remove(s, cluster);
    else m.clusterTotal.labels(s, cluster).set(s === state ? 1 : 0);
  }
}

export interface JoinMetrics {
  join: Histogram<string>;
  unjoin: Histogram<string>;
}

export function joinMetrics(registry: Registry): JoinMetrics {
  return registerOnce(registry, 'clusters/join', (r) => ({
    join: new Histogram({ name: 'join_cluster_duration_seconds', help: 'Time taken to join a cluster.', buckets: KUBEFED_BUCKETS, registers: [r] }),
    unjoin: new Histogram({ name: 'unjoin_cluster_duration_seconds', help: 'Time taken to unjoin a cluster.', buckets: KUBEFED_BUCKETS, registers: [r] }),
  }));
}
