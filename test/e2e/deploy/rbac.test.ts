// The chart's RBAC covers every API call the controller makes. Empirically: the
// kustomize base (the chart at default values) is installed on a sandbox host with
// kubectl; the control plane (src/app/control-plane.ts, with the default controller
// list) then runs as the chart's ServiceAccount, bound only to the chart's ClusterRole
// and Role, through a recording proxy; the Kubefed demo flow runs (three members joined,
// the go-app example applied and propagated, its DNS record rendered, then deleted, then
// a graceful stop); and the host must have answered 403 to none of the controller's
// requests.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeFedCluster } from '../../../src/api/core.js';
import { isClusterReady, KUBEFED_CLUSTERS } from '../../../src/api/core.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { startControlPlane, type ControlPlane } from '../../../src/app/control-plane.js';
import { CONTROLLERS, type ControllerEntry } from '../../../src/app/controllers.js';
import { joinCluster } from '../../../src/kubefedctl/join.js';
import { loadConfig } from '../../../src/config/load.js';
import { DNS_ENDPOINTS, SERVICE_DNS_RECORDS } from '../../../src/api/multiclusterdns.js';
import { ServingFeed } from '../../../src/dnsserver/serving-feed.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { type Lease } from '../../../src/kube/leader-election.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { eventually } from '../../support/kube-clients.js';
import { requireTools } from '../../support/tools.js';
import { renderChart } from '../../unit/deploy/manifests.js';
import { installKustomizeBase, kubectl, type KubectlTarget } from './install.js';
import { accessOf, describeAccess, startRecordingProxy, type RecordingProxy } from './recording-proxy.js';
import { LEASES } from '../../../src/api/kubernetes.js';
import { PROPAGATION_POLICIES } from '../../../src/api/federation.js';

const tools = requireTools('kubectl');
const NS = 'kube-federation-system';
const SA = 'kfed-controller';
const LEASE = 'kubefed-controller-manager';
const FEDERATED_DEPLOYMENTS = { group: 'types.kubefed.io', version: 'v1beta1', resource: 'federateddeployments', namespaced: true, kind: 'FederatedDeployment' };
const EXAMPLE = new URL('../../../examples/go-app.yaml', import.meta.url);

const SERVICE: KubeObject = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'go-app', namespace: 'go-app' },
  spec: { type: 'LoadBalancer', selector: { app: 'go-app' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
};
const DEPLOYMENT: KubeObject = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'go-app', namespace: 'go-app', labels: { app: 'go-app' } },
  spec: { replicas: 2, selector: { matchLabels: { app: 'go-app' } }, template: { metadata: { labels: { app: 'go-app' } }, spec: { containers: [{ name: 'go-app', image: 'example.org/go-app:1.0' }] } } },
};

/** `verb group/resource` for every verb x group x resource the chart's roles grant. */
function grantedTriples(objects: KubeObject[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    if (o.kind !== 'ClusterRole' && o.kind !== 'Role') continue;
    for (const r of (o as KubeObject & { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }).rules) {
      for (const g of r.apiGroups) for (const res of r.resources) for (const v of r.verbs) out.push(`${v} ${g === '' ? 'core' : g}/${res}`);
    }
  }
  return [...new Set(out)].sort();
}

function matchesWildcard(granted: string, used: string): boolean {
  if (!granted.includes('*')) return false;
  const re = new RegExp(`^${granted.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]+')}$`);
  return re.test(used);
}

/** The serving feed runs on every replica; add it when the default list does not have it yet. */
function controllerList(): ControllerEntry[] {
  if (CONTROLLERS.some((c) => c.name === 'dns-serving-feed' || c.name === 'dns-server')) return CONTROLLERS;
  return [...CONTROLLERS, { name: 'dns-serving-feed', create: (d) => new ServingFeed({ host: d.host, sink: { setSnapshot: () => undefined }, kubefedNamespace: d.config.kubefedNamespace }) }];
}

