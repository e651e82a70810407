import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../src/api/meta.js';
import { applyPatch } from '../../../../src/sandbox/patch/apply-patch.js';
import { PatchError, patchErrorToStatus } from '../../../../src/sandbox/patch/errors.js';
import { decodeManagedFields } from '../../../../src/sandbox/patch/managed-fields.js';
import { ApplyConflictError } from '../../../../src/sandbox/patch/server-side-apply.js';
import { thrown } from '../../../support/thrown.js';

const GVK = { group: 'apps', version: 'v1', kind: 'Deployment' };
const T0 = '2024-05-01T10:00:00Z';
const T1 = '2024-05-01T11:00:00Z';
const T2 = '2024-05-01T12:00:00Z';

/** The manifest a user would `kubectl apply --server-side`. */
function manifest(opts: { replicas?: number; image?: string; labels?: Record<string, string>; containers?: unknown[] } = {}): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: opts.containers ?? [{ name: 'web', image: opts.image ?? 'nginx:1', ports: [{ containerPort: 80 }] }] },
    },
  };
  if (opts.replicas !== undefined) spec['replicas'] = opts.replicas;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels: opts.labels ?? { app: 'web' } }, spec };
}

function apply(live: KubeObject | undefined, config: unknown, fieldManager: string, now = T0, extra: { force?: boolean; subresource?: string } = {}): KubeObject {
  const out = applyPatch({ type: 'apply', live, patch: config, gvk: GVK, isCustomResource: false, fieldManager, now, ...extra });
  // What the server's store adds on create; apply must keep it afterwards.
  if (live === undefined) out.metadata = { ...out.metadata, uid: 'u1', resourceVersion: '1', creationTimestamp: T0 };
  return out;
}

function owners(obj: KubeObject, path: string[]): string[] {
  return (decodeManagedFields(obj.metadata.managedFields) ?? []).filter((e) => e.set.has(path)).map((e) => `${e.manager}/${e.operation}`);
}

const REPLICAS = ['f:spec', 'f:replicas'];

const conflictOf = (fn: () => unknown): ApplyConflictError => thrown(fn, ApplyConflictError);

