import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../src/api/meta.js';
import type { ClusterOverride, FederatedObject, OverridePolicy } from '../../../../src/api/federation.js';
import { applyClusterOverrides, checkClusterOverrides, overridesForCluster } from '../../../../src/propagation/policy/overrides.js';

const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'go-app', namespace: 'go-app', labels: { app: 'go-app' } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'go-app', image: 'example.org/go-app:1.0' }] } } },
});

describe('applyClusterOverrides', () => {
  it('applies the go-app example overrides (replace by default, add)', () => {
    const input = deployment();
    const out = applyClusterOverrides(input, [
      { path: '/spec/replicas', value: 4 },
      { path: '/spec/template/spec/containers/0/image', value: 'example.org/go-app:1.1' },
      { op: 'add', path: '/metadata/labels/canary', value: 'true' },
    ]);
    expect(out).toEqual({
      ok: true,
      value: {
        ...input,
        metadata: { ...input.metadata, labels: { app: 'go-app', canary: 'true' } },
        spec: { replicas: 4, template: { spec: { containers: [{ name: 'go-app', image: 'example.org/go-app:1.1' }] } } },
      },
    });
    expect(input.spec).toEqual(deployment().spec); // input untouched
  });

  it('removes a field and appends to a list', () => {
    const out = applyClusterOverrides(deployment(), [
      { op: 'remove', path: '/spec/replicas' },
      { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'sidecar', image: 'example.org/s:1' } },
    ]);
    expect(out.ok).toBe(true);
    if (out.ok) {
      expect((out.value.spec as Record<string, unknown>).replicas).toBeUndefined();
      expect(((out.value.spec as any).template.spec.containers as unknown[]).length).toBe(2);
    }
  });

  const failures: { name: string; ops: ClusterOverride[]; message: RegExp }[] = [
    { name: 'replace of a missing path', ops: [{ path: '/spec/paused', value: true }], message: /override\[0\] \(replace \/spec\/paused\): path does not exist/ },
    { name: 'add under a missing parent', ops: [{ op: 'add', path: '/spec/strategy/type', value: 'Recreate' }], message: /parent of path does not exist/ },
    { name: 'remove of a missing path', ops: [{ op: 'remove', path: '/spec/nothing' }], message: /path does not exist/ },
    { name: 'apiVersion', ops: [{ path: '/apiVersion', value: 'apps/v1beta1' }], message: /may not be overridden/ },
    { name: 'kind', ops: [{ path: '/kind', value: 'StatefulSet' }], message: /may not be overridden/ },
    { name: 'metadata.name', ops: [{ path: '/metadata/name', value: 'x' }], message: /may not be overridden/ },
    { name: 'metadata.namespace', ops: [{ op: 'remove', path: '/metadata/namespace' }], message: /may not be overridden/ },
    { name: 'all of metadata', ops: [{ path: '/metadata', value: {} }], message: /may not be overridden/ },
    { name: 'the whole object', ops: [{ path: '', value: {} }], message: /may not be overridden/ },
    { name: 'unknown op', ops: [{ op: 'move' as 'add', path: '/spec/replicas', value: 1 }], message: /unsupported op "move"/ },
    { name: 'relative path', ops: [{ path: 'spec.replicas', value: 1 }], message: /JSON pointer/ },
    { name: 'replace without value', ops: [{ path: '/spec/replicas' }], message: /value is required/ },
  ];
  for (const f of failures) {
    it(`refuses ${f.name} with ApplyOverridesFailed`, () => {
      const out = applyClusterOverrides(deployment(), f.ops);
      expect(out.ok).toBe(false);
      if (!out.ok) {
        expect(out.reason).toBe('ApplyOverridesFailed');
        expect(out.message).toMatch(f.message);
      }
    });
  }

  it('a null value is a value', () => {
    expect(applyClusterOverrides(deployment(), [{ path: '/spec/replicas', value: null }]).ok).toBe(true);
  });
});

describe('checkClusterOverrides', () => {
  it('refuses a duplicate path within one list', () => {
    expect(checkClusterOverrides([{ path: '/a', value: 1 }, { path: '/a', value: 2 }])).toMatch(/appears more than once/);
    expect(checkClusterOverrides([{ path: '/a', value: 1 }, { path: '/a', value: 2 }], { allowDuplicatePaths: true })).toBeUndefined();
  });
});

