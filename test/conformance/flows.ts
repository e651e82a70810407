// The differential conformance suite's request sequences. Each flow runs against one backend
// and returns named observations of what a client can see; the suite runs every flow against
// the embedded sandbox and a real kube-apiserver and compares the observations.
import type { Reply, WireClient } from './client.js';

type Obj = Record<string, any>;
export type Observations = Record<string, unknown>;

export interface Flow {
  name: string;
  run(c: WireClient): Promise<Observations>;
}

/** A Status or an object, reduced to what clients branch on. */
export function shape(r: Reply): Obj {
  const b = r.body;
  if (b.kind === 'Status') {
    return {
      code: r.code, kind: 'Status', status: b.status, reason: b.reason,
      details: b.details ? { name: b.details.name, group: b.details.group, kind: b.details.kind, causes: causes(b.details.causes) } : undefined,
    };
  }
  return { code: r.code, kind: b.kind };
}

function causes(list: Obj[] | undefined): Obj[] | undefined {
  if (!list) return undefined;
  return list.map((c) => ({ reason: c.reason, field: c.field })).sort((a, b) => `${a.field}${a.reason}`.localeCompare(`${b.field}${b.reason}`));
}

function meta(r: Reply): Obj {
  const m = r.body.metadata ?? {};
  return { code: r.code, generation: m.generation, hasUid: typeof m.uid === 'string', hasRv: typeof m.resourceVersion === 'string', deleting: m.deletionTimestamp !== undefined };
}

const ns = (name: string): Obj => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const cm = (name: string, data: Obj = { a: '1' }, extra: Obj = {}): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data, ...extra });

function deployment(name: string, replicas = 1): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { app: name } },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
  };
}