describe('server-side apply', () => {
  it('creates the object and records the applied fields', () => {
    const out = apply(undefined, manifest({ replicas: 2 }), 'kubectl');
    expect(out.spec).toEqual(manifest({ replicas: 2 })['spec']);
    expect(out.metadata.managedFields).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"web"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it('re-applying the same manifest changes nothing, not even the time', () => {
    const first = apply(undefined, manifest({ replicas: 2 }), 'kubectl');
    const second = apply(first, manifest({ replicas: 2 }), 'kubectl', T1);
    expect(second).toEqual(first);
  });

  it('fields dropped from the manifest are removed (label, container, replicas)', () => {
    const two = [
      { name: 'web', image: 'nginx:1' },
      { name: 'side', image: 'busybox' },
    ];
    const first = apply(undefined, manifest({ replicas: 2, labels: { app: 'web', tier: 'front' }, containers: two }), 'kubectl');
    const second = apply(first, manifest({ labels: { app: 'web' }, containers: [{ name: 'web', image: 'nginx:1' }] }), 'kubectl', T1);
    expect(second.metadata.labels).toEqual({ app: 'web' });
    expect((second as any).spec.template.spec.containers).toEqual([{ name: 'web', image: 'nginx:1' }]);
    expect(second.spec).not.toHaveProperty('replicas');
    expect(second.metadata.uid).toBe('u1');
    expect(second.metadata.managedFields?.[0]?.time).toBe(T1);
  });

  it('a field another manager changed conflicts, naming the manager as the server does', () => {
    const applied = apply(undefined, manifest({ replicas: 2 }), 'kubectl');
    // kubectl scale --replicas=5 (a merge patch by manager kubectl-scale)
    const scaled = applyPatch({ type: 'merge', live: applied, patch: { spec: { replicas: 5 } }, gvk: GVK, isCustomResource: false, fieldManager: 'kubectl-scale', now: T1 });
    expect(owners(scaled, REPLICAS)).toEqual(['kubectl-scale/Update']);

    const err = conflictOf(() => apply(scaled, manifest({ replicas: 3 }), 'kubectl', T2));
    expect(err.code).toBe(409);
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas');
    expect(patchErrorToStatus(err)).toEqual({
      apiVersion: 'v1',
      kind: 'Status',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas',
      reason: 'Conflict',
      code: 409,
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-scale" using apps/v1', field: '.spec.replicas' }] },
    });
  });

  it('--force-conflicts takes the field over', () => {
    const applied = apply(undefined, manifest({ replicas: 2 }), 'kubectl');
    const scaled = applyPatch({ type: 'merge', live: applied, patch: { spec: { replicas: 5 } }, gvk: GVK, isCustomResource: false, fieldManager: 'kubectl-scale', now: T1 });
    const forced = apply(scaled, manifest({ replicas: 3 }), 'kubectl', T2, { force: true });
    expect((forced as any).spec.replicas).toBe(3);
    expect(owners(forced, REPLICAS)).toEqual(['kubectl/Apply']);
    // kubectl-scale owned nothing else, so its entry is gone.
    expect(forced.metadata.managedFields?.map((e) => e.manager)).toEqual(['kubectl']);
  });

  it('applying the value another manager set shares the field without conflict', () => {
    const applied = apply(undefined, manifest({ replicas: 2 }), 'kubectl');
    const scaled = applyPatch({ type: 'merge', live: applied, patch: { spec: { replicas: 5 } }, gvk: GVK, isCustomResource: false, fieldManager: 'kubectl-scale', now: T1 });
    const out = apply(scaled, manifest({ replicas: 5 }), 'kubectl', T2);
    expect(owners(out, REPLICAS).sort()).toEqual(['kubectl-scale/Update', 'kubectl/Apply']);
  });

  it('two appliers: the second conflicts with the first (no "using" for appliers), then shares after agreeing', () => {
    const a = apply(undefined, manifest({ replicas: 2 }), 'team-a');
    const err = conflictOf(() => apply(a, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 4 } }, 'team-b', T1));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "team-a": .spec.replicas');
    const b = apply(a, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } }, 'team-b', T1);
    expect(owners(b, REPLICAS).sort()).toEqual(['team-a/Apply', 'team-b/Apply']);
    // team-a stops applying replicas: team-b still owns it, so it stays.
    const c = apply(b, manifest(), 'team-a', T2);
    expect((c as any).spec.replicas).toBe(2);
    expect(owners(c, REPLICAS)).toEqual(['team-b/Apply']);
  });

  it('several conflicts are listed per manager', () => {
    const a = apply(undefined, manifest({ replicas: 2, image: 'nginx:1' }), 'team-a');
    const err = conflictOf(() => apply(a, manifest({ replicas: 3, image: 'nginx:2' }), 'team-b', T1));
    expect(err.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "team-a":\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
    );
    expect(err.causes?.map((c) => c.field)).toEqual(['.spec.replicas', '.spec.template.spec.containers[name="web"].image']);
  });

  it('a field an Update manager also owns is not removed when the applier drops it', () => {
    const applied = apply(undefined, manifest({ labels: { app: 'web', env: 'prod' } }), 'kubectl');
    const labelled = applyPatch({ type: 'strategic', live: applied, patch: { metadata: { labels: { env: 'prod' } } }, gvk: GVK, isCustomResource: false, fieldManager: 'kubectl-label', now: T1 });
    // Same value: the label is now owned by both.
    expect(owners(labelled, ['f:metadata', 'f:labels', 'f:env'])).toEqual(['kubectl/Apply']);
    const relabelled = applyPatch({ type: 'strategic', live: labelled, patch: { metadata: { labels: { env: 'staging' } } }, gvk: GVK, isCustomResource: false, fieldManager: 'kubectl-label', now: T1 });
    expect(owners(relabelled, ['f:metadata', 'f:labels', 'f:env'])).toEqual(['kubectl-label/Update']);
    const out = apply(relabelled, manifest({ labels: { app: 'web' } }), 'kubectl', T2);
    expect(out.metadata.labels).toEqual({ app: 'web', env: 'staging' });
  });

  it('associative lists merge across managers: a sidecar added by another applier survives', () => {
    const a = apply(undefined, manifest(), 'kubectl');
    const b = apply(a, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'istio-proxy', image: 'proxy:1' }] } } } }, 'injector', T1);
    expect((b as any).spec.template.spec.containers.map((c: any) => c.name)).toEqual(['web', 'istio-proxy']);
    const c = apply(b, manifest({ image: 'nginx:2' }), 'kubectl', T2);
    expect((c as any).spec.template.spec.containers).toEqual([
      { name: 'web', image: 'nginx:2', ports: [{ containerPort: 80 }] },
      { name: 'istio-proxy', image: 'proxy:1' },
    ]);
  });

  it('sets (finalizers) are unions; atomic lists (args) are replaced', () => {
    const base = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', finalizers: ['a'] }, spec: { template: { spec: { containers: [{ name: 'web', args: ['--x'] }] } } } };
    const a = apply(undefined, base, 'one');
    const b = apply(a, { ...base, metadata: { name: 'web', finalizers: ['b'] }, spec: { template: { spec: { containers: [{ name: 'web', args: ['--x'] }] } } } }, 'two', T1);
    expect(b.metadata.finalizers).toEqual(['a', 'b']);
    expect(owners(b, ['f:metadata', 'f:finalizers', 'v:"b"'])).toEqual(['two/Apply']);
    const err = conflictOf(() => apply(b, { ...base, metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'web', args: ['--y'] }] } } } }, 'three', T2));
    expect(err.causes?.map((c) => c.field).sort()).toEqual(['.spec.template.spec.containers[name="web"].args', '.spec.template.spec.containers[name="web"].args']);
  });

  it('applying to the main resource ignores status, and the status subresource ignores spec', () => {
    const created = apply(undefined, { ...manifest({ replicas: 1 }), status: { replicas: 9 } }, 'kubectl');
    expect(created).not.toHaveProperty('status');
    const withStatus = apply(created, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 7 }, status: { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] } }, 'controller', T1, { subresource: 'status' });
    expect((withStatus as any).spec.replicas).toBe(1);
    expect((withStatus as any).status).toEqual({ replicas: 1, conditions: [{ type: 'Available', status: 'True' }] });
    const entry = withStatus.metadata.managedFields?.find((e) => e.manager === 'controller');
    expect(entry).toMatchObject({ operation: 'Apply', subresource: 'status' });
    expect(entry?.fieldsV1).toEqual({ 'f:status': { 'f:conditions': { 'k:{"type":"Available"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:replicas': {} } });
    const reapplied = apply(withStatus, manifest({ replicas: 1 }), 'kubectl', T2);
    expect((reapplied as any).status).toEqual((withStatus as any).status);
  });

  it('keeps the live resourceVersion unless the manifest sets one (then it is a precondition for the store)', () => {
    const first = apply(undefined, manifest(), 'kubectl');
    expect(apply(first, manifest({ replicas: 2 }), 'kubectl', T1).metadata.resourceVersion).toBe('1');
    const stale = { ...manifest({ replicas: 2 }), metadata: { name: 'web', resourceVersion: '0' } };
    expect(apply(first, stale, 'kubectl', T1).metadata.resourceVersion).toBe('0');
  });

  it('merged associative lists follow the applied order, live-only items staying in place', () => {
    const c = (names: string[]) => manifest({ containers: names.map((name) => ({ name, image: `${name}:1` })) });
    const a = apply(undefined, c(['a', 'b']), 'one');
    const b = apply(a, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'c:1' }, { name: 'a', image: 'a:1' }] } } } }, 'two', T1);
    expect((b as any).spec.template.spec.containers.map((x: any) => x.name)).toEqual(['c', 'a', 'b']);
  });

  it('null in the manifest removes the field but keeps ownership', () => {
    const a = apply(undefined, manifest({ replicas: 2 }), 'kubectl');
    const m = manifest();
    (m['spec'] as Record<string, unknown>)['replicas'] = null;
    const b = apply(a, m, 'kubectl', T1);
    expect(b.spec).not.toHaveProperty('replicas');
    expect(owners(b, REPLICAS)).toEqual(['kubectl/Apply']);
  });

  it('custom resources merge lists as their CRD schema says', () => {
    const gvk = { group: 'example.com', version: 'v1', kind: 'Widget' };
    const fieldMeta = {
      fields: { spec: { fields: { ports: { listType: 'map' as const, listMapKeys: ['port'] } } } },
    };
    const w = (ports: unknown[]) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { ports } });
    const a = applyPatch({ type: 'apply', live: undefined, patch: w([{ port: 1 }]), gvk, isCustomResource: true, fieldManager: 'a', fieldMeta, now: T0 });
    const b = applyPatch({ type: 'apply', live: a, patch: w([{ port: 2 }]), gvk, isCustomResource: true, fieldManager: 'b', fieldMeta, now: T1 });
    expect((b as any).spec.ports).toEqual([{ port: 1 }, { port: 2 }]);
    const atomic = applyPatch({ type: 'apply', live: a, patch: w([{ port: 2 }]), gvk, isCustomResource: true, fieldManager: 'a', now: T1 });
    expect((atomic as any).spec.ports).toEqual([{ port: 2 }]);
  });
});

