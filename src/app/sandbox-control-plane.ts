// `kfed sandbox` without --no-demo: install kfed into cluster-1 (CRDs, namespace,
// KubeFedConfig, the default federated types), run the control plane in this process
// against it (with the embedded DNS server when asked), and join every sandbox cluster
// (cluster-1 into itself too) through the same code as `kfed join`.
import { DEFAULT_KUBEFED_NAMESPACE } from '../api/core.js';
import { DEFAULT_HEALTH_CHECK } from '../api/core-validation.js';
import { joinCluster } from '../kubefedctl/join.js';
import { buildConfig } from '../config/config.js';
import { hostClient, readKubeFedConfig } from '../config/load.js';
import type { Logger } from '../observability/logger.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { SandboxMember } from '../sandbox/member.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { ensureKubeFedNamespaceAndConfig, installCrds } from './host-setup.js';
import { enableDefaultTypes } from '../kubefedctl/enable.js';

export interface SandboxControlPlaneOptions {
  out: (line: string) => void;
  logger: Logger;
  namespace?: string;
  /** Where to serve /metrics etc.; default 127.0.0.1 on a free port. */
  metricsAddr?: string;
  /** Health-check period of the KubeFedConfig created for the demo. Default: kfed's (1s). */
  healthCheckPeriod?: string;
  /** Wait this long for every member to report Ready. Default 30 s. */
  readyTimeoutMs?: number;
  /** Serve DNS here (`127.0.0.1:5353`, port 0 for a free one); default: no DNS server. */
  dnsListen?: string;
  /** MMDB for the DNS server's client locations: `bundled` (default), `none` or a path. */
  dnsGeoDatabase?: string;
  /** DNS worker processes: 0 (default, in this process), a count or `auto`. */
  dnsWorkers?: string | number;
  /** ReplicaSchedulingPreference: how long a pod must be Unschedulable to count against capacity (Go duration; default 60s). */
  rspUnschedulableAfter?: string;
  /** ReplicaSchedulingPreference: periodic re-plan (Go duration; default 30s). */
  rspReplanInterval?: string;
}

/** The address the sandbox's in-zone name servers (ns1.example.com) answer. */
export const SANDBOX_NAME_SERVER_ADDRESS = '192.0.2.53';

export async function startSandboxControlPlane(sb: Sandbox<SandboxMember>, o: SandboxControlPlaneOptions): Promise<ControlPlane> {
  const namespace = o.namespace ?? DEFAULT_KUBEFED_NAMESPACE;
  const hostContext = sb.clusters[0]?.name ?? 'cluster-1';
  const host = await hostClient({ kubeconfigPath: sb.kubeconfigPath, context: hostContext }, 'sandbox-setup');
  let kfc;
  try {
    const crds = await installCrds(host);
    o.out(`installed ${crds.length} CRDs into ${hostContext}`);
    await ensureKubeFedNamespaceAndConfig(host, {
      namespace,
      // kfed's defaults (README "Cluster health"), so the demo fails over as an install does.
      clusterHealthCheck: { period: o.healthCheckPeriod ?? DEFAULT_HEALTH_CHECK.period, timeout: DEFAULT_HEALTH_CHECK.timeout, failureThreshold: DEFAULT_HEALTH_CHECK.failureThreshold, successThreshold: 1 },
    });
    // The types Kubefed enables by default, as its chart does.
    const enabled = await enableDefaultTypes(host, namespace);
    o.out(`enabled the default federated types (${enabled.length > 0 ? enabled.join(', ') : 'already enabled'})`);
    kfc = await readKubeFedConfig(host, namespace);
  } finally {
    host.close();
  }
  const config = buildConfig(
    {
      kubeconfigPath: sb.kubeconfigPath,
      context: hostContext,
      kubefedNamespace: namespace,
      metricsAddr: o.metricsAddr ?? '127.0.0.1:0',
      leaderElect: true,
      ...(o.dnsListen !== undefined ? { dnsListen: o.dnsListen } : {}),
      ...(o.dnsGeoDatabase !== undefined ? { dnsGeoDatabase: o.dnsGeoDatabase } : {}),
      ...(o.dnsWorkers !== undefined ? { dnsWorkers: o.dnsWorkers } : {}),
      // The demo's ns1.example.com answers a documentation address, as an install's answers its
      // kfed-dns Service's load-balancer IP (README, a usable zone).
      dnsNameServerAddresses: SANDBOX_NAME_SERVER_ADDRESS,
      ...(o.rspUnschedulableAfter !== undefined ? { rspUnschedulableAfter: o.rspUnschedulableAfter } : {}),
      ...(o.rspReplanInterval !== undefined ? { rspReplanInterval: o.rspReplanInterval } : {}),
    },
    kfc,
  );
  const cp = await startControlPlane(config, { logger: o.logger });
  try {
    await cp.ready();
    const serving = [cp.health ? `metrics ${cp.health.url}/metrics` : '', cp.dns ? `DNS on ${cp.dns.address} udp+tcp${cp.dns.workers > 0 ? ` in ${cp.dns.workers} worker processes` : ''}` : ''].filter(Boolean).join(', ');
    o.out(`control plane running against ${hostContext} (namespace ${namespace}${serving ? `, ${serving}` : ''})`);
    for (const c of sb.clusters) {
      const res = await joinCluster({ clusterName: c.name, kubeconfig: { kubeconfigPath: sb.kubeconfigPath }, clusterContext: c.name, hostClusterContext: hostContext, kubefedNamespace: namespace, registry: cp.metrics });
      o.out(`joined ${c.name} (KubeFedCluster ${namespace}/${c.name}, secret ${res.cluster.spec.secretRef.name})`);
    }
    const deadline = Date.now() + (o.readyTimeoutMs ?? 30_000);
    const pending = new Set(sb.clusters.map((c) => c.name));
    while (pending.size > 0) {
      const late = Date.now() > deadline;
      for (const name of [...pending]) {
        const m = cp.members.get(name);
        // Region and zones come from the member's Nodes, written to status apart from Ready (and
        // possibly after it): the line waits for them, up to the deadline for Nodes without labels.
        if (m?.ready && (m.region !== undefined || m.zones.length > 0 || late)) {
          pending.delete(name);
          const status = cp.members.cluster(name)?.status;
          o.out(`cluster ${name} ready: kubernetes ${status?.kubernetesVersion ?? '?'}, region ${m.region ?? '?'}, zones ${m.zones.join(',') || '?'}`);
        }
      }
      if (pending.size === 0) break;
      if (late) throw new Error(`members not ready after ${Math.round((o.readyTimeoutMs ?? 30_000) / 1000)} s: ${[...pending].join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return cp;
  } catch (err) {
    await cp.stop();
    throw err;
  }
}