async function poll<T>(fn: () => Promise<T | undefined>, ms = 15_000): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const FLOWS: Flow[] = [
  {
    name: 'configmap CRUD, generation and DELETE body',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-cm'));
      const base = '/api/v1/namespaces/conf-cm/configmaps';
      const created = await c.call('POST', base, cm('one'));
      const got = await c.call('GET', `${base}/one`);
      const updated = await c.call('PUT', `${base}/one`, { ...got.body, data: { a: '2' } });
      const merge = await c.call('PATCH', `${base}/one`, { data: { b: '3' } }, 'application/merge-patch+json');
      const json = await c.call('PATCH', `${base}/one`, [{ op: 'add', path: '/data/c', value: '4' }], 'application/json-patch+json');
      const smp = await c.call('PATCH', `${base}/one`, { metadata: { labels: { x: 'y' } } }, 'application/strategic-merge-patch+json');
      const deleted = await c.call('DELETE', `${base}/one`);
      const after = await c.call('GET', `${base}/one`);
      return {
        created: meta(created), updated: meta(updated), merge: { ...meta(merge), data: merge.body.data }, json: json.body.data, smp: smp.body.metadata?.labels,
        deleted: shape(deleted), deletedUid: deleted.body.details?.uid === created.body.metadata?.uid, after: shape(after),
      };
    },
  },
  {
    name: 'server-side apply: create, no-op, conflict, force',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-ssa'));
      const p = '/api/v1/namespaces/conf-ssa/configmaps/applied';
      const ct = 'application/apply-patch+yaml';
      const first = await c.call('PATCH', `${p}?fieldManager=alice`, cm('applied', { k: 'v' }), ct);
      const again = await c.call('PATCH', `${p}?fieldManager=alice`, cm('applied', { k: 'v' }), ct);
      const conflict = await c.call('PATCH', `${p}?fieldManager=bob`, cm('applied', { k: 'w' }), ct);
      const forced = await c.call('PATCH', `${p}?fieldManager=bob&force=true`, cm('applied', { k: 'w' }), ct);
      const noManager = await c.call('PATCH', p, cm('applied', { k: 'x' }), ct);
      return {
        first: meta(first), sameRv: again.body.metadata?.resourceVersion === first.body.metadata?.resourceVersion,
        conflict: shape(conflict), forced: { code: forced.code, data: forced.body.data, managers: (forced.body.metadata?.managedFields ?? []).map((f: Obj) => `${f.manager}/${f.operation}`).sort() },
        noManager: shape(noManager),
      };
    },
  },
  {
    name: 'deployment generation: spec, labels, status',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-deploy'));
      const base = '/apis/apps/v1/namespaces/conf-deploy/deployments';
      const created = await c.call('POST', base, deployment('web'));
      const scaled = await c.call('PATCH', `${base}/web`, { spec: { replicas: 3 } }, 'application/merge-patch+json');
      const labelled = await c.call('PATCH', `${base}/web`, { metadata: { labels: { extra: 'x' } } }, 'application/merge-patch+json');
      const status = await c.call('PATCH', `${base}/web/status`, { status: { observedGeneration: 2 } }, 'application/merge-patch+json');
      const deleted = await c.call('DELETE', `${base}/web`);
      return { created: created.body.metadata?.generation, scaled: scaled.body.metadata?.generation, labelled: labelled.body.metadata?.generation, status: status.body.metadata?.generation, deleted: shape(deleted) };
    },
  },
  {
    name: 'generation on kinds without one (Service, Secret, ServiceAccount) and DELETE bodies',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-gen'));
      const svc = await c.call('POST', '/api/v1/namespaces/conf-gen/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }], selector: { app: 's' } } });
      const svc2 = await c.call('PATCH', '/api/v1/namespaces/conf-gen/services/s', { spec: { ports: [{ port: 81 }] } }, 'application/merge-patch+json');
      const secret = await c.call('POST', '/api/v1/namespaces/conf-gen/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, stringData: { k: 'v' } });
      const sa = await c.call('POST', '/api/v1/namespaces/conf-gen/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
      const delSvc = await c.call('DELETE', '/api/v1/namespaces/conf-gen/services/s');
      const delSecret = await c.call('DELETE', '/api/v1/namespaces/conf-gen/secrets/x');
      const delSa = await c.call('DELETE', '/api/v1/namespaces/conf-gen/serviceaccounts/robot');
      return {
        svc: [svc.body.metadata?.generation, svc2.body.metadata?.generation], secret: { generation: secret.body.metadata?.generation, data: secret.body.data, type: secret.body.type },
        sa: sa.body.metadata?.generation, delSvc: shape(delSvc), delSecret: shape(delSecret), delSa: shape(delSa),
      };
    },
  },
  {
    name: 'namespace phase, finalizers, kube-root-ca.crt, deletion',
    async run(c) {
      const created = await c.call('POST', '/api/v1/namespaces', ns('conf-ns'));
      const rootCa = await poll(async () => {
        const r = await c.call('GET', '/api/v1/namespaces/conf-ns/configmaps/kube-root-ca.crt');
        return r.code === 200 ? r : undefined;
      });
      const deleted = await c.call('DELETE', '/api/v1/namespaces/conf-ns');
      const inTerminating = await c.call('POST', '/api/v1/namespaces/conf-ns/configmaps', cm('late'));
      return {
        phase: created.body.status?.phase, finalizers: created.body.spec?.finalizers, labels: created.body.metadata?.labels,
        rootCa: rootCa ? { keys: Object.keys(rootCa.body.data ?? {}), annotations: Object.keys(rootCa.body.metadata?.annotations ?? {}) } : 'missing',
        deleted: { ...shape(deleted), phase: deleted.body.status?.phase, deleting: deleted.body.metadata?.deletionTimestamp !== undefined },
        inTerminating: shape(inTerminating),
      };
    },
  },
  {
    name: 'default objects: kubernetes Service, Endpoints, EndpointSlice; system namespaces',
    async run(c) {
      const svc = await c.call('GET', '/api/v1/namespaces/default/services/kubernetes');
      const ep = await c.call('GET', '/api/v1/namespaces/default/endpoints/kubernetes');
      const slice = await c.call('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes');
      const nss = await c.call('GET', '/api/v1/namespaces');
      const deletePublic = await c.call('DELETE', '/api/v1/namespaces/kube-public');
      return {
        svc: { code: svc.code, ports: (svc.body.spec?.ports ?? []).map((p: Obj) => `${p.name}/${p.port}/${p.protocol}`), labels: svc.body.metadata?.labels },
        ep: { code: ep.code, labels: ep.body.metadata?.labels, portNames: (ep.body.subsets?.[0]?.ports ?? []).map((p: Obj) => p.name) },
        slice: { code: slice.code, labels: slice.body.metadata?.labels, addressType: slice.body.addressType },
        namespaces: (nss.body.items ?? []).map((n: Obj) => n.metadata.name).filter((n: string) => n.startsWith('kube-') || n === 'default').sort(),
        deletePublic: shape(deletePublic),
      };
    },
  },
  {
    name: 'errors: duplicate, stale update, invalid name, unknown resource, POST to a name, bad patch type',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-err'));
      const base = '/api/v1/namespaces/conf-err/configmaps';
      const first = await c.call('POST', base, cm('dup'));
      const dup = await c.call('POST', base, cm('dup'));
      await c.call('PATCH', `${base}/dup`, { data: { z: '1' } }, 'application/merge-patch+json');
      const stale = await c.call('PUT', `${base}/dup`, first.body);
      const badName = await c.call('POST', base, cm('Bad_Name'));
      const unknown = await c.call('GET', '/api/v1/namespaces/conf-err/widgets');
      const postNamed = await c.call('POST', `${base}/named`, cm('named'));
      const badPatch = await c.call('PATCH', `${base}/dup`, { data: {} }, 'text/plain');
      const missing = await c.call('GET', `${base}/nope`);
      const wrongNs = await c.call('POST', base, { ...cm('other'), metadata: { name: 'other', namespace: 'elsewhere' } });
      return { dup: shape(dup), stale: shape(stale), badName: shape(badName), unknown: shape(unknown), postNamed: postNamed.code, badPatch: shape(badPatch), missing: shape(missing), wrongNs: shape(wrongNs) };
    },
  },
  {
    name: 'immutable ConfigMap and Secret',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-imm'));
      const base = '/api/v1/namespaces/conf-imm/configmaps';
      await c.call('POST', base, cm('frozen', { a: '1' }, { immutable: true }));
      const change = await c.call('PATCH', `${base}/frozen`, { data: { a: '2' } }, 'application/merge-patch+json');
      const unfreeze = await c.call('PATCH', `${base}/frozen`, { immutable: false }, 'application/merge-patch+json');
      const labels = await c.call('PATCH', `${base}/frozen`, { metadata: { labels: { ok: 'yes' } } }, 'application/merge-patch+json');
      await c.call('POST', '/api/v1/namespaces/conf-imm/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, immutable: true, data: { k: 'dg==' } });
      const secret = await c.call('PATCH', '/api/v1/namespaces/conf-imm/secrets/s', { data: { k: 'dw==' } }, 'application/merge-patch+json');
      return { change: shape(change), unfreeze: shape(unfreeze), labels: labels.code, secret: shape(secret) };
    },
  },
  {
    name: 'list pagination',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-page'));
      for (let i = 0; i < 5; i++) await c.call('POST', '/api/v1/namespaces/conf-page/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: `s${i}` } });
      const p1 = await c.call('GET', '/api/v1/namespaces/conf-page/secrets?limit=2');
      const p2 = await c.call('GET', `/api/v1/namespaces/conf-page/secrets?limit=2&continue=${encodeURIComponent(p1.body.metadata?.continue ?? '')}`);
      // changes between pages: later pages still show the first page's snapshot
      await c.call('POST', '/api/v1/namespaces/conf-page/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's35' } });
      await c.call('DELETE', '/api/v1/namespaces/conf-page/secrets/s4');
      await c.call('PATCH', '/api/v1/namespaces/conf-page/secrets/s3', { metadata: { labels: { changed: 'yes' } } }, 'application/merge-patch+json');
      const p3 = await c.call('GET', `/api/v1/namespaces/conf-page/secrets?limit=2&continue=${encodeURIComponent(p2.body.metadata?.continue ?? '')}`);
      const withRv = await c.call('GET', `/api/v1/namespaces/conf-page/secrets?limit=2&resourceVersion=1&continue=${encodeURIComponent(p1.body.metadata?.continue ?? '')}`);
      const fresh = await c.call('GET', '/api/v1/namespaces/conf-page/secrets');
      const badToken = await c.call('GET', '/api/v1/namespaces/conf-page/secrets?limit=2&continue=not-a-token');
      const names = (r: Reply): string[] => (r.body.items ?? []).map((o: Obj) => o.metadata.name);
      return {
        pages: [names(p1), names(p2), names(p3)], remaining: [p1.body.metadata?.remainingItemCount, p2.body.metadata?.remainingItemCount, p3.body.metadata?.remainingItemCount],
        lastHasContinue: Boolean(p3.body.metadata?.continue), kind: p1.body.kind, badToken: shape(badToken),
        sameRv: p3.body.metadata?.resourceVersion === p1.body.metadata?.resourceVersion, withRv: shape(withRv), fresh: names(fresh),
      };
    },
  },
  {
    name: 'watch events: ADDED, MODIFIED, DELETED in order',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-watch'));
      const list = await c.call('GET', '/api/v1/namespaces/conf-watch/configmaps');
      const rv = String(list.body.metadata?.resourceVersion ?? '');
      const base = '/api/v1/namespaces/conf-watch/configmaps';
      const events = await c.watch(`${base}?fieldSelector=metadata.name%3Dw`, rv, 3, async () => {
        await c.call('POST', base, cm('w'));
        await c.call('PATCH', `${base}/w`, { data: { a: '2' } }, 'application/merge-patch+json');
        await c.call('DELETE', `${base}/w`);
      });
      return { events: events.map((e) => `${e.type} ${e.object?.kind} ${e.object?.metadata?.name} ${JSON.stringify(e.object?.data ?? null)}`) };
    },
  },
  {
    name: 'RBAC: a service account is refused, then allowed by a RoleBinding',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-rbac'));
      await c.call('POST', '/api/v1/namespaces/conf-rbac/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader' } });
      const tr = await c.call('POST', '/api/v1/namespaces/conf-rbac/serviceaccounts/reader/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
      const sa = c.as(String(tr.body.status?.token ?? ''));
      const refused = await sa.call('GET', '/api/v1/namespaces/conf-rbac/configmaps');
      await c.call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/conf-rbac/roles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'read' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] });
      await c.call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/conf-rbac/rolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'read' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read' }, subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'conf-rbac' }],
      });
      const allowed = await poll(async () => {
        const r = await sa.call('GET', '/api/v1/namespaces/conf-rbac/configmaps');
        return r.code === 200 ? r : undefined;
      }, 5000);
      const write = await sa.call('POST', '/api/v1/namespaces/conf-rbac/configmaps', cm('no'));
      const review = await sa.call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'conf-rbac', verb: 'list', resource: 'configmaps' } } });
      const bad = await c.as('not-a-token').call('GET', '/api/v1/namespaces');
      return { token: tr.code, refused: shape(refused), allowed: allowed?.code ?? 'never', write: shape(write), review: { code: review.code, allowed: review.body.status?.allowed }, bad: shape(bad) };
    },
  },
  {
    name: 'request validation: field selectors, list options, typed and strict decoding',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-val'));
      const base = '/api/v1/namespaces/conf-val/configmaps';
      const badField = await c.call('GET', `${base}?fieldSelector=spec.nope%3Dx`);
      const goodField = await c.call('GET', `${base}?fieldSelector=metadata.name%3Dx`);
      const rvMatchAlone = await c.call('GET', `${base}?resourceVersionMatch=NotOlderThan`);
      const continueWithRv = await c.call('GET', `${base}?continue=abc&resourceVersion=5`);
      const strict = await c.call('POST', `${base}?fieldValidation=Strict`, { ...cm('strict'), bogus: 1 });
      const typed = await c.call('POST', '/apis/apps/v1/namespaces/conf-val/deployments', { ...deployment('typed'), spec: { ...deployment('typed').spec, replicas: 'two' } });
      return { badField: shape(badField), goodField: goodField.code, rvMatchAlone: shape(rvMatchAlone), continueWithRv: shape(continueWithRv), strict: shape(strict), typed: shape(typed) };
    },
  },
  {
    name: 'typed and strict decoding of built-in kinds: Strict, Warn, Ignore, wrong types, every write path',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-dec'));
      const base = '/api/v1/namespaces/conf-dec/configmaps';
      const deploys = '/apis/apps/v1/namespaces/conf-dec/deployments';
      const seen = (r: Reply): Obj => ({ code: r.code, reason: r.body.reason, message: r.body.message, warnings: r.warnings, data: r.body.data, bogus: r.body.bogus, causes: causes(r.body.details?.causes) });
      const unknown = { ...cm('u'), metadata: { name: 'u', labels: { x: 'y' }, zork: 1 }, bogus: 1, spec: { foo: 2 } };
      const out: Observations = {};
      out.strict = seen(await c.call('POST', `${base}?fieldValidation=Strict`, unknown));
      out.warn = seen(await c.call('POST', base, unknown));
      out.warnGet = seen(await c.call('GET', `${base}/u`));
      out.ignore = seen(await c.call('POST', `${base}?fieldValidation=Ignore`, { ...cm('i'), bogus: 1 }));
      out.putStrict = seen(await c.call('PUT', `${base}/i?fieldValidation=Strict`, { ...cm('i'), bogus: 1 }));
      out.mapValue = seen(await c.call('POST', base, cm('n', { a: 1 })));
      const d = deployment('typed');
      const withSpec = (spec: Obj): Obj => ({ ...d, spec: { ...d.spec, ...spec } });
      const pod = (container: Obj): Obj => withSpec({ template: { ...d.spec.template, spec: { containers: [container] } } });
      out.replicas = seen(await c.call('POST', deploys, withSpec({ replicas: 'two' })));
      out.fraction = seen(await c.call('POST', deploys, withSpec({ replicas: 2.5 })));
      out.nested = seen(await c.call('POST', `${deploys}?fieldValidation=Strict`, pod({ name: 'web', image: 'nginx', foo: 1 })));
      out.containerName = seen(await c.call('POST', deploys, pod({ name: 5, image: 'nginx' })));
      out.quantity = seen(await c.call('POST', deploys, pod({ name: 'web', image: 'nginx', resources: { limits: { cpu: true } } })));
      out.intOrString = seen(await c.call('POST', deploys, withSpec({ paused: 'yes', strategy: { rollingUpdate: { maxSurge: true } } })));
      out.metadataType = seen(await c.call('POST', deploys, { ...d, metadata: 'x' }));
      out.labelsType = seen(await c.call('POST', deploys, { ...d, metadata: { name: 'l', labels: ['a'] } }));
      out.time = seen(await c.call('POST', deploys, { ...d, metadata: { name: 't', creationTimestamp: 'yesterday' } }));
      out.base64 = seen(await c.call('POST', '/api/v1/namespaces/conf-dec/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: '!!!' } }));
      out.targetPort = seen(await c.call('POST', '/api/v1/namespaces/conf-dec/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 1.5 }] } }));
      out.caseMatters = seen(await c.call('POST', base, { ...cm('case'), Data: { b: '2' } }));
      await c.call('POST', base, cm('m'));
      out.mergeStrict = { ...seen(await c.call('PATCH', `${base}/m?fieldValidation=Strict`, { bogus: 1 }, 'application/merge-patch+json')), message: undefined };
      out.mergeWarn = seen(await c.call('PATCH', `${base}/m`, { bogus: 1 }, 'application/merge-patch+json'));
      out.mergeTyped = { ...seen(await c.call('PATCH', `${base}/m`, { data: { a: 5 } }, 'application/merge-patch+json')), message: undefined };
      out.jsonPatchStrict = { ...seen(await c.call('PATCH', `${base}/m?fieldValidation=Strict`, [{ op: 'add', path: '/bogus', value: 1 }], 'application/json-patch+json')), message: undefined };
      out.smpStrict = seen(await c.call('PATCH', `${base}/m?fieldValidation=Strict`, { bogus: 1 }, 'application/strategic-merge-patch+json'));
      const apply = (q: string, body: Obj): Promise<Reply> => c.call('PATCH', `${base}/m?fieldManager=x${q}`, body, 'application/apply-patch+yaml');
      out.applyUnknown = seen(await apply('', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' }, bogus: 1 }));
      out.applyIgnore = seen(await apply('&fieldValidation=Ignore', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' }, bogus: 1 }));
      out.applyTyped = seen(await apply('', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' }, data: { a: 5 } }));
      return out;
    },
  },
  {
    name: 'default roles view, edit, admin; health with a bad token',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-roles'));
      const out: Observations = {};
      for (const role of ['view', 'edit', 'admin']) {
        await c.call('POST', '/api/v1/namespaces/conf-roles/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: role } });
        await c.call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/conf-roles/rolebindings', {
          apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: role },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [{ kind: 'ServiceAccount', name: role, namespace: 'conf-roles' }],
        });
        const tr = await c.call('POST', `/api/v1/namespaces/conf-roles/serviceaccounts/${role}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
        const sa = c.as(String(tr.body.status?.token ?? ''));
        // aggregation and the authorizer's cache take a moment on a real server
        await poll(async () => ((await sa.call('GET', '/api/v1/namespaces/conf-roles/configmaps')).code === 200 ? true : undefined), 10_000);
        out[role] = {
          readConfigMaps: (await sa.call('GET', '/api/v1/namespaces/conf-roles/configmaps')).code,
          readSecrets: (await sa.call('GET', '/api/v1/namespaces/conf-roles/secrets')).code,
          writeConfigMap: (await sa.call('POST', '/api/v1/namespaces/conf-roles/configmaps', cm(`by-${role}`))).code,
          scaleDeployments: (await sa.call('GET', '/apis/apps/v1/namespaces/conf-roles/deployments')).code,
          createRole: (await sa.call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/conf-roles/roles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: `r-${role}` }, rules: [] })).code,
          listNamespaces: (await sa.call('GET', '/api/v1/namespaces')).code,
        };
      }
      out.healthBadToken = (await c.as('not-a-token').call('GET', '/healthz')).code;
      return out;
    },
  },
  {
    name: 'Job: template and selector fixed once created',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-job'));
      const base = '/apis/batch/v1/namespaces/conf-job/jobs';
      const job = {
        apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1' }] } } },
      };
      const created = await c.call('POST', base, job);
      const image = await c.call('PATCH', `${base}/once`, { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:2' }] } } } }, 'application/strategic-merge-patch+json');
      const labels = await c.call('PATCH', `${base}/once`, { metadata: { labels: { ok: 'yes' } } }, 'application/merge-patch+json');
      const noContainers = await c.call('POST', base, { ...job, metadata: { name: 'empty' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [] } } } });
      return { created: { code: created.code, generation: created.body.metadata?.generation }, image: shape(image), labels: labels.code, noContainers: shape(noContainers) };
    },
  },
  {
    name: 'server-side apply: shared ownership and removal',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-ssa2'));
      const p = '/api/v1/namespaces/conf-ssa2/configmaps/shared';
      const ct = 'application/apply-patch+yaml';
      const managers = (r: { body: Obj }): string[] => (r.body.metadata?.managedFields ?? []).map((f: Obj) => `${f.manager}:${Object.keys(f.fieldsV1?.['f:data'] ?? {}).sort().join(',')}`).sort();
      await c.call('PATCH', `${p}?fieldManager=alice`, cm('shared', { k: 'v', a: '1' }), ct);
      const both = await c.call('PATCH', `${p}?fieldManager=bob`, cm('shared', { k: 'v' }), ct);
      const aliceDrops = await c.call('PATCH', `${p}?fieldManager=alice`, cm('shared', { a: '1' }), ct);
      const bobDrops = await c.call('PATCH', `${p}?fieldManager=bob`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared' } }, ct);
      return {
        both: { code: both.code, managers: managers(both) },
        aliceDrops: { data: aliceDrops.body.data, managers: managers(aliceDrops) },
        bobDrops: { data: bobDrops.body.data, managers: managers(bobDrops) },
      };
    },
  },
  {
    name: 'size limits: ConfigMap and Secret data, annotations, request body',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-size'));
      const base = '/api/v1/namespaces/conf-size';
      const mib = 1024 * 1024;
      const seen = (r: Reply): Obj => ({ ...shape(r), message: r.body.message });
      return {
        configMap: seen(await c.call('POST', `${base}/configmaps`, cm('big', { a: 'x'.repeat(mib / 2), b: 'y'.repeat(mib / 2 + 1) }))),
        configMapAtLimit: (await c.call('POST', `${base}/configmaps`, cm('full', { a: 'x'.repeat(mib - 1), b: 'y' }))).code,
        binaryData: seen(await c.call('POST', `${base}/configmaps`, { ...cm('bin', { a: 'x'.repeat(mib / 2) }), binaryData: { b: Buffer.alloc(mib / 2 + 1).toString('base64') } })),
        secret: seen(await c.call('POST', `${base}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'big' }, data: { a: Buffer.alloc(mib + 1).toString('base64') } })),
        annotations: seen(await c.call('POST', `${base}/configmaps`, { ...cm('ann'), metadata: { name: 'ann', annotations: { a: 'x'.repeat(256 * 1024) } } })),
        annotationsAtLimit: (await c.call('POST', `${base}/configmaps`, { ...cm('ann2'), metadata: { name: 'ann2', annotations: { a: 'x'.repeat(256 * 1024 - 1) } } })).code,
        body: seen(await c.call('POST', `${base}/configmaps`, cm('huge', { a: 'x'.repeat(3 * mib) }))),
        afterBody: (await c.call('GET', `${base}/configmaps/full`)).code,
      };
    },
  },
  {
    name: 'RBAC escalation: roles and bindings beyond what the author holds; escalate and bind',
    async run(c) {
      await c.call('POST', '/api/v1/namespaces', ns('conf-esc'));
      const rbac = '/apis/rbac.authorization.k8s.io/v1/namespaces/conf-esc';
      const role = (name: string, rules: Obj[]): Obj => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules });
      const binding = (name: string, kind: string, roleName: string): Obj => ({
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: roleName }, subjects: [{ kind: 'ServiceAccount', name: 'esc', namespace: 'conf-esc' }],
      });
      await c.call('POST', '/api/v1/namespaces/conf-esc/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'esc' } });
      const writer = [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['create', 'update', 'patch', 'get'] }, { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }];
      await c.call('POST', `${rbac}/roles`, role('writer', writer));
      await c.call('POST', `${rbac}/rolebindings`, binding('writer', 'Role', 'writer'));
      const tr = await c.call('POST', '/api/v1/namespaces/conf-esc/serviceaccounts/esc/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
      const sa = c.as(String(tr.body.status?.token ?? ''));
      const seen = (r: Reply): Obj => ({ ...shape(r), message: r.body.message });
      // the authorizer's cache takes a moment on a real server
      const subset = await poll(async () => {
        const r = await sa.call('POST', `${rbac}/roles`, role('subset', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]));
        return r.code === 201 ? r : undefined;
      }, 10_000);
      const more = role('more', [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list'] }, { nonResourceURLs: ['/x'], verbs: ['get'] }]);
      const out: Observations = {
        subset: subset?.code ?? 'never',
        more: seen(await sa.call('POST', `${rbac}/roles`, more)),
        names: seen(await sa.call('POST', `${rbac}/roles`, role('names', [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['a', 'b'], verbs: ['get'] }]))),
        patchMore: seen(await sa.call('PATCH', `${rbac}/roles/subset`, { rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['delete'] }] }, 'application/merge-patch+json')),
        bindAdmin: seen(await sa.call('POST', `${rbac}/rolebindings`, binding('admin', 'ClusterRole', 'cluster-admin'))),
        bindSubset: (await sa.call('POST', `${rbac}/rolebindings`, binding('subset', 'Role', 'subset'))).code,
        bindMissingRole: seen(await sa.call('POST', `${rbac}/rolebindings`, binding('missing', 'Role', 'nope'))),
        bindMissingClusterRole: seen(await sa.call('POST', `${rbac}/rolebindings`, binding('missing2', 'ClusterRole', 'nope'))),
      };
      // escalate on roles, bind on the cluster-admin ClusterRole: both are then allowed
      await c.call('PUT', `${rbac}/roles/writer`, role('writer', [...writer, { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] }, { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['cluster-admin'], verbs: ['bind'] }]));
      const escalated = await poll(async () => {
        const r = await sa.call('POST', `${rbac}/roles`, more);
        return r.code !== 403 ? r : undefined;
      }, 10_000);
      out.escalate = escalated ? seen(escalated) : 'never';
      out.escalateResources = (await sa.call('POST', `${rbac}/roles`, role('more2', [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list'] }]))).code;
      out.bind = (await sa.call('POST', `${rbac}/rolebindings`, binding('admin', 'ClusterRole', 'cluster-admin'))).code;
      out.bindViewStill = seen(await sa.call('POST', `${rbac}/rolebindings`, binding('view', 'ClusterRole', 'view')));
      return out;
    },
  },
  {
    name: 'OpenAPI v2 and v3: built-in schemas, operations, CRD schemas',
    async run(c) {
      const index = await c.call('GET', '/openapi/v3');
      const apps = await c.call('GET', '/openapi/v3/apis/apps/v1');
      const core = await c.call('GET', '/openapi/v3/api/v1');
      const v2 = await c.call('GET', '/openapi/v2');
      const schemas = apps.body.components?.schemas ?? {};
      const patchOp = (doc: Obj, path: string): Obj => {
        const op = doc.paths?.[path]?.patch ?? {};
        return { gvk: op['x-kubernetes-group-version-kind'], fieldValidation: (op.parameters ?? []).some((p: Obj) => p.name === 'fieldValidation') };
      };
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.conf.example.com' },
        spec: {
          group: 'conf.example.com', scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
        },
      };
      await c.call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
      // a real server publishes a CRD's schema a moment after it is established
      const gadget = await poll(async () => {
        const r = await c.call('GET', '/openapi/v3/apis/conf.example.com/v1');
        const s = r.body.components?.schemas?.['com.example.conf.v1.Gadget'];
        return s ? s : undefined;
      }, 15_000);
      await c.call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.conf.example.com');
      return {
        index: ['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/rbac.authorization.k8s.io/v1'].map((k) => typeof index.body.paths?.[k]?.serverRelativeURL === 'string'),
        openapi: apps.body.openapi,
        deployment: schemas['io.k8s.api.apps.v1.Deployment'],
        deploymentSpec: schemas['io.k8s.api.apps.v1.DeploymentSpec'],
        deleteOptionsGvks: schemas['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']?.['x-kubernetes-group-version-kind'],
        configMap: core.body.components?.schemas?.['io.k8s.api.core.v1.ConfigMap'],
        deploymentPatch: patchOp(apps.body, '/apis/apps/v1/namespaces/{namespace}/deployments/{name}'),
        v2: {
          swagger: v2.body.swagger, info: v2.body.info?.title,
          deployment: v2.body.definitions?.['io.k8s.api.apps.v1.Deployment'],
          podSpec: v2.body.definitions?.['io.k8s.api.core.v1.PodSpec'],
          quantity: v2.body.definitions?.['io.k8s.apimachinery.pkg.api.resource.Quantity'],
          patch: patchOp(v2.body, '/apis/apps/v1/namespaces/{namespace}/deployments/{name}'),
        },
        gadget: gadget ? { properties: Object.keys(gadget.properties ?? {}).sort(), metadata: gadget.properties?.metadata?.allOf, gvk: gadget['x-kubernetes-group-version-kind'] } : 'missing',
      };
    },
  },
];
