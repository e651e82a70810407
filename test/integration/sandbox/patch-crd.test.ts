// Every PATCH type, server-side apply ownership, CRDs with status and printer columns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { clients, eventually, k8s, statusOf } from '../../support/kube-clients.js';

let sb: Sandbox;
let c: ReturnType<typeof clients>;

const deployment = (name: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'p' },
  spec: {
    replicas: 1, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'example.org/a:1', env: [{ name: 'A', value: '1' }] }] } },
  },
});

beforeAll(async () => {
  sb = await startSandbox({ clusters: 1 });
  c = clients(sb.kubeconfigYaml);
  await c.core.createNamespace({ body: { metadata: { name: 'p' } } });
});
afterAll(async () => {
  await sb?.close();
});

describe('patch', () => {
  it('JSON merge patch', async () => {
    await c.core.createNamespacedConfigMap({ namespace: 'p', body: { metadata: { name: 'm' }, data: { a: '1', b: '2' } } });
    const r = await c.objects.patch({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm', namespace: 'p' }, data: { a: null, c: '3' } } as never, undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch);
    expect((r as { data: unknown }).data).toEqual({ b: '2', c: '3' });
  });

  it('JSON patch, with a failing test op rejected', async () => {
    await c.core.createNamespacedConfigMap({ namespace: 'p', body: { metadata: { name: 'j' }, data: { a: '1' } } });
    const r = await c.core.patchNamespacedConfigMap({ namespace: 'p', name: 'j', body: [{ op: 'add', path: '/data/b', value: '2' }, { op: 'remove', path: '/data/a' }] }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch));
    expect(r.data).toEqual({ b: '2' });
    const bad = await statusOf(c.core.patchNamespacedConfigMap({ namespace: 'p', name: 'j', body: [{ op: 'test', path: '/data/b', value: 'nope' }] }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch)));
    expect([409, 422]).toContain(bad.code);
  });

  it('strategic merge patch merges containers and env by name', async () => {
    await c.apps.createNamespacedDeployment({ namespace: 'p', body: deployment('smp') });
    const r = await c.apps.patchNamespacedDeployment({ namespace: 'p', name: 'smp', body: {
      spec: { template: { spec: { containers: [{ name: 'main', env: [{ name: 'B', value: '2' }] }, { name: 'side', image: 'example.org/s:1' }] } } },
    } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch));
    const cs = r.spec!.template.spec!.containers;
    expect(cs.map((x) => x.name)).toEqual(['main', 'side']);
    expect(cs[0]!.image).toBe('example.org/a:1');
    expect(cs[0]!.env!.map((e) => e.name).sort()).toEqual(['A', 'B']);
  });

  it('server-side apply tracks managers, reports conflicts and takes over with force', async () => {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: 'p' }, data: { owned: 'a', shared: 'x' } };
    const created: k8s.KubernetesObject = await c.objects.patch(obj as k8s.KubernetesObject, undefined, undefined, 'alice', false, k8s.PatchStrategy.ServerSideApply);
    expect(created.metadata?.managedFields?.map((m) => m.manager)).toContain('alice');
    const conflict = await statusOf(c.objects.patch({ ...obj, data: { shared: 'y' } } as never, undefined, undefined, 'bob', false, k8s.PatchStrategy.ServerSideApply));
    expect(conflict.code).toBe(409);
    expect(JSON.stringify(conflict.body)).toContain('alice');
    const forced = await c.objects.patch({ ...obj, data: { shared: 'y' } } as never, undefined, undefined, 'bob', true, k8s.PatchStrategy.ServerSideApply);
    expect((forced as { data: Record<string, string> }).data).toEqual({ owned: 'a', shared: 'y' });
    // alice re-applies without `owned`: the field she alone owned is removed
    const again = await c.objects.patch({ ...obj, data: { } } as never, undefined, undefined, 'alice', false, k8s.PatchStrategy.ServerSideApply);
    expect((again as { data?: Record<string, string> }).data ?? {}).toEqual({ shared: 'y' });
  });

  it('an unchanged apply does not bump resourceVersion', async () => {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'idem', namespace: 'p' }, data: { a: '1' } };
    const first: k8s.KubernetesObject = await c.objects.patch(obj as k8s.KubernetesObject, undefined, undefined, 'kfed', true, k8s.PatchStrategy.ServerSideApply);
    const second: k8s.KubernetesObject = await c.objects.patch(obj as k8s.KubernetesObject, undefined, undefined, 'kfed', true, k8s.PatchStrategy.ServerSideApply);
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  });
});

