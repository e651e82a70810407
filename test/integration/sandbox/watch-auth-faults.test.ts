// Watches (bookmarks, 410 after compaction, informer relist), authentication and RBAC,
// fault controls, and the simulated data plane.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { clients, eventually, k8s, kubeConfig, statusOf } from '../../support/kube-clients.js';

let sb: Sandbox;
let c: ReturnType<typeof clients>;

beforeAll(async () => {
  sb = await startSandbox({ clusters: 2, bookmarkIntervalMs: 200 });
  c = clients(sb.kubeconfigYaml);
  await c.core.createNamespace({ body: { metadata: { name: 'w' } } });
});
afterAll(async () => {
  await sb?.close();
});

interface Seen { type: string; obj: any }

async function watchUntil(path: string, params: Record<string, string | number | boolean | undefined>, until: (seen: Seen[]) => boolean): Promise<Seen[]> {
  const w = new k8s.Watch(c.kc);
  const seen: Seen[] = [];
  let ctrl: AbortController | undefined;
  await new Promise<void>((resolve, reject) => {
    void w.watch(path, params, (type, obj) => {
      seen.push({ type, obj });
      if (until(seen)) resolve();
    }, (err) => (err ? reject(err) : resolve())).then((a) => (ctrl = a), reject);
  });
  ctrl?.abort();
  return seen;
}

describe('watch', () => {
  it('streams ADDED/MODIFIED/DELETED from a resourceVersion, with bookmarks', async () => {
    const list = await c.core.listNamespacedConfigMap({ namespace: 'w' });
    const rv = list.metadata!.resourceVersion!;
    const done = watchUntil('/api/v1/namespaces/w/configmaps', { resourceVersion: rv, allowWatchBookmarks: true }, (s) => s.some((e) => e.type === 'DELETED') && s.some((e) => e.type === 'BOOKMARK'));
    await new Promise((r) => setTimeout(r, 50));
    await c.core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'a' } } });
    await c.core.patchNamespacedConfigMap({ namespace: 'w', name: 'a', body: { data: { x: '1' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await c.core.deleteNamespacedConfigMap({ namespace: 'w', name: 'a' });
    const seen = await done;
    expect(seen.filter((e) => e.type !== 'BOOKMARK').map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    const bm = seen.find((e) => e.type === 'BOOKMARK')!;
    expect(Number(bm.obj.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(rv));
  });

  it('turns selector transitions into ADDED and DELETED', async () => {
    await c.core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 't', labels: { on: 'no' } } } });
    const rv = (await c.core.listNamespacedConfigMap({ namespace: 'w' })).metadata!.resourceVersion!;
    const done = watchUntil('/api/v1/namespaces/w/configmaps', { resourceVersion: rv, labelSelector: 'on=yes' }, (s) => s.length >= 2);
    await new Promise((r) => setTimeout(r, 50));
    await c.core.patchNamespacedConfigMap({ namespace: 'w', name: 't', body: { metadata: { labels: { on: 'yes' } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await c.core.patchNamespacedConfigMap({ namespace: 'w', name: 't', body: { metadata: { labels: { on: 'no' } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    expect((await done).map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
  });

  it('answers a watch from a compacted resourceVersion with a 410 Expired ERROR event', async () => {
    const rv = (await c.core.listNamespacedConfigMap({ namespace: 'w' })).metadata!.resourceVersion!;
    await c.core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'after' } } });
    sb.cluster('cluster-1').faults.compact();
    const seen = await watchUntil('/api/v1/namespaces/w/configmaps', { resourceVersion: rv }, (s) => s.length >= 1);
    expect(seen[0]!.type).toBe('ERROR');
    expect(seen[0]!.obj).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });

  it('an informer relists after compaction and dropped watches and keeps its cache right', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'inf' } } });
    for (let i = 0; i < 5; i++) await c.core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: `i-${i}` } } });
    const informer = k8s.makeInformer(c.kc, '/api/v1/namespaces/inf/configmaps', () => c.core.listNamespacedConfigMap({ namespace: 'inf' }));
    let stopped = false;
    informer.on('error', () => {
      if (!stopped) setTimeout(() => void informer.start(), 50);
    });
    await informer.start();
    await eventually(() => expect(informer.list().filter((o) => o.metadata!.name!.startsWith('i-'))).toHaveLength(5), 15_000);
    const cl = sb.cluster('cluster-1');
    cl.faults.compact();
    cl.faults.dropWatches();
    await c.core.deleteNamespacedConfigMap({ namespace: 'inf', name: 'i-0' });
    await c.core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'i-new' } } });
    cl.faults.compact();
    await eventually(async () => {
      const truth = (await c.core.listNamespacedConfigMap({ namespace: 'inf' })).items.map((o) => o.metadata!.name!).sort();
      expect(informer.list().map((o) => o.metadata!.name!).sort()).toEqual(truth);
    }, 10_000);
    stopped = true;
    await informer.stop();
  });
});

