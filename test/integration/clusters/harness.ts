// A federation on the sandbox for cluster tests: cluster-1 hosts kfed (CRDs, namespace,
// KubeFedConfig) and runs the control plane in this process with a fast health check.
import { parse, stringify } from 'yaml';
import type { KubeFedCluster } from '../../../src/api/core.js';
import { startControlPlane, type ControlPlane } from '../../../src/app/control-plane.js';
import { ensureKubeFedNamespaceAndConfig, installCrds } from '../../../src/app/host-setup.js';
import { ClusterHealthController } from '../../../src/clusters/health-controller.js';
import { joinCluster, type JoinOptions } from '../../../src/kubefedctl/join.js';
import { buildConfig, type ConfigFlags } from '../../../src/config/config.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import type { Sandbox } from '../../../src/sandbox/sandbox.js';
import type { SandboxMember } from '../../../src/sandbox/member.js';
import { startTestSandbox } from '../../support/sandbox-backend.js';
import { KUBEFED_CLUSTERS } from '../../../src/api/core.js';
import { pollUntil } from '../../support/until.js';

export const NS = 'kube-federation-system';

export interface Federation {
  sb: Sandbox<SandboxMember>;
  host: ClusterClient;
  cp: ControlPlane | undefined;
  health: ClusterHealthController | undefined;
  startControlPlane(flags?: ConfigFlags): Promise<ControlPlane>;
  join(name: string, extra?: Partial<JoinOptions>): ReturnType<typeof joinCluster>;
  cluster(name: string): Promise<KubeFedCluster | undefined>;
  close(): Promise<void>;
}

export async function startFederation(clusters = 3): Promise<Federation> {
  const sb = await startTestSandbox({ clusters, bookmarkIntervalMs: 500 });
  const host = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1', timeoutMs: 5000 });
  await installCrds(host);
  await ensureKubeFedNamespaceAndConfig(host, { namespace: NS });
  const fed: Federation = {
    sb,
    host,
    cp: undefined,
    health: undefined,
    async startControlPlane(flags = {}) {
      // Only the health controller (kept for inspection): these tests are about members.
      const controllers = [
        {
          name: 'cluster-health',
          create: (d: ControlPlane['deps']) => {
            fed.health = new ClusterHealthController({ members: d.members, host: d.host.dynamic, config: d.config.clusterHealthCheck, logger: d.logger, registry: d.metrics, events: d.events('kubefedcluster-controller') });
            return fed.health;
          },
        },
      ];
      const config = buildConfig({
        kubeconfigYaml: sb.kubeconfigYaml,
        context: 'cluster-1',
        metricsAddr: '127.0.0.1:0',
        leaderElect: false,
        healthCheckPeriod: '250ms',
        // A probe timeout well above what a loaded machine can add to a loopback request: a
        // test process descheduled for a few hundred ms must not time probes out (three in a
        // row would fail a member over). Longer than the period: probes never overlap.
        healthCheckTimeout: '1s',
        healthCheckFailureThreshold: 3,
        healthCheckSuccessThreshold: 1,
        healthCheckFastProbeInterval: '50ms',
        logLevel: 'silent',
        ...flags,
      });
      fed.cp = await startControlPlane(config, { controllers });
      await fed.cp.ready();
      return fed.cp;
    },
    join: (name, extra = {}) => joinCluster({ clusterName: name, kubeconfig: { kubeconfigYaml: sb.kubeconfigYaml }, clusterContext: name, hostClusterContext: 'cluster-1', ...extra }),
    cluster: (name) => host.dynamic.getIfExists<KubeFedCluster>(KUBEFED_CLUSTERS, name, { namespace: NS }),
    async close() {
      await fed.cp?.stop();
      host.close();
      await sb.close();
    },
  };
  return fed;
}

export function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 10_000): Promise<T> {
  return pollUntil(fn, ms, 20, what);
}

export function condition(c: KubeFedCluster | undefined, type: 'Ready' | 'Offline'): { status: string; reason?: string; message?: string } | undefined {
  return c?.status?.conditions?.find((x) => x.type === type);
}

/** The sandbox kubeconfig plus a user/context authenticated by `token` against `cluster`. */
export function kubeconfigWithToken(yaml: string, cluster: string, context: string, token: string): string {
  const kc = parse(yaml) as { users: unknown[]; contexts: unknown[] };
  kc.users.push({ name: context, user: { token } });
  kc.contexts.push({ name: context, context: { cluster, user: context } });
  return stringify(kc);
}
