// A federation whose member cluster-2 sits behind a FaultProxy, with the health and DNS
// controllers and the embedded DNS server running, for measuring how long a silent member
// stays in DNS. cluster-1 is the host (and a member), cluster-3 a plain member; each member
// runs a LoadBalancer Service go-app/go-app that a ServiceDNSRecord publishes as
// go-app.go-app.myfed.svc.example.com. The control plane takes its health settings from the
// KubeFedConfig defaults unless `flags` override them.
import { parse, stringify } from 'yaml';
import type { KubeObject } from '../../src/api/meta.js';
import { startControlPlane, type ControlPlane } from '../../src/app/control-plane.js';
import { CONTROLLERS } from '../../src/app/controllers.js';
import { queryDns } from '../../src/app/dns-probe.js';
import { ensureKubeFedNamespaceAndConfig, installCrds } from '../../src/app/host-setup.js';
import { joinCluster } from '../../src/kubefedctl/join.js';
import { buildConfig, type ConfigFlags } from '../../src/config/config.js';
import { DOMAINS, SERVICE_DNS_RECORDS } from '../../src/api/multiclusterdns.js';
import { SERVICES } from '../../src/api/kubernetes.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../src/kube/cluster-client.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { FaultProxy } from './fault-proxy.js';
import { pollUntil } from './until.js';

export const GLOBAL_NAME = 'go-app.go-app.myfed.svc.example.com';
const NS = 'kube-federation-system';
const CLUSTERS = ['cluster-1', 'cluster-2', 'cluster-3'];

export interface PartitionRig {
  sb: Sandbox;
  proxy: FaultProxy;
  cp: ControlPlane;
  /** LoadBalancer address of go-app in each member */
  ips: Record<string, string>;
  /** A records of the global name, as the embedded server answers now */
  answer(): Promise<string[]>;
  close(): Promise<void>;
}

/** The sandbox kubeconfig with `cluster`'s server replaced by `server`. */
function withServer(yaml: string, cluster: string, server: string): string {
  const kc = parse(yaml) as { clusters: { name: string; cluster: { server: string } }[] };
  for (const c of kc.clusters) if (c.name === cluster) c.cluster.server = server;
  return stringify(kc);
}

export async function startPartitionRig(flags: Partial<ConfigFlags> = {}): Promise<PartitionRig> {
  const sb = await startSandbox({ clusters: 3 });
  const clients: ClusterClient[] = [];
  let proxy: FaultProxy | undefined;
  let cp: ControlPlane | undefined;
  try {
    const client = async (name: string): Promise<ClusterClient> => {
      const c = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: name, timeoutMs: 5000 });
      clients.push(c);
      return c;
    };
    const host = await client('cluster-1');
    await installCrds(host);
    await ensureKubeFedNamespaceAndConfig(host, { namespace: NS });
    proxy = await FaultProxy.start(sb.cluster('cluster-2').url);
    const kubeconfigYaml = withServer(sb.kubeconfigYaml, 'cluster-2', proxy.url);
    for (const name of CLUSTERS) await joinCluster({ clusterName: name, kubeconfig: { kubeconfigYaml }, clusterContext: name, hostClusterContext: 'cluster-1' });
    const ips: Record<string, string> = {};
    for (const name of CLUSTERS) {
      const c = await client(name);
      await c.dynamic.create({ group: '', version: 'v1', resource: 'namespaces', namespaced: false }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'go-app' } });
      await c.dynamic.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'go-app', namespace: 'go-app' }, spec: { type: 'LoadBalancer', selector: { app: 'go-app' }, ports: [{ port: 80 }] } } as KubeObject);
      ips[name] = await pollUntil(async () => {
        const svc = await c.dynamic.get(SERVICES, 'go-app', { namespace: 'go-app' });
        return (svc['status'] as { loadBalancer?: { ingress?: { ip?: string }[] } } | undefined)?.loadBalancer?.ingress?.[0]?.ip;
      }, 10_000, 20);
    }
    await host.dynamic.create(DOMAINS, { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'Domain', metadata: { name: 'myfed', namespace: NS }, domain: 'example.com' } as KubeObject);
    await host.dynamic.create(SERVICE_DNS_RECORDS, { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'ServiceDNSRecord', metadata: { name: 'go-app', namespace: 'go-app' }, spec: { domainRef: 'myfed', recordTTL: 5, allowServiceWithoutEndpoints: true } } as KubeObject);
    const config = buildConfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1', metricsAddr: '0', leaderElect: false, dnsListen: '127.0.0.1:0', dnsGeoDatabase: 'none', logLevel: 'silent', ...flags });
    cp = await startControlPlane(config, { controllers: CONTROLLERS.filter((c) => c.name === 'cluster-health' || c.name === 'multicluster-dns') });
    await cp.ready();
    const port = cp.dns!.ports.udpPort;
    const answer = async (): Promise<string[]> => (await queryDns(GLOBAL_NAME, { address: '127.0.0.1', port, timeoutMs: 1000 })).addresses;
    await pollUntil(async () => (await answer()).length === 3, 30_000, 50).catch(async (err: unknown) => {
      const members = cp!.members.list().map((m) => `${m.name}:${m.ready}`).join(' ');
      throw new Error(`partition rig: ${GLOBAL_NAME} never answered 3 addresses (members ${members}; answer ${(await answer().catch(() => [])).join(',')})`, { cause: err });
    });
    const started = { sb, proxy, cp };
    return {
      ...started,
      ips,
      answer,
      async close() {
        await started.cp.stop();
        await started.proxy.close();
        for (const c of clients) c.close();
        await sb.close();
      },
    };
  } catch (err) {
    await cp?.stop();
    await proxy?.close();
    for (const c of clients) c.close();
    await sb.close();
    throw err;
  }
}
