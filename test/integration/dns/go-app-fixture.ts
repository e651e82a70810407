// The go-app example on a 3-cluster sandbox, as far as the DNS controllers need it:
// CRDs on the host, the Domain and ServiceDNSRecord from examples/go-app.yaml, and the
// member Deployments/Services the propagation controller would create (written
// directly here, with the example's cluster-2 override of 4 replicas).
import type { KubeObject } from '../../../src/api/meta.js';
import type { DNSEndpoint, ServiceDNSRecord } from '../../../src/api/multiclusterdns.js';
import { MultiClusterDNS, type MultiClusterDNSOptions } from '../../../src/dns/records/dns-controllers.js';
import { DNS_ENDPOINTS, DOMAINS, SERVICE_DNS_RECORDS } from '../../../src/api/multiclusterdns.js';
import { SERVICES } from '../../../src/api/kubernetes.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import type { Sandbox } from '../../../src/sandbox/sandbox.js';
import type { SandboxMember } from '../../../src/sandbox/member.js';
import { startTestSandbox } from '../../support/sandbox-backend.js';
import { installCrds } from '../../support/crds.js';
import { staticMembers, type StaticMembers } from '../../support/static-members.js';
import { pollUntil } from '../../support/until.js';

export const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' };
export const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true, kind: 'Deployment' };
export const CLUSTERS = ['cluster-1', 'cluster-2', 'cluster-3'] as const;
export const N = 'go-app.go-app.myfed.svc';

export interface GoAppEnv {
  sb: Sandbox<SandboxMember>;
  host: ClusterClient;
  members: StaticMembers;
  clients: Record<string, ClusterClient>;
  dns: MultiClusterDNS;
  stop: AbortController;
  running: Promise<void>;
  close(): Promise<void>;
}

export function deployment(replicas: number, image = 'example.org/go-app:1.0', labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'go-app', namespace: 'go-app', labels: { app: 'go-app', ...labels } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'go-app' } },
      template: { metadata: { labels: { app: 'go-app' } }, spec: { containers: [{ name: 'go-app', image, ports: [{ containerPort: 8080 }] }] } },
    },
  };
}

export const SERVICE: KubeObject = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'go-app', namespace: 'go-app' },
  spec: { type: 'LoadBalancer', selector: { app: 'go-app' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
};

export const DOMAIN: KubeObject = {
  apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'Domain',
  metadata: { name: 'myfed', namespace: 'kube-federation-system' }, domain: 'example.com',
};

export const RECORD: ServiceDNSRecord = {
  apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'ServiceDNSRecord',
  metadata: { name: 'go-app', namespace: 'go-app' }, spec: { domainRef: 'myfed', recordTTL: 30, dnsPrefix: 'go' },
};

async function ensureNamespace(c: ClusterClient, name: string): Promise<void> {
  if (!(await c.dynamic.getIfExists(NAMESPACES, name))) await c.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

export function until<T>(fn: () => Promise<T | undefined> | T | undefined, ms = 10_000, every = 5): Promise<T> {
  return pollUntil(fn, ms, every);
}

export async function startGoApp(opts: { startControllers?: boolean; dns?: (host: ClusterClient) => Partial<MultiClusterDNSOptions> } = {}): Promise<GoAppEnv> {
  const sb = await startTestSandbox({ clusters: 3, bookmarkIntervalMs: 500 });
  const clients: Record<string, ClusterClient> = {};
  for (const name of CLUSTERS) clients[name] = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: name, timeoutMs: 3000 });
  const host = clients['cluster-1'] as ClusterClient;
  await installCrds(host, 'crds/multiclusterdns');
  await ensureNamespace(host, 'kube-federation-system');
  for (const name of CLUSTERS) {
    const c = clients[name] as ClusterClient;
    await ensureNamespace(c, 'go-app');
    // The example's override: cluster-2 runs 4 replicas of 1.1 with a canary label.
    await c.dynamic.create(DEPLOYMENTS, name === 'cluster-2' ? deployment(4, 'example.org/go-app:1.1', { canary: 'true' }) : deployment(2));
    await c.dynamic.create(SERVICES, SERVICE);
  }
  await host.dynamic.create(DOMAINS, DOMAIN);
  await host.dynamic.create(SERVICE_DNS_RECORDS, RECORD);
  const members = await staticMembers(sb.kubeconfigYaml, CLUSTERS.map((name) => {
    const topo = sb.cluster(name).options.topology;
    return { name, region: topo.region, zones: topo.zones };
  }), 3000);
  const dns = new MultiClusterDNS({ host, members, informer: { watchTimeoutSeconds: 60, backoffInitialMs: 50, backoffMaxMs: 500 }, ...opts.dns?.(host) });
  const stop = new AbortController();
  const running = opts.startControllers === false ? Promise.resolve() : dns.start(stop.signal);
  return {
    sb, host, members, clients, dns, stop, running,
    async close() {
      stop.abort();
      await running;
      members.close();
      for (const c of Object.values(clients)) c.close();
      await sb.close();
    },
  };
}

/** Load-balancer IP the sandbox gave go-app in a member. */
export async function lbIp(env: GoAppEnv, cluster: string): Promise<string> {
  return until(async () => {
    const svc = await (env.clients[cluster] as ClusterClient).dynamic.get(SERVICES, 'go-app', { namespace: 'go-app' });
    return (svc['status'] as { loadBalancer?: { ingress?: { ip?: string }[] } } | undefined)?.loadBalancer?.ingress?.[0]?.ip;
  });
}

export async function getEndpoint(env: GoAppEnv, name = 'service-go-app', namespace = 'go-app'): Promise<DNSEndpoint | undefined> {
  return env.host.dynamic.getIfExists<DNSEndpoint>(DNS_ENDPOINTS, name, { namespace });
}

/** `name type targets` lines, the way the unit tests show endpoints. */
export function show(ep: DNSEndpoint | undefined): string[] {
  return (ep?.spec.endpoints ?? []).map((e) => `${e.dnsName} ${e.recordType} ${e.targets.join(',')}`);
}