describe('overridesForCluster', () => {
  const fed: FederatedObject = {
    apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment',
    metadata: { name: 'go-app', namespace: 'go-app', labels: { app: 'go-app' } },
    spec: {
      template: {},
      overrides: [
        { clusterName: 'cluster-2', clusterOverrides: [{ path: '/spec/replicas', value: 4 }] },
        { clusterName: 'cluster-3', clusterOverrides: [{ path: '/spec/replicas', value: 1 }] },
        { clusterName: 'cluster-3', clusterOverrides: [{ path: '/spec/replicas', value: 2 }] },
      ],
    },
  };
  const policy = (name: string, priority: number, namespace: string | undefined, ops: ClusterOverride[], region = 'eu'): OverridePolicy => ({
    apiVersion: 'policy.kfed.io/v1alpha1', kind: namespace ? 'OverridePolicy' : 'ClusterOverridePolicy',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: { priority, resourceSelectors: [{ kind: 'Deployment' }], overrideRules: [{ targetClusters: { clusterSelector: { matchLabels: { region } } }, overriders: ops }] },
  });

  it('policy overriders come first (ascending priority), then the object own overrides', () => {
    const policies = [
      policy('high', 10, undefined, [{ path: '/spec/replicas', value: 9 }]),
      policy('low', 1, 'go-app', [{ path: '/spec/replicas', value: 7 }, { op: 'add', path: '/metadata/labels/env', value: 'eu' }]),
      policy('us-only', 50, undefined, [{ path: '/spec/replicas', value: 100 }], 'us'),
    ];
    const out = overridesForCluster(fed, { name: 'cluster-2', labels: { region: 'eu' } }, 'Deployment', policies);
    expect(out).toEqual({
      ok: true,
      value: [
        { path: '/spec/replicas', value: 7 },
        { op: 'add', path: '/metadata/labels/env', value: 'eu' },
        { path: '/spec/replicas', value: 9 },
        { path: '/spec/replicas', value: 4 },
      ],
    });
  });

  it('a policy targets clusters by name too, and not other kinds', () => {
    const byName: OverridePolicy = {
      apiVersion: 'policy.kfed.io/v1alpha1', kind: 'ClusterOverridePolicy', metadata: { name: 'n' },
      spec: { resourceSelectors: [{ kind: 'Deployment', name: 'go-app' }], overrideRules: [{ targetClusters: { clusters: ['cluster-1'] }, overriders: [{ path: '/spec/replicas', value: 3 }] }] },
    };
    const svc: OverridePolicy = { ...byName, metadata: { name: 's' }, spec: { ...byName.spec, resourceSelectors: [{ kind: 'Service' }] } };
    expect(overridesForCluster(fed, { name: 'cluster-1', labels: {} }, 'Deployment', [byName, svc])).toEqual({ ok: true, value: [{ path: '/spec/replicas', value: 3 }] });
    expect(overridesForCluster(fed, { name: 'cluster-4', labels: {} }, 'Deployment', [byName])).toEqual({ ok: true, value: [] });
  });

  it('a cluster listed twice fails only that cluster', () => {
    const bad = overridesForCluster(fed, { name: 'cluster-3', labels: {} }, 'Deployment');
    expect(bad).toMatchObject({ ok: false, reason: 'ApplyOverridesFailed' });
    if (!bad.ok) expect(bad.message).toMatch(/"cluster-3" appears more than once/);
    expect(overridesForCluster(fed, { name: 'cluster-2', labels: {} }, 'Deployment').ok).toBe(true);
  });

  it('an invalid policy rule names the policy', () => {
    const bad = overridesForCluster(fed, { name: 'cluster-1', labels: { region: 'eu' } }, 'Deployment', [policy('evil', 0, 'go-app', [{ path: '/kind', value: 'X' }])]);
    expect(bad).toMatchObject({ ok: false });
    if (!bad.ok) expect(bad.message).toMatch(/^OverridePolicy go-app\/evil: .*may not be overridden/);
  });
});
