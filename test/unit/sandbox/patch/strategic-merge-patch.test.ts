import { describe, expect, it } from 'vitest';
import { builtinFieldMeta } from '../../../../src/sandbox/patch/builtin-schemas.js';
import { GENERIC_INVALID_MESSAGE, PatchError } from '../../../../src/sandbox/patch/errors.js';
import { SchemaLookup } from '../../../../src/sandbox/patch/patch-meta.js';
import { applyStrategicMergePatch } from '../../../../src/sandbox/patch/strategic-merge-patch.js';

const deploymentSchema = new SchemaLookup(builtinFieldMeta({ group: 'apps', version: 'v1', kind: 'Deployment' }));
const serviceSchema = new SchemaLookup(builtinFieldMeta({ group: '', version: 'v1', kind: 'Service' }));

/** A Deployment whose pod spec is `podSpec`. */
const dep = (podSpec: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { replicas: 1, template: { spec: podSpec } },
  ...rest,
});
const podPatch = (podSpec: Record<string, unknown>) => ({ spec: { template: { spec: podSpec } } });
const containers = (out: any) => out.spec.template.spec.containers;

interface Case {
  name: string;
  live: Record<string, unknown>;
  patch: unknown;
  check: (out: any) => void;
}

const CASES: Case[] = [
  {
    name: 'kubectl set image: a container is merged by name, the others stay',
    live: dep({ containers: [{ name: 'web', image: 'nginx:1', ports: [{ containerPort: 80 }] }, { name: 'log', image: 'fluent:1' }] }),
    patch: podPatch({ containers: [{ name: 'web', image: 'nginx:2' }] }),
    check: (o) => expect(containers(o)).toEqual([{ name: 'web', image: 'nginx:2', ports: [{ containerPort: 80 }] }, { name: 'log', image: 'fluent:1' }]),
  },
  {
    // As in the kubectl patch task page: the patched-in container comes first.
    name: 'a new container goes before the existing ones',
    live: dep({ containers: [{ name: 'web', image: 'nginx:1' }] }),
    patch: podPatch({ containers: [{ name: 'side', image: 'busybox' }] }),
    check: (o) => expect(containers(o).map((c: any) => c.name)).toEqual(['side', 'web']),
  },
  {
    name: 'env merges by name; null removes a field of one entry',
    live: dep({ containers: [{ name: 'web', env: [{ name: 'A', value: '1' }, { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }] }),
    patch: podPatch({ containers: [{ name: 'web', env: [{ name: 'B', value: '2', valueFrom: null }, { name: 'C', value: '3' }] }] }),
    check: (o) => expect(containers(o)[0].env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'C', value: '3' }]),
  },
  {
    name: 'ports merge by containerPort',
    live: dep({ containers: [{ name: 'web', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443, name: 'https' }] }] }),
    patch: podPatch({ containers: [{ name: 'web', ports: [{ containerPort: 443, protocol: 'TCP' }, { containerPort: 9090, name: 'metrics' }] }] }),
    check: (o) =>
      expect(containers(o)[0].ports).toEqual([
        { containerPort: 80, name: 'http' },
        { containerPort: 443, name: 'https', protocol: 'TCP' },
        { containerPort: 9090, name: 'metrics' },
      ]),
  },
  {
    name: 'volumeMounts merge by mountPath, volumes by name',
    live: dep({ volumes: [{ name: 'a', emptyDir: {} }], containers: [{ name: 'web', volumeMounts: [{ name: 'a', mountPath: '/a' }] }] }),
    patch: podPatch({ volumes: [{ name: 'b', configMap: { name: 'cm' } }], containers: [{ name: 'web', volumeMounts: [{ name: 'b', mountPath: '/b' }, { mountPath: '/a', readOnly: true }] }] }),
    check: (o) => {
      expect(o.spec.template.spec.volumes).toEqual([{ name: 'b', configMap: { name: 'cm' } }, { name: 'a', emptyDir: {} }]);
      expect(containers(o)[0].volumeMounts).toEqual([{ name: 'b', mountPath: '/b' }, { name: 'a', mountPath: '/a', readOnly: true }]);
    },
  },
  {
    name: '$patch: delete removes one list item by merge key',
    live: dep({ containers: [{ name: 'web' }, { name: 'side' }, { name: 'log' }] }),
    patch: podPatch({ containers: [{ name: 'side', $patch: 'delete' }] }),
    check: (o) => expect(containers(o).map((c: any) => c.name)).toEqual(['web', 'log']),
  },
  {
    name: '$patch: replace in a list replaces the whole list',
    live: dep({ containers: [{ name: 'web', image: 'a' }, { name: 'side' }] }),
    patch: podPatch({ containers: [{ name: 'only', image: 'b' }, { $patch: 'replace' }] }),
    check: (o) => expect(containers(o)).toEqual([{ name: 'only', image: 'b' }]),
  },
  {
    name: '$patch: replace in a map replaces that map',
    live: dep({ containers: [] }, { metadata: { name: 'web', labels: { a: '1', b: '2' } } }),
    patch: { metadata: { labels: { c: '3', $patch: 'replace' } } },
    check: (o) => expect(o.metadata.labels).toEqual({ c: '3' }),
  },
  {
    name: '$patch: delete in a map empties it',
    live: dep({ containers: [], nodeSelector: { zone: 'a' } }),
    patch: podPatch({ nodeSelector: { $patch: 'delete' } }),
    check: (o) => expect(o.spec.template.spec.nodeSelector).toEqual({}),
  },
  {
    name: 'null deletes a key; maps merge key by key',
    live: dep({ containers: [] }, { metadata: { name: 'web', labels: { a: '1', b: '2' }, annotations: { x: 'y' } } }),
    patch: { metadata: { labels: { a: null, c: '3' }, annotations: null } },
    check: (o) => {
      expect(o.metadata.labels).toEqual({ b: '2', c: '3' });
      expect(o.metadata).not.toHaveProperty('annotations');
    },
  },
  {
    name: 'tolerations have no strategy: the patch replaces them',
    live: dep({ containers: [], tolerations: [{ key: 'a', operator: 'Exists' }] }),
    patch: podPatch({ tolerations: [{ key: 'b', operator: 'Exists' }] }),
    check: (o) => expect(o.spec.template.spec.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]),
  },
  {
    name: 'args (a primitive list without strategy) are replaced',
    live: dep({ containers: [{ name: 'web', args: ['--a', '--b'] }] }),
    patch: podPatch({ containers: [{ name: 'web', args: ['--c'] }] }),
    check: (o) => expect(containers(o)[0].args).toEqual(['--c']),
  },
  {
    name: 'finalizers merge as a set',
    live: dep({ containers: [] }, { metadata: { name: 'web', finalizers: ['a', 'b'] } }),
    patch: { metadata: { finalizers: ['b', 'c'] } },
    check: (o) => expect(o.metadata.finalizers).toEqual(['a', 'b', 'c']),
  },
  {
    name: '$deleteFromPrimitiveList removes values from a merged primitive list',
    live: dep({ containers: [] }, { metadata: { name: 'web', finalizers: ['a', 'b', 'c'] } }),
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'zzz'] } },
    check: (o) => expect(o.metadata.finalizers).toEqual(['a', 'c']),
  },
  {
    name: '$deleteFromPrimitiveList never creates the field',
    live: dep({ containers: [] }),
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
    check: (o) => expect(o.metadata).not.toHaveProperty('finalizers'),
  },
  {
    name: 'ownerReferences merge by uid; patch items take the patch order',
    live: dep({ containers: [] }, { metadata: { name: 'web', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: '1' }] } }),
    patch: { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Y', name: 'y', uid: '2' }, { uid: '1', controller: true }] } },
    check: (o) =>
      expect(o.metadata.ownerReferences).toEqual([
        { apiVersion: 'v1', kind: 'Y', name: 'y', uid: '2' },
        { apiVersion: 'v1', kind: 'X', name: 'x', uid: '1', controller: true },
      ]),
  },
  {
    name: '$setElementOrder reorders containers',
    live: dep({ containers: [{ name: 'a' }, { name: 'b' }] }),
    patch: podPatch({ '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] }),
    check: (o) => expect(containers(o).map((c: any) => c.name)).toEqual(['b', 'a']),
  },
  {
    name: '$setElementOrder places a new container where kubectl apply asks',
    live: dep({ containers: [{ name: 'a' }, { name: 'b' }] }),
    patch: podPatch({ '$setElementOrder/containers': [{ name: 'a' }, { name: 'c' }, { name: 'b' }], containers: [{ name: 'c', image: 'c:1' }] }),
    check: (o) => {
      expect(containers(o).map((c: any) => c.name)).toEqual(['a', 'c', 'b']);
      expect(o.spec.template.spec).not.toHaveProperty('$setElementOrder/containers');
    },
  },
  {
    name: '$setElementOrder with a primitive list',
    live: dep({ containers: [] }, { metadata: { name: 'web', finalizers: ['a', 'b', 'c'] } }),
    patch: { metadata: { '$setElementOrder/finalizers': ['c', 'a', 'b'] } },
    check: (o) => expect(o.metadata.finalizers).toEqual(['c', 'a', 'b']),
  },
  {
    name: 'kubectl apply switching the Deployment strategy sends $retainKeys',
    live: dep({ containers: [] }, {}),
    patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
    check: (o) => expect(o.spec.strategy).toEqual({ type: 'Recreate' }),
  },
  {
    name: '$retainKeys clears the old volume source',
    live: dep({ containers: [], volumes: [{ name: 'v', emptyDir: {} }] }),
    patch: podPatch({ volumes: [{ name: 'v', $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' } }] }),
    check: (o) => expect(o.spec.template.spec.volumes).toEqual([{ name: 'v', configMap: { name: 'cm' } }]),
  },
  {
    name: 'nulls inside a new value are dropped',
    live: dep({ containers: [] }),
    patch: podPatch({ securityContext: { runAsUser: 1000, fsGroup: null } }),
    check: (o) => expect(o.spec.template.spec.securityContext).toEqual({ runAsUser: 1000 }),
  },
  {
    name: 'a type change takes the patch value',
    live: dep({ containers: [] }, { metadata: { name: 'web', annotations: { a: 'b' } } }),
    patch: { spec: { replicas: { weird: true } } },
    check: (o) => expect(o.spec.replicas).toEqual({ weird: true }),
  },
  {
    name: 'merge lists keep the server-only items next to their neighbours',
    live: dep({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }),
    patch: podPatch({ containers: [{ name: 'd' }, { name: 'b', image: 'x' }] }),
    check: (o) => expect(containers(o).map((c: any) => c.name)).toEqual(['d', 'a', 'b', 'c']),
  },
];

describe('applyStrategicMergePatch on a Deployment', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const before = structuredClone(c.live);
    const patchBefore = structuredClone(c.patch);
    const out = applyStrategicMergePatch(c.live, c.patch, deploymentSchema);
    c.check(out);
    expect(c.live).toEqual(before);
    expect(c.patch).toEqual(patchBefore);
  });
});

describe('applyStrategicMergePatch on other kinds', () => {
  it('Service ports merge by port', () => {
    const live = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
    const out: any = applyStrategicMergePatch(live, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, serviceSchema);
    expect(out.spec.ports).toEqual([{ port: 80, targetPort: 9090 }, { port: 443 }]);
  });

  it('status conditions merge by type', () => {
    const live = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, status: { conditions: [{ type: 'Available', status: 'False' }, { type: 'Progressing', status: 'True' }] } };
    const out: any = applyStrategicMergePatch(live, { status: { conditions: [{ type: 'Available', status: 'True' }] } }, deploymentSchema);
    expect(out.status.conditions).toEqual([{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True' }]);
  });

  it('without metadata every list is replaced (what an unknown kind gets)', () => {
    const out: any = applyStrategicMergePatch({ spec: { items: [{ name: 'a' }] } }, { spec: { items: [{ name: 'b' }] } }, new SchemaLookup());
    expect(out.spec.items).toEqual([{ name: 'b' }]);
  });
});

describe('strategic merge patch errors', () => {
  const live = dep({ containers: [{ name: 'a' }] }, { metadata: { name: 'web', finalizers: ['x'] } });
  it.each([
    ['a patch that is not an object', ['x'], 400],
    ['a list item without its merge key', podPatch({ containers: [{ image: 'x' }] }), 400],
    ['$patch: delete without the merge key', podPatch({ containers: [{ $patch: 'delete' }] }), 400],
    ['$patch: merge in a list', podPatch({ containers: [{ $patch: 'merge' }] }), 400],
    ['an unknown $patch in a map', { metadata: { labels: { $patch: 'frob' } } }, 400],
    ['$retainKeys that is not a list', { spec: { strategy: { $retainKeys: 'type' } } }, 400],
    ['$setElementOrder that is not a list', podPatch({ '$setElementOrder/containers': 'a' }), 400],
    ['$setElementOrder that does not match the patch', podPatch({ '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'b' }] }), 400],
  ])('%s is 400 BadRequest', (_name, patch, code) => {
    let err: unknown;
    try {
      applyStrategicMergePatch(live, patch, deploymentSchema);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PatchError);
    expect((err as PatchError).code).toBe(code);
  });

  it('$deleteFromPrimitiveList with a non-list is ignored, as on the server', () => {
    const out: any = applyStrategicMergePatch(live, { metadata: { '$deleteFromPrimitiveList/finalizers': 'x' } }, deploymentSchema);
    expect(out.metadata.finalizers).toEqual(['x']);
  });

  it.each([
    ['a patch key outside $retainKeys', { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 1 }, type: 'RollingUpdate' } } }],
    ['a list of lists', { metadata: { finalizers: [['a']] } }],
  ])('%s is 422 Invalid', (_name, patch) => {
    let err: unknown;
    try {
      applyStrategicMergePatch(live, patch, deploymentSchema);
    } catch (e) {
      err = e;
    }
    expect((err as PatchError).code).toBe(422);
    expect((err as PatchError).message).toBe(GENERIC_INVALID_MESSAGE);
  });
});