describe('apply errors', () => {
  const err = (fn: () => unknown): PatchError => thrown(fn, PatchError);
  const base = { type: 'apply' as const, live: undefined, gvk: GVK, isCustomResource: false, now: T0 };

  it.each([
    ['a wrong apiVersion', { ...manifest(), apiVersion: 'apps/v1beta1' }, 400, 'Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1'],
    ['managedFields in the manifest', { ...manifest(), metadata: { name: 'web', managedFields: [] } }, 400, 'metadata.managedFields must be nil'],
    ['a container without its name', manifest({ containers: [{ image: 'x' }] }), 422, undefined],
    ['two containers with one name', manifest({ containers: [{ name: 'a' }, { name: 'a' }] }), 422, undefined],
  ])('%s', (_name, patch, code, message) => {
    const e = err(() => applyPatch({ ...base, patch, fieldManager: 'kubectl' }));
    expect(e.code).toBe(code);
    if (message !== undefined) expect(e.message).toBe(message);
  });

  it('fieldManager is required for apply (422 on PatchOptions)', () => {
    const e = err(() => applyPatch({ ...base, patch: manifest() }));
    expect(patchErrorToStatus(e)).toEqual({
      apiVersion: 'v1',
      kind: 'Status',
      metadata: {},
      status: 'Failure',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      reason: 'Invalid',
      code: 422,
      details: { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] },
    });
  });

  it('a uid in a manifest that creates is a 409 uid mismatch', () => {
    const e = err(() => applyPatch({ ...base, patch: { ...manifest(), metadata: { name: 'web', uid: 'abc' } }, fieldManager: 'kubectl' }));
    expect(e.code).toBe(409);
    expect(e.message).toBe('Operation cannot be fulfilled on deployments.apps "web": uid mismatch: the provided object specified uid abc, and no existing object was found');
  });
});