describe('authentication and RBAC', () => {
  it('refuses requests without a valid token with 401', async () => {
    const kc = kubeConfig(sb.kubeconfigYaml, 'cluster-1');
    kc.users[0] = { ...kc.users[0]!, token: 'wrong' } as never;
    const r = await statusOf(kc.makeApiClient(k8s.CoreV1Api).listNamespace());
    expect(r.code).toBe(401);
  });

  it('authenticates a service-account token Secret and evaluates RBAC for it', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'team' } } });
    await c.core.createNamespacedServiceAccount({ namespace: 'team', body: { metadata: { name: 'bot' } } });
    await c.core.createNamespacedSecret({ namespace: 'team', body: { metadata: { name: 'bot-token', annotations: { 'kubernetes.io/service-account.name': 'bot' } }, type: 'kubernetes.io/service-account-token' } });
    const secret = await eventually(async () => {
      const s = await c.core.readNamespacedSecret({ namespace: 'team', name: 'bot-token' });
      expect(s.data?.token).toBeDefined();
      expect(s.data?.['ca.crt']).toBeDefined();
      expect(Buffer.from(s.data!.namespace!, 'base64').toString()).toBe('team');
      return s;
    }, 15_000);
    await c.rbac.createNamespacedRole({ namespace: 'team', body: { metadata: { name: 'cm-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] } });
    await c.rbac.createNamespacedRoleBinding({ namespace: 'team', body: { metadata: { name: 'bot-reads' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'team' }] } });
    const kc = kubeConfig(sb.kubeconfigYaml, 'cluster-1');
    kc.users[0] = { ...kc.users[0]!, token: Buffer.from(secret.data!.token!, 'base64').toString() } as never;
    const bot = kc.makeApiClient(k8s.CoreV1Api);
    expect((await bot.listNamespacedConfigMap({ namespace: 'team' })).items).toBeDefined();
    const denied = await statusOf(bot.listNamespacedSecret({ namespace: 'team' }));
    expect(denied.code).toBe(403);
    expect(denied.body).toMatchObject({ kind: 'Status', reason: 'Forbidden' });
    expect(denied.body.message).toContain('system:serviceaccount:team:bot');
    expect((await statusOf(bot.listNamespacedConfigMap({ namespace: 'default' }))).code).toBe(403);
    const review = await kc.makeApiClient(k8s.AuthorizationV1Api).createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace: 'team', verb: 'list', resource: 'configmaps' } } } });
    expect(review.status?.allowed).toBe(true);
    const no = await kc.makeApiClient(k8s.AuthorizationV1Api).createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace: 'team', verb: 'delete', resource: 'configmaps' } } } });
    expect(no.status?.allowed).toBe(false);
  });
});

