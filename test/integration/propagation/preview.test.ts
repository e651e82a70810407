// `kfed preview` (issue 17 item 3) on the sandbox control plane: a file not yet applied is
// previewed per cluster (placement, RSP scheduling, override policy, the object's own
// overrides), then applied; what the sync controller then writes to each member (the
// server-side apply bodies, captured on the members' clients) is byte for byte the
// preview. The CLI's -o json is a v1 List annotated kfed.io/preview-cluster, and its
// default output is a per-cluster diff. Nothing is written by a preview.
// With --dns, a FederatedService's ServiceDNSRecord is previewed as the DNSEndpoint the DNS
// controllers then write (equal as JSON), from a file's record and from the host's.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { FEDERATED_NAMESPACES, OVERRIDE_POLICIES, type FederatedObject } from '../../../src/api/federation.js';
import { DEPLOYMENTS, NAMESPACES } from '../../../src/api/kubernetes.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { DNS_ENDPOINTS, DOMAINS, INGRESS_DNS_RECORDS, SERVICE_DNS_RECORDS, type DNSEndpoint, type Endpoint, type IngressDNSRecord, type ServiceDNSRecord } from '../../../src/api/multiclusterdns.js';
import { REPLICA_SCHEDULING_PREFERENCES } from '../../../src/api/scheduling.js';
import type { ControlPlane } from '../../../src/app/control-plane.js';
import { startSandboxControlPlane } from '../../../src/app/sandbox-control-plane.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { PREVIEW_CLUSTER_ANNOTATION, previewFederated } from '../../../src/kubefedctl/preview.js';
import { PREVIEW_DNS_ANNOTATION } from '../../../src/kubefedctl/preview-dns.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { pollUntil } from '../../support/until.js';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const NS = 'preview';
const CLUSTERS = ['cluster-1', 'cluster-2', 'cluster-3'];

let sb: Sandbox;
let cp: ControlPlane;
let host: ClusterClient;
let dir: string;

const fed: FederatedObject = {
  apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment', metadata: { name: 'web', namespace: NS },
  spec: {
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'example.org/web:1.0' }] } } },
    },
    placement: { clusterSelector: {} },
    overrides: [{ clusterName: 'cluster-2', clusterOverrides: [{ path: '/spec/template/spec/containers/0/image', value: 'example.org/web:1.1' }] }],
  },
};