describe('custom resources', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
      versions: [
        { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } }, status: { type: 'object', properties: { phase: { type: 'string' } } } } } }, subresources: { status: {} } },
        {
          name: 'v1', served: true, storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: {
            spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer', minimum: 1 }, color: { type: 'string', _default: 'blue' } } }, // client-node's model names `default` `_default`
            status: { type: 'object', properties: { phase: { type: 'string' } } },
          } } },
          subresources: { status: {} },
          additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }, { name: 'Phase', type: 'string', jsonPath: '.status.phase' }],
        },
      ],
    },
  };

  it('serves a CRD once created: Established, discovery, defaults, pruning, validation, status, table, several versions', async () => {
    await c.ext.createCustomResourceDefinition({ body: crd as never });
    const got = await c.ext.readCustomResourceDefinition({ name: 'widgets.example.com' });
    expect(got.status?.conditions?.find((x) => x.type === 'Established')?.status).toBe('True');
    const w = await c.custom.createNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'p', plural: 'widgets', body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3, junk: true }, status: { phase: 'ignored' } } }) as any;
    expect(w.spec).toEqual({ size: 3, color: 'blue' });
    expect(w.status).toBeUndefined();
    const invalid = await statusOf(c.custom.createNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'p', plural: 'widgets', body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w2' }, spec: { size: 0 } } }));
    expect(invalid.code).toBe(422);
    const st = await c.custom.patchNamespacedCustomObjectStatus({ group: 'example.com', version: 'v1', namespace: 'p', plural: 'widgets', name: 'w1', body: { status: { phase: 'Ready' }, spec: { size: 9 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)) as any;
    expect(st.status.phase).toBe('Ready');
    expect(st.spec.size).toBe(3);
    const old = await c.custom.getNamespacedCustomObject({ group: 'example.com', version: 'v1beta1', namespace: 'p', plural: 'widgets', name: 'w1' }) as any;
    expect(old.apiVersion).toBe('example.com/v1beta1');
    const smp = await statusOf(c.custom.patchNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'p', plural: 'widgets', name: 'w1', body: { spec: { size: 4 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)));
    expect(smp.code).toBe(415);

    const res = await fetchTable('/apis/example.com/v1/namespaces/p/widgets');
    expect(res.columnDefinitions.map((d: { name: string }) => d.name)).toEqual(['Name', 'Size', 'Phase']);
    expect(res.rows[0].cells).toEqual(['w1', 3, 'Ready']);
  });

  it('deleting a CRD removes its objects and its API', async () => {
    await c.ext.deleteCustomResourceDefinition({ name: 'widgets.example.com' });
    await eventually(async () => {
      const r = await statusOf(c.custom.listNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'p', plural: 'widgets' }));
      expect(r.code).toBe(404);
    });
    await c.ext.createCustomResourceDefinition({ body: crd as never });
    const l = await c.custom.listNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'p', plural: 'widgets' }) as any;
    expect(l.items).toHaveLength(0);
  });
});

async function fetchTable(path: string): Promise<any> {
  const cluster = sb.cluster('cluster-1');
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = https.request(`${cluster.url}${path}`, { ca: cluster.caPem, headers: { Authorization: `Bearer ${cluster.adminToken}`, Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end();
  });
}
