// API conformance over HTTPS with @kubernetes/client-node: CRUD, errors, selectors,
// pagination, generation, finalizers, namespaces, garbage collection, dry-run.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { clients, eventually, statusOf, type k8s } from '../../support/kube-clients.js';

let sb: Sandbox;
let c: ReturnType<typeof clients>;

beforeAll(async () => {
  sb = await startSandbox({ clusters: 1 });
  c = clients(sb.kubeconfigYaml);
  await c.core.createNamespace({ body: { metadata: { name: 'crud' } } });
});
afterAll(async () => {
  await sb?.close();
});

describe('object semantics', () => {
  it('creates, reads, updates and deletes with uid, creationTimestamp and resourceVersion', async () => {
    const created = await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'a' }, data: { k: 'v' } } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const rv1 = Number(created.metadata?.resourceVersion);
    expect(rv1).toBeGreaterThan(0);
    const read = await c.core.readNamespacedConfigMap({ namespace: 'crud', name: 'a' });
    expect(read.data).toEqual({ k: 'v' });
    read.data = { k: 'w' };
    const updated = await c.core.replaceNamespacedConfigMap({ namespace: 'crud', name: 'a', body: read });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(rv1);
    await c.core.deleteNamespacedConfigMap({ namespace: 'crud', name: 'a' });
    const gone = await statusOf(c.core.readNamespacedConfigMap({ namespace: 'crud', name: 'a' }));
    expect(gone.code).toBe(404);
    expect(gone.body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });

  it('refuses a stale update with 409 Conflict and a duplicate create with 409 AlreadyExists', async () => {
    const cm = await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'b' }, data: { n: '1' } } });
    await c.core.replaceNamespacedConfigMap({ namespace: 'crud', name: 'b', body: { ...cm, data: { n: '2' } } });
    const stale = await statusOf(c.core.replaceNamespacedConfigMap({ namespace: 'crud', name: 'b', body: { ...cm, data: { n: '3' } } }));
    expect(stale.code).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    const dup = await statusOf(c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'b' } } }));
    expect(dup.code).toBe(409);
    expect(dup.body.reason).toBe('AlreadyExists');
  });

  it('rejects invalid names and missing required fields with 422 Invalid', async () => {
    const bad = await statusOf(c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'Bad_Name' } } }));
    expect(bad.code).toBe(422);
    expect(bad.body.reason).toBe('Invalid');
    expect(bad.body.details.causes[0].field).toBe('metadata.name');
    const noSel = await statusOf(c.apps.createNamespacedDeployment({ namespace: 'crud', body: { metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'x', image: 'x' }] } } } as never } }));
    expect(noSel.code).toBe(422);
    expect(JSON.stringify(noSel.body.details.causes)).toContain('spec.selector');
  });

  it('bumps generation on spec changes only and keeps status separate', async () => {
    const d = await c.apps.createNamespacedDeployment({ namespace: 'crud', body: {
      metadata: { name: 'gen' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'gen' } }, template: { metadata: { labels: { app: 'gen' } }, spec: { containers: [{ name: 'c', image: 'example.org/c:1' }] } } },
    } });
    expect(d.metadata?.generation).toBe(1);
    expect(d.metadata?.generation).toBe(1);
    // The simulated controller writes status meanwhile (a few ms after each change), so each update
    // starts from a fresh read and, like any client racing a controller, retries on 409 Conflict.
    const fresh = () => c.apps.readNamespacedDeployment({ namespace: 'crud', name: 'gen' });
    const update = async <T>(write: (cur: k8s.V1Deployment) => Promise<T>): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await write(await fresh());
        } catch (err) {
          if ((err as { code?: number }).code !== 409 || attempt === 5) throw err;
        }
      }
    };
    const labelled = await update((d1) => c.apps.replaceNamespacedDeployment({ namespace: 'crud', name: 'gen', body: { ...d1, metadata: { ...d1.metadata, labels: { x: 'y' } } } }));
    expect(labelled.metadata?.generation).toBe(1);
    const scaled = await update((d2) => c.apps.replaceNamespacedDeployment({ namespace: 'crud', name: 'gen', body: { ...d2, spec: { ...d2.spec!, replicas: 2 } } }));
    expect(scaled.metadata?.generation).toBe(2);
    // a status written through the main resource is ignored
    const withStatus = await update((d3) => c.apps.replaceNamespacedDeployment({ namespace: 'crud', name: 'gen', body: { ...d3, status: { replicas: 99 } } }));
    expect(withStatus.status?.replicas).not.toBe(99);
    // and a spec written through /status is ignored
    const st = await update((cur) => c.apps.replaceNamespacedDeploymentStatus({ namespace: 'crud', name: 'gen', body: { ...cur, spec: { ...cur.spec!, replicas: 7 }, status: { ...cur.status, observedGeneration: 42 } } }));
    expect(st.spec?.replicas).toBe(2);
    expect(st.status?.observedGeneration).toBe(42);
  });

  it('supports dryRun=All without storing anything', async () => {
    await c.core.createNamespacedConfigMap({ namespace: 'crud', dryRun: 'All', body: { metadata: { name: 'dry' } } });
    expect((await statusOf(c.core.readNamespacedConfigMap({ namespace: 'crud', name: 'dry' }))).code).toBe(404);
  });
});