async function kfed(...args: string[]): Promise<string> {
  try {
    return (await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--kubeconfig', sb.kubeconfigPath, '--host-cluster-context', 'cluster-1'], { cwd: ROOT, timeout: 90_000 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kfed ${args.join(' ')}: ${e.stderr || e.message}`, { cause: err });
  }
}

describe('kfed preview', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kfed-preview-'));
    sb = await startSandbox({ clusters: 3, bookmarkIntervalMs: 500 });
    cp = await startSandboxControlPlane(sb, { out: () => undefined, logger: silentLogger(), healthCheckPeriod: '1s' });
    host = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1', timeoutMs: 5000 });
    await host.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await host.dynamic.create(FEDERATED_NAMESPACES, { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedNamespace', metadata: { name: NS, namespace: NS }, spec: { placement: { clusterSelector: {} } } } as KubeObject);
    // An override policy (cluster-3 gets a label) and an RSP (9 replicas, 2:1:1) that will drive the object.
    await host.dynamic.create(OVERRIDE_POLICIES, {
      apiVersion: 'policy.kfed.io/v1alpha1', kind: 'OverridePolicy', metadata: { name: 'tier', namespace: NS },
      spec: { resourceSelectors: [{ kind: 'FederatedDeployment' }], overrideRules: [{ targetClusters: { clusters: ['cluster-3'] }, overriders: [{ op: 'add', path: '/metadata/labels/tier', value: 'backup' }] }] },
    } as KubeObject);
    await host.dynamic.create(REPLICA_SCHEDULING_PREFERENCES, {
      apiVersion: 'scheduling.kubefed.io/v1alpha1', kind: 'ReplicaSchedulingPreference', metadata: { name: 'web', namespace: NS },
      spec: { targetKind: 'FederatedDeployment', totalReplicas: 8, rebalance: true, clusters: { 'cluster-1': { weight: 2 }, '*': { weight: 1 } } },
    } as KubeObject);
    await writeFile(join(dir, 'web.yaml'), stringify(fed));
  }, 120_000);

  afterAll(async () => {
    host?.close();
    await cp?.stop();
    await sb?.close();
  });

  it('previews a file per cluster, writes nothing, and is byte for byte what the sync controller then writes', async () => {
    const times: number[] = [];
    let previews = await previewFederated(host, [fed], { kubefedNamespace: 'kube-federation-system' });
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      previews = await previewFederated(host, [fed], { kubefedNamespace: 'kube-federation-system' });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`[preview] latency over 3 clusters, in process: median ${times[2]!.toFixed(0)} ms, max ${times[4]!.toFixed(0)} ms`);
    // (The control plane keeps writing leases and status meanwhile, so look for what a preview could have written.)
    for (const c of CLUSTERS) expect(await clusterReplicas(c)).toBeUndefined();
    expect(await host.dynamic.getIfExists({ group: 'types.kubefed.io', version: 'v1beta1', resource: 'federateddeployments', namespaced: true, kind: 'FederatedDeployment' }, 'web', { namespace: NS })).toBeUndefined();

    const [p] = previews;
    expect(p!.schedule).toEqual({ 'cluster-1': 4, 'cluster-2': 2, 'cluster-3': 2 });
    const byCluster = Object.fromEntries(p!.clusters.map((c) => [c.cluster, c.object!]));
    expect(Object.keys(byCluster).sort()).toEqual(CLUSTERS);
    const spec = (o: KubeObject): { replicas: number; template: { spec: { containers: { image: string }[] } } } => o['spec'] as never;
    expect(spec(byCluster['cluster-2']!).template.spec.containers[0]!.image).toBe('example.org/web:1.1');
    expect(byCluster['cluster-3']!.metadata.labels?.['tier']).toBe('backup');
    expect(CLUSTERS.map((c) => spec(byCluster[c]!).replicas)).toEqual([4, 2, 2]);

    // Capture the apply bodies the sync controller sends, then let it write.
    const bodies: Record<string, string> = {};
    const spies = CLUSTERS.map((c) => {
      const dyn = cp.members.get(c)!.client!.dynamic;
      const original = dyn.apply.bind(dyn);
      return vi.spyOn(dyn, 'apply').mockImplementation(async (ref, obj, opts) => {
        if (ref.resource === 'deployments' && obj.metadata.name === 'web' && obj.metadata.namespace === NS) bodies[c] = JSON.stringify(obj);
        return original(ref, obj, opts);
      });
    });
    try {
      await host.dynamic.create({ group: 'types.kubefed.io', version: 'v1beta1', resource: 'federateddeployments', namespaced: true, kind: 'FederatedDeployment' }, structuredClone(fed));
      const want = (c: string): string => JSON.stringify(byCluster[c]);
      await pollUntil(async () => {
        for (const c of CLUSTERS) {
          const d = await clusterReplicas(c);
          if (d !== spec(byCluster[c]!).replicas || bodies[c] !== want(c)) return false;
        }
        return true;
      }, 30_000, 200).catch((err: unknown) => {
        throw new Error(`written ${JSON.stringify(bodies)} previewed ${JSON.stringify(byCluster)}`, { cause: err });
      });
      for (const c of CLUSTERS) expect(bodies[c]).toBe(want(c));
    } finally {
      for (const s of spies) s.mockRestore();
    }
  }, 90_000);

  it('prints a v1 List annotated per cluster (-o json, -o yaml), and a per-cluster diff by default', async () => {
    const list = JSON.parse(await kfed('preview', 'FederatedDeployment', 'web', '-n', NS, '-o', 'json')) as { apiVersion: string; kind: string; items: KubeObject[] };
    expect(list.apiVersion).toBe('v1');
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => i.metadata.annotations?.[PREVIEW_CLUSTER_ANNOTATION])).toEqual(CLUSTERS);
    expect(list.items.every((i) => i.kind === 'Deployment' && i.apiVersion === 'apps/v1')).toBe(true);
    expect(await kfed('preview', 'deployments.apps', 'web', '-n', NS, '-o', 'yaml')).toContain(`${PREVIEW_CLUSTER_ANNOTATION}: cluster-3`);

    // Everything is written already: the diff says so; a changed file shows the change for every cluster.
    expect(await kfed('preview', 'deployment', 'web', '-n', NS)).toBe('Deployment preview/web (ReplicaSchedulingPreference: cluster-1=4, cluster-2=2, cluster-3=2)\n  cluster-1: unchanged\n  cluster-2: unchanged\n  cluster-3: unchanged\n');
    const changed = structuredClone(fed);
    (changed.spec.template as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]!.image = 'example.org/web:2.0';
    await writeFile(join(dir, 'web2.yaml'), stringify(changed));
    const diff = await kfed('preview', '-f', join(dir, 'web2.yaml'));
    expect(diff).toContain('  cluster-1: would be updated\n');
    expect(diff, diff).toMatch(/\n {4}- +image: example\.org\/web:1\.0\n {4}\+ +image: example\.org\/web:2\.0\n/);
    // cluster-2's own override still wins there.
    expect(diff).toContain('  cluster-2: unchanged\n');
  }, 120_000);

  describe('--dns', dnsTests);
});