describe('faults', () => {
  it('a stopped cluster refuses connections and comes back with its state', async () => {
    const c2 = clients(sb.kubeconfigYaml, 'cluster-2');
    await c2.core.createNamespace({ body: { metadata: { name: 'keep' } } });
    const cl = sb.cluster('cluster-2');
    await cl.stop();
    const err = await c2.core.readNamespace({ name: 'keep' }).then(() => undefined, (e: Error & { cause?: { code?: string }; code?: string }) => e);
    expect(err).toBeDefined();
    expect(JSON.stringify({ m: err!.message, c: err!.cause?.code, code: err!.code })).toMatch(/ECONNREFUSED/);
    await cl.start();
    expect((await c2.core.readNamespace({ name: 'keep' })).metadata?.name).toBe('keep');
  });

  it('injects 429 with Retry-After and 500', async () => {
    const cl = sb.cluster('cluster-2');
    const c2 = clients(sb.kubeconfigYaml, 'cluster-2');
    cl.faults.set({ errorRate: 1, errorCode: 429, retryAfterSeconds: 7 });
    const r = await statusOf(c2.core.listNamespace());
    expect(r.code).toBe(429);
    expect(r.headers['retry-after']).toBe('7');
    cl.faults.set({ errorCode: 500 });
    expect((await statusOf(c2.core.listNamespace())).code).toBe(500);
    cl.faults.clear();
    expect((await c2.core.listNamespace()).items.length).toBeGreaterThan(0);
  });
});

describe('simulated cluster', () => {
  it('has nodes with region and zone labels', async () => {
    const n1 = await c.core.listNode();
    expect(n1.items.map((n) => n.metadata!.labels!['topology.kubernetes.io/zone']).sort()).toEqual(['us-east-1a', 'us-east-1b']);
    const n2 = await clients(sb.kubeconfigYaml, 'cluster-2').core.listNode();
    expect(n2.items[0]!.metadata!.labels!['topology.kubernetes.io/region']).toBe('eu-west-1');
  });

  it('fills Deployment status from capacity, EndpointSlices from ready replicas, and load balancers', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'app' } } });
    await c.apps.createNamespacedDeployment({ namespace: 'app', body: {
      metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'example.org/web:1' }] } } },
    } });
    await c.core.createNamespacedService({ namespace: 'app', body: { metadata: { name: 'web' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 as never }] } } });
    await eventually(async () => {
      const d = await c.apps.readNamespacedDeployment({ namespace: 'app', name: 'web' });
      expect(d.status?.readyReplicas).toBe(2);
      const s = await c.core.readNamespacedService({ namespace: 'app', name: 'web' });
      expect(s.spec?.clusterIP).toMatch(/^10\.96\./);
      expect(s.status?.loadBalancer?.ingress?.[0]?.ip).toMatch(/^192\.0\.2\./);
      const slices = await clients(sb.kubeconfigYaml).kc.makeApiClient(k8s.DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: 'app', labelSelector: 'kubernetes.io/service-name=web' });
      expect(slices.items[0]!.endpoints.filter((e) => e.conditions?.ready)).toHaveLength(2);
    }, 15_000);
    // beyond capacity (2 nodes x 100 pods), replicas stay unavailable
    await c.apps.patchNamespacedDeployment({ namespace: 'app', name: 'web', body: { spec: { replicas: 500 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await eventually(async () => {
      const d = await c.apps.readNamespacedDeployment({ namespace: 'app', name: 'web' });
      expect(d.status?.readyReplicas).toBeLessThanOrEqual(200);
      expect(d.status?.unavailableReplicas).toBeGreaterThanOrEqual(300);
    }, 15_000);
    await c.apps.patchNamespacedDeployment({ namespace: 'app', name: 'web', body: { spec: { replicas: 0 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await eventually(async () => {
      const slices = await c.kc.makeApiClient(k8s.DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: 'app', labelSelector: 'kubernetes.io/service-name=web' });
      expect(slices.items[0]!.endpoints ?? []).toHaveLength(0);
    }, 15_000);
  });
});