describe('list', () => {
  beforeAll(async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'sel' } } });
    const labels: Record<string, string>[] = [{ app: 'web', tier: 'front' }, { app: 'web', tier: 'back' }, { app: 'db' }, {}];
    for (let i = 0; i < labels.length; i++) {
      await c.core.createNamespacedConfigMap({ namespace: 'sel', body: { metadata: { name: `cm-${i}`, labels: labels[i]! } } });
    }
  });

  const names = async (labelSelector?: string, fieldSelector?: string): Promise<string[]> => {
    const l = await c.core.listNamespacedConfigMap({ namespace: 'sel', ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) });
    return l.items.map((i) => i.metadata!.name!).filter((n) => n.startsWith('cm-'));
  };

  it.each([
    ['app=web', ['cm-0', 'cm-1']],
    ['app==web', ['cm-0', 'cm-1']],
    ['app!=web', ['cm-2', 'cm-3']],
    ['app in (web,db)', ['cm-0', 'cm-1', 'cm-2']],
    ['app notin (web)', ['cm-2', 'cm-3']],
    ['tier', ['cm-0', 'cm-1']],
    ['!tier', ['cm-2', 'cm-3']],
    ['app=web,tier=back', ['cm-1']],
  ])('label selector %s', async (sel, want) => {
    expect(await names(sel)).toEqual(want);
  });

  it('field selectors on metadata.name and metadata.namespace', async () => {
    expect(await names(undefined, 'metadata.name=cm-2')).toEqual(['cm-2']);
    expect(await names(undefined, 'metadata.name!=cm-2')).toEqual(['cm-0', 'cm-1', 'cm-3']);
    const all = await c.core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.namespace=sel' });
    expect(all.items.every((i) => i.metadata?.namespace === 'sel')).toBe(true);
  });

  it('rejects a malformed selector with 400', async () => {
    expect((await statusOf(c.core.listNamespacedConfigMap({ namespace: 'sel', labelSelector: 'a in (' }))).code).toBe(400);
  });

  it('paginates with limit and continue', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'page' } } });
    for (let i = 0; i < 25; i++) await c.core.createNamespacedConfigMap({ namespace: 'page', body: { metadata: { name: `p-${String(i).padStart(2, '0')}` } } });
    const seen: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const l = await c.core.listNamespacedConfigMap({ namespace: 'page', limit: 10, ...(cont ? { _continue: cont } : {}) });
      pages++;
      seen.push(...l.items.map((i) => i.metadata!.name!));
      cont = l.metadata?._continue;
      if (cont) expect(l.metadata?.remainingItemCount).toBeGreaterThan(0);
    } while (cont);
    expect(pages).toBe(3);
    expect(seen.filter((n) => n.startsWith('p-'))).toHaveLength(25);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('serves later pages from the first page\'s snapshot, and expires the token once that is compacted (410)', async () => {
    const first = await c.core.listNamespacedConfigMap({ namespace: 'page', limit: 10 });
    await c.core.createNamespacedConfigMap({ namespace: 'page', body: { metadata: { name: 'p-99-late' } } });
    await c.core.deleteNamespacedConfigMap({ namespace: 'page', name: 'p-24' });
    const rest = await c.core.listNamespacedConfigMap({ namespace: 'page', limit: 100, _continue: first.metadata!._continue! });
    const names = rest.items.map((i) => i.metadata!.name!);
    expect(names).toContain('p-24');
    expect(names).not.toContain('p-99-late');
    expect(rest.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    sb.clusters[0]!.faults.compact();
    const gone = await statusOf(c.core.listNamespacedConfigMap({ namespace: 'page', limit: 10, _continue: first.metadata!._continue! }));
    expect(gone.code).toBe(410);
  });

  it('streams a list longer than one response chunk intact, also filtered and paged', async () => {
    const cluster = sb.clusters[0]!;
    const def = cluster.registry.lookup('', 'v1', 'configmaps')!;
    await c.core.createNamespace({ body: { metadata: { name: 'many' } } });
    const n = 1234;
    const name = (i: number): string => `m-${String(i).padStart(4, '0')}`;
    for (let i = 0; i < n; i++) {
      cluster.objects.create(def, 'v1', 'many', { metadata: { name: name(i), labels: { odd: String(i % 2 === 1) } }, data: { i: String(i) } });
    }
    // every namespace also holds the cluster CA, first in name order, as on a real cluster
    while (!cluster.get('configmaps', 'many', 'kube-root-ca.crt')) await new Promise((r) => setTimeout(r, 10));
    const all = ['kube-root-ca.crt', ...Array.from({ length: n }, (_, i) => name(i))];
    // the raw response: chunked, valid JSON, every object once and in order
    const url = new URL(`${sb.clusters[0]!.url}/api/v1/namespaces/many/configmaps`);
    const raw = await new Promise<{ headers: Record<string, unknown>; text: string }>((resolve, reject) => {
      const req = https.request(url, { ca: cluster.caPem, headers: { Authorization: `Bearer ${cluster.adminToken}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(raw.headers['transfer-encoding']).toBe('chunked');
    const body = JSON.parse(raw.text) as { kind: string; metadata: { resourceVersion: string }; items: { metadata: { name: string }; data: { i: string } }[] };
    expect(body.kind).toBe('ConfigMapList');
    expect(Number(body.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(body.items.map((o) => o.metadata.name)).toEqual(all);
    expect(body.items.slice(1).every((o, i) => o.data.i === String(i))).toBe(true);
    // through client-node, with a selector, and in pages longer than a chunk
    const odd = await c.core.listNamespacedConfigMap({ namespace: 'many', labelSelector: 'odd=true' });
    expect(odd.items.map((o) => o.metadata!.name)).toEqual(Array.from({ length: n / 2 }, (_, k) => name(2 * k + 1)));
    const first = await c.core.listNamespacedConfigMap({ namespace: 'many', limit: 700 });
    expect(first.items).toHaveLength(700);
    expect(first.metadata?.remainingItemCount).toBe(n + 1 - 700);
    const rest = await c.core.listNamespacedConfigMap({ namespace: 'many', limit: 700, _continue: first.metadata!._continue! });
    expect([...first.items, ...rest.items].map((o) => o.metadata!.name)).toEqual(all);
    expect(rest.metadata?._continue).toBeUndefined();
  });
});

describe('deletion', () => {
  it('keeps an object with finalizers until they are removed', async () => {
    await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'fin', finalizers: ['example.com/hold'] } } });
    await c.core.deleteNamespacedConfigMap({ namespace: 'crud', name: 'fin' });
    const held = await c.core.readNamespacedConfigMap({ namespace: 'crud', name: 'fin' });
    expect(held.metadata?.deletionTimestamp).toBeDefined();
    const add = await statusOf(c.core.replaceNamespacedConfigMap({ namespace: 'crud', name: 'fin', body: { ...held, metadata: { ...held.metadata, finalizers: ['example.com/hold', 'example.com/more'] } } }));
    expect(add.code).toBe(422);
    await c.core.replaceNamespacedConfigMap({ namespace: 'crud', name: 'fin', body: { ...held, metadata: { ...held.metadata, finalizers: [] } } });
    expect((await statusOf(c.core.readNamespacedConfigMap({ namespace: 'crud', name: 'fin' }))).code).toBe(404);
  });

  it('deleting a namespace removes its contents and then the namespace', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await c.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'x' } } });
    await c.core.createNamespacedSecret({ namespace: 'doomed', body: { metadata: { name: 'y' }, stringData: { a: 'b' } } });
    await c.core.deleteNamespace({ name: 'doomed' });
    const ns = await c.core.readNamespace({ name: 'doomed' }).catch(() => undefined);
    if (ns) expect(ns.status?.phase).toBe('Terminating');
    const refused = await statusOf(c.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'late' } } })).catch(() => ({ code: 0 }));
    expect([403, 404]).toContain(refused.code);
    await eventually(async () => {
      expect((await statusOf(c.core.readNamespace({ name: 'doomed' }))).code).toBe(404);
    });
    expect((await c.core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.namespace=doomed' })).items).toHaveLength(0);
  });

  it('garbage-collects dependents in the background and orphans them on request', async () => {
    const owner = await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'owner' } } });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! };
    await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'dep', ownerReferences: [ref] } } });
    await c.core.deleteNamespacedConfigMap({ namespace: 'crud', name: 'owner' });
    await eventually(async () => expect((await statusOf(c.core.readNamespacedConfigMap({ namespace: 'crud', name: 'dep' }))).code).toBe(404));

    const owner2 = await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'owner2' } } });
    await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'dep2', ownerReferences: [{ ...ref, name: 'owner2', uid: owner2.metadata!.uid! }] } } });
    await c.core.deleteNamespacedConfigMap({ namespace: 'crud', name: 'owner2', propagationPolicy: 'Orphan' });
    await eventually(async () => expect((await statusOf(c.core.readNamespacedConfigMap({ namespace: 'crud', name: 'owner2' }))).code).toBe(404));
    const dep2 = await c.core.readNamespacedConfigMap({ namespace: 'crud', name: 'dep2' });
    expect(dep2.metadata?.ownerReferences ?? []).toHaveLength(0);
  });
});