describe.skipIf(!tools)("chart RBAC covers the controller's API calls", () => {
  let sb: Sandbox;
  let admin: ClusterClient;
  let target: KubectlTarget;
  let proxy: RecordingProxy;
  let cp: ControlPlane | undefined;

  beforeAll(async () => {
    sb = await startSandbox({ clusters: 3 });
    admin = await clusterClientFromKubeconfig({ kubeconfigPath: sb.kubeconfigPath, context: 'cluster-1', name: 'admin' });
    target = { kubectl: tools!.kubectl, kubeconfig: sb.kubeconfigPath, context: 'cluster-1' };
    await installKustomizeBase(target);
    proxy = await startRecordingProxy(sb.cluster('cluster-1').url, sb.cluster('cluster-1').caPem);
  }, 120_000);

  afterAll(async () => {
    await cp?.stop();
    await proxy?.close();
    admin?.close();
    await sb?.close();
  });

  it('runs the demo flow as the chart ServiceAccount with zero 403s', async () => {
    const token = (await kubectl(target, ['-n', NS, 'create', 'token', SA, '--duration=1h'])).stdout.trim();
    expect(token.length).toBeGreaterThan(10);
    const kubeconfigYaml = [
      'apiVersion: v1', 'kind: Config', 'current-context: sa',
      // client-node refuses plain HTTP unless TLS verification is off; there is no TLS on this loopback hop.
      `clusters: [{name: host, cluster: {server: "${proxy.url}", insecure-skip-tls-verify: true}}]`,
      `users: [{name: sa, user: {token: "${token}"}}]`,
      'contexts: [{name: sa, context: {cluster: host, user: sa}}]',
    ].join('\n');

    // RBAC is enforced for this identity: something outside the chart's rules is refused.
    const probe = await clusterClientFromKubeconfig({ kubeconfigYaml, name: 'probe' });
    await expect(probe.dynamic.list({ group: '', version: 'v1', resource: 'secrets', namespaced: true, kind: 'Secret' }, { namespace: 'default' })).rejects.toThrow();
    probe.close();
    expect(proxy.requests.at(-1)?.status).toBe(403);
    const refusedProbes = proxy.requests.length;

    // The same flags the chart passes, as far as the in-process control plane takes them.
    const config = await loadConfig({
      kubeconfigYaml, kubefedNamespace: NS, metricsAddr: '127.0.0.1:0', leaderElect: true, leaderElectionId: LEASE,
      identity: 'kfed-controller-rbac-test', healthCheckPeriod: '1s', logLevel: 'warn',
    });
    cp = await startControlPlane(config, { logger: silentLogger(), controllers: controllerList() });
    await cp.ready();

    // An administrator joins the members and applies the example, as in the Kubefed demo.
    for (const name of ['cluster-1', 'cluster-2', 'cluster-3']) {
      await joinCluster({ clusterName: name, kubeconfig: { kubeconfigPath: sb.kubeconfigPath }, clusterContext: name, hostClusterContext: 'cluster-1', kubefedNamespace: NS });
    }
    await kubectl(target, ['apply', '-f', '-'], await readFile(EXAMPLE, 'utf8'));
    // A policy that selects nothing: the policy status controller still writes its status.
    await kubectl(target, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'policy.kfed.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'rbac-check', namespace: 'go-app' }, spec: { resourceSelectors: [{ kind: 'ConfigMap', name: 'absent' }], placement: { clusters: [] } } }));
    // What propagation creates in the members, written directly as well, so the DNS part
    // does not wait on propagation (which adopts them: adoptResources is Enabled).
    for (const name of ['cluster-1', 'cluster-2', 'cluster-3']) {
      const m = { ...target, context: name };
      await kubectl(m, ['apply', '-f', '-'], [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'go-app' } }, DEPLOYMENT, SERVICE].map((o) => JSON.stringify(o)).join('\n'));
    }

    await eventually(async () => {
      const lease = await admin.dynamic.get<Lease>(LEASES, LEASE, { namespace: NS });
      expect(lease.spec?.holderIdentity).toBe('kfed-controller-rbac-test');
      const clusters = (await admin.dynamic.list<KubeFedCluster>(KUBEFED_CLUSTERS, { namespace: NS })).items;
      expect(clusters.filter((c) => isClusterReady(c)).map((c) => c.metadata.name).sort()).toEqual(['cluster-1', 'cluster-2', 'cluster-3']);
      const ep = await admin.dynamic.get(DNS_ENDPOINTS, 'service-go-app', { namespace: 'go-app' });
      expect(JSON.stringify(ep)).toContain('go-app.go-app.myfed.svc.example.com');
      const record = await admin.dynamic.get(SERVICE_DNS_RECORDS, 'go-app', { namespace: 'go-app' });
      expect(record['status']).toBeDefined();
      const policy = await admin.dynamic.get(PROPAGATION_POLICIES, 'rbac-check', { namespace: 'go-app' });
      expect(policy['status']).toBeDefined();
      const fed = await admin.dynamic.get(FEDERATED_DEPLOYMENTS, 'go-app', { namespace: 'go-app' });
      expect((fed['status'] as { conditions?: unknown[] } | undefined)?.conditions?.length ?? 0).toBeGreaterThan(0);
    }, 60_000, 200);

    // Deleting the record makes the controller delete its DNSEndpoint.
    await admin.dynamic.delete(SERVICE_DNS_RECORDS, 'go-app', { namespace: 'go-app' });
    await eventually(async () => expect(await admin.dynamic.getIfExists(DNS_ENDPOINTS, 'service-go-app', { namespace: 'go-app' })).toBeUndefined(), 30_000, 200);

    // A graceful stop releases the Lease.
    await cp.stop();
    cp = undefined;
    const released = await admin.dynamic.get<Lease>(LEASES, LEASE, { namespace: NS });
    expect(released.spec?.holderIdentity ?? '').not.toBe('kfed-controller-rbac-test');

    const calls = proxy.requests.slice(refusedProbes);
    const forbidden = calls.filter((r) => r.status === 403).map((r) => `${r.method} ${r.path}${r.query}`);
    expect(forbidden, `403s for the chart's ServiceAccount:\n${forbidden.join('\n')}`).toEqual([]);

    // The flow really went through the proxy: the calls that prove each part ran.
    const seen = new Set(calls.map(accessOf).filter((a) => a !== undefined).map(describeAccess));
    for (const want of [
      `get core.kubefed.io/kubefedconfigs in ${NS}`,
      `watch core.kubefed.io/kubefedclusters in ${NS}`,
      `watch core/secrets in ${NS}`,
      `update core.kubefed.io/kubefedclusters/status in ${NS}`,
      `create coordination.k8s.io/leases in ${NS}`,
      `update coordination.k8s.io/leases in ${NS}`,
      'create multiclusterdns.kubefed.io/dnsendpoints in go-app',
      'delete multiclusterdns.kubefed.io/dnsendpoints in go-app',
      'update multiclusterdns.kubefed.io/servicednsrecords/status in go-app',
      `patch core.kubefed.io/federatedtypeconfigs/status in ${NS}`,
      'patch types.kubefed.io/federateddeployments in go-app',
      'patch types.kubefed.io/federateddeployments/status in go-app',
      'create core.kubefed.io/propagatedversions in go-app',
      'patch policy.kfed.io/propagationpolicies/status in go-app',
    ]) {
      expect([...seen], want).toContain(want);
    }
    // Granted but not exercised by this flow (the propagation controllers' rules, until
    // they run in the control plane): printed so the list stays visible, not asserted.
    const used = new Set([...seen].map((s) => s.replace(/ in \S+$| \(cluster\)$/, '')));
    const unused = grantedTriples(renderChart().objects).filter((g) => !used.has(g) && ![...used].some((u) => matchesWildcard(g, u)));
    console.log(`[rbac] ${calls.length} requests as system:serviceaccount:${NS}:${SA}, none refused:\n  ${[...seen].sort().join('\n  ')}`);
    console.log(`[rbac] granted, not exercised by this flow:\n  ${unused.join('\n  ')}`);
  }, 180_000);

  it('grants nothing on Secrets outside the KubeFed namespace and no wildcard verbs', async () => {
    const docs = parseAllDocuments((await kubectl(target, ['get', 'clusterrole/kfed-controller', `role/kfed-controller`, '-n', NS, '-o', 'yaml'])).stdout);
    const list = docs[0]!.toJS() as { items: { kind: string; rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }[] };
    for (const role of list.items) {
      for (const rule of role.rules) {
        expect(rule.verbs, JSON.stringify(rule)).not.toContain('*');
        if (role.kind === 'ClusterRole') expect(rule.resources, JSON.stringify(rule)).not.toContain('secrets');
      }
    }
  });
});