const FED_SERVICES = { group: 'types.kubefed.io', version: 'v1beta1', resource: 'federatedservices', namespaced: true, kind: 'FederatedService' };
const KFNS = 'kube-federation-system';

/** Endpoints as JSON, in canonical order (name, type, set identifier), targets and properties sorted. */
function normalized(eps: readonly Endpoint[] | undefined): string {
  const key = (e: Endpoint): string => `${e.dnsName} ${e.recordType} ${e.setIdentifier ?? ''}`;
  return JSON.stringify([...(eps ?? [])].map((e) => ({ ...e, targets: [...e.targets].sort(), ...(e.providerSpecific ? { providerSpecific: [...e.providerSpecific].sort((a, b) => (a.name < b.name ? -1 : 1)) } : {}) })).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)));
}

/** `--dns`: run inside 'kfed preview', whose sandbox and FederatedDeployment web (the Service's endpoints) it uses. */
function dnsTests(): void {
  // Placed on cluster-1 and cluster-2 only: cluster-3's region and zone names fall back to CNAMEs.
  const svc: FederatedObject = {
    apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedService', metadata: { name: 'web', namespace: NS },
    spec: { template: { spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } }, placement: { clusters: [{ name: 'cluster-1' }, { name: 'cluster-2' }] } },
  };
  const record = (spec: ServiceDNSRecord['spec']): ServiceDNSRecord => ({ apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'ServiceDNSRecord', metadata: { name: 'web', namespace: NS }, spec });
  const weighted = record({ domainRef: 'myfed', recordTTL: 60, dnsPrefix: 'web-preview', routing: { policy: 'weighted', weights: { 'cluster-1': 3 } } });
  const simple = record({ domainRef: 'myfed', recordTTL: 60, dnsPrefix: 'web-preview' });
  const hostEndpoint = (): Promise<DNSEndpoint | undefined> => host.dynamic.getIfExists<DNSEndpoint>(DNS_ENDPOINTS, 'service-web', { namespace: NS });

  it('previews the DNSEndpoint of a record in a file, then of the host\'s, equal to what the DNS controllers write', async () => {
    await host.dynamic.create(DOMAINS, { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'Domain', metadata: { name: 'myfed', namespace: KFNS }, domain: 'example.com' } as KubeObject);
    await host.dynamic.create(FED_SERVICES, structuredClone(svc));
    const preview = async (given: KubeObject[]) => (await previewFederated(host, [svc], { kubefedNamespace: KFNS, dns: true, given }))[0]!.dns!;
    // Wait for both members' Services to have a load balancer and ready endpoints, as the record controller will see them.
    let dns = await pollUntil(async () => {
      const d = await preview([svc, weighted]);
      return d.dns.filter((c) => (c.loadBalancer?.ingress ?? []).length > 0).length === 2 ? d : undefined;
    }, 30_000, 200);
    expect(dns.source).toBe('file');
    expect(dns.problem).toBeUndefined();
    expect(dns.current).toBeUndefined();
    expect(dns.notes).toContain(`cluster-3: no Service ${NS}/web there now`);
    const eps = dns.endpoint!.spec.endpoints;
    const global = eps.filter((e) => e.dnsName === `web.${NS}.myfed.svc.example.com`);
    expect(global.map((e) => [e.recordType, e.setIdentifier, e.recordTTL])).toEqual([['A', 'cluster-1', 60], ['A', 'cluster-2', 60]]);
    expect(eps.find((e) => e.dnsName === `web.${NS}.myfed.svc.ap-southeast-1.example.com`)).toMatchObject({ recordType: 'CNAME', targets: [`web.${NS}.myfed.svc.example.com`] });
    expect(eps.find((e) => e.dnsName === 'web-preview.example.com')).toMatchObject({ recordType: 'CNAME', targets: [`web.${NS}.myfed.svc.example.com`] });
    // Nothing written by the preview.
    expect(await host.dynamic.getIfExists(SERVICE_DNS_RECORDS, 'web', { namespace: NS })).toBeUndefined();
    expect(await hostEndpoint()).toBeUndefined();

    // Apply the record: the DNSEndpoint the controllers write is the preview.
    await host.dynamic.create(SERVICE_DNS_RECORDS, structuredClone(weighted));
    await pollUntil(async () => normalized((await hostEndpoint())?.spec.endpoints) === normalized(eps), 30_000, 100).catch((err: unknown) => {
      throw new Error(`previewed ${normalized(eps)}`, { cause: err });
    });
    expect(normalized((await hostEndpoint())!.spec.endpoints)).toBe(normalized(eps));

    // From the host's record: unchanged, and the List carries the DNSEndpoint as an extra item.
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      dns = await preview([]);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`[preview --dns] latency over 3 clusters, in process: median ${times[2]!.toFixed(0)} ms, max ${times[4]!.toFixed(0)} ms`);
    expect(dns.source).toBe('host');
    expect(normalized(dns.endpoint!.spec.endpoints)).toBe(normalized((await hostEndpoint())!.spec.endpoints));
    const list = JSON.parse(await kfed('preview', 'FederatedService', 'web', '-n', NS, '--dns', '-o', 'json')) as { apiVersion: string; kind: string; items: KubeObject[] };
    expect(list.apiVersion).toBe('v1');
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => i.metadata.annotations?.[PREVIEW_CLUSTER_ANNOTATION])).toEqual(['cluster-1', 'cluster-2', undefined]);
    const item = list.items[2]!;
    expect(item.kind).toBe('DNSEndpoint');
    expect(item.metadata.annotations?.[PREVIEW_DNS_ANNOTATION]).toBe('ServiceDNSRecord/web');
    expect(normalized((item as DNSEndpoint).spec.endpoints)).toBe(normalized((await hostEndpoint())!.spec.endpoints));
    // Without --dns the List is as before.
    expect((JSON.parse(await kfed('preview', 'FederatedService', 'web', '-n', NS, '-o', 'json')) as { items: KubeObject[] }).items.map((i) => i.kind)).toEqual(['Service', 'Service']);

    // A changed record in a file: the readable diff, then the written DNSEndpoint equals the preview again.
    await writeFile(join(dir, 'web-dns.yaml'), `${stringify(svc)}---\n${stringify(simple)}`);
    const text = await kfed('preview', '-f', join(dir, 'web-dns.yaml'), '--dns');
    expect(text, text).toContain(`  DNS: ServiceDNSRecord ${NS}/web -> DNSEndpoint ${NS}/service-web (record from the file): would be updated\n`);
    expect(text, text).toMatch(/\n {4}NAME +TYPE +TTL +TARGETS +ROUTING\n/);
    expect(text, text).toMatch(new RegExp(`\\n {4}- web\\.${NS}\\.myfed\\.svc\\.example\\.com A 60 [0-9.]+ set cluster-1: weighted weight 3\\n`));
    expect(text, text).toMatch(new RegExp(`\\n {4}\\+ web\\.${NS}\\.myfed\\.svc\\.example\\.com A 60 [0-9.]+,[0-9.]+ -\\n`));
    expect(text, text).toContain(`    note: cluster-3: no Service ${NS}/web there now\n`);
    dns = await preview([svc, simple]);
    const want = dns.endpoint!.spec.endpoints;
    const cur = await host.dynamic.get<ServiceDNSRecord>(SERVICE_DNS_RECORDS, 'web', { namespace: NS });
    await host.dynamic.update(SERVICE_DNS_RECORDS, { ...cur, spec: simple.spec });
    await pollUntil(async () => normalized((await hostEndpoint())?.spec.endpoints) === normalized(want), 30_000, 100);
    expect(normalized((await hostEndpoint())!.spec.endpoints)).toBe(normalized(want));

    // No record: said so, with what a record naming the one Domain would publish; nothing in the List.
    const other = { ...structuredClone(svc), metadata: { name: 'other', namespace: NS } };
    const none = (await previewFederated(host, [other], { kubefedNamespace: KFNS, dns: true }))[0]!.dns!;
    expect(none.source).toBe('default');
    expect(none.problem).toBe(`no ServiceDNSRecord ${NS}/other: kfed publishes no DNS records for it; a ServiceDNSRecord with only domainRef: myfed (the one Domain in ${KFNS}) would publish what follows`);
    expect(none.endpoint?.spec.endpoints.some((e) => e.dnsName === `other.${NS}.myfed.svc.us-east-1.example.com` && e.recordType === 'CNAME')).toBe(true);
  }, 180_000);

  it('previews a FederatedIngress\'s IngressDNSRecord (failover routing) as the DNSEndpoint then written', async () => {
    const ing: FederatedObject = {
      apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedIngress', metadata: { name: 'shop', namespace: NS },
      spec: {
        template: { spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } },
        placement: { clusterSelector: {} },
      },
    };
    const rec: IngressDNSRecord = {
      apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'IngressDNSRecord', metadata: { name: 'shop', namespace: NS },
      spec: { hosts: ['shop.example.com'], recordTTL: 30, routing: { policy: 'failover', primary: ['cluster-1'] } },
    };
    await host.dynamic.create({ ...FED_SERVICES, resource: 'federatedingresses', kind: 'FederatedIngress' }, structuredClone(ing));
    const dns = await pollUntil(async () => {
      const d = (await previewFederated(host, [ing], { kubefedNamespace: KFNS, dns: true, given: [rec] }))[0]!.dns!;
      return d.dns.filter((c) => (c.loadBalancer?.ingress ?? []).length > 0).length === 3 ? d : undefined;
    }, 30_000, 200);
    expect(dns.recordKind).toBe('IngressDNSRecord');
    expect(dns.dnsEndpoint).toBe(`${NS}/ingress-shop`);
    const eps = dns.endpoint!.spec.endpoints;
    expect(eps.map((e) => [e.dnsName, e.recordType, e.setIdentifier, e.recordTTL])).toEqual(CLUSTERS.map((c) => ['shop.example.com', 'A', c, 30]));
    await host.dynamic.create(INGRESS_DNS_RECORDS, structuredClone(rec));
    const written = (): Promise<DNSEndpoint | undefined> => host.dynamic.getIfExists<DNSEndpoint>(DNS_ENDPOINTS, 'ingress-shop', { namespace: NS });
    await pollUntil(async () => normalized((await written())?.spec.endpoints) === normalized(eps), 30_000, 100).catch((err: unknown) => {
      throw new Error(`previewed ${normalized(eps)}`, { cause: err });
    });
    expect(normalized((await written())!.spec.endpoints)).toBe(normalized(eps));
  }, 120_000);

  it('says why nothing would be written (a record naming no Domain), and has no DNS for other kinds', async () => {
    const bad = record({ domainRef: 'nope' });
    const dns = (await previewFederated(host, [svc], { kubefedNamespace: KFNS, dns: true, given: [bad] }))[0]!.dns!;
    expect(dns.endpoint).toBeUndefined();
    expect(dns.problem).toBe(`ServiceDNSRecord ${NS}/web is invalid (Valid=False): spec.domainRef: Domain "nope" not found; its DNSEndpoint is left as it is`);
    expect(dns.current?.spec.endpoints.length).toBeGreaterThan(0);
    expect((await previewFederated(host, [fed], { kubefedNamespace: KFNS, dns: true }))[0]!.dns).toBeUndefined();
  }, 60_000);
}

async function clusterReplicas(cluster: string): Promise<number | undefined> {
  const c = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: cluster, timeoutMs: 3000 });
  try {
    return ((await c.dynamic.getIfExists(DEPLOYMENTS, 'web', { namespace: NS }))?.['spec'] as { replicas?: number } | undefined)?.replicas;
  } finally {
    c.close();
  }
}
