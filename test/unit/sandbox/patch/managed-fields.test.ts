import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../src/api/meta.js';
import { capUpdateManagers, decodeManagedFields, encodeManagedFields, trackUpdate } from '../../../../src/sandbox/patch/managed-fields.js';

const T0 = '2024-05-01T10:00:00.000Z';
const T1 = '2024-05-01T11:00:00.123Z';

function deployment(image = 'nginx:1', replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '5', labels: { app: 'web' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
    },
  };
}

describe('trackUpdate', () => {
  it('records a create like kubectl create: "." on added maps, pointers and list items only', () => {
    const out = trackUpdate({ oldObj: undefined, newObj: deployment(), manager: 'kubectl-create', apiVersion: 'apps/v1', now: T0 });
    expect(out.metadata.managedFields).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: '2024-05-01T10:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {} }, 'f:type': {} },
            'f:template': {
              'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
              'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
            },
          },
        },
      },
    ]);
    // The server's JSON key order, which `kubectl get -o yaml --show-managed-fields` shows.
    expect(Object.keys(out.metadata.managedFields?.[0] ?? {})).toEqual(['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1']);
  });

  it('an update by another manager takes the fields it changed', () => {
    const created = trackUpdate({ oldObj: undefined, newObj: deployment(), manager: 'kubectl-create', apiVersion: 'apps/v1', now: T0 });
    const next = { ...deployment('nginx:2'), metadata: { ...created.metadata } };
    const out = trackUpdate({ oldObj: created, newObj: next, manager: 'kubectl-set', apiVersion: 'apps/v1', now: T1 });
    const [create, set] = decodeManagedFields(out.metadata.managedFields) ?? [];
    expect(create?.manager).toBe('kubectl-create');
    expect(create?.set.has(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'])).toBe(false);
    expect(create?.set.has(['f:spec', 'f:replicas'])).toBe(true);
    expect(set).toMatchObject({ manager: 'kubectl-set', operation: 'Update', time: '2024-05-01T11:00:00Z' });
    expect(set?.set.paths()).toEqual([['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image']]);
  });

  it('a removed field leaves every manager', () => {
    const created = trackUpdate({ oldObj: undefined, newObj: deployment(), manager: 'a', apiVersion: 'apps/v1', now: T0 });
    const next = deployment();
    delete next.metadata.labels;
    next.metadata.managedFields = created.metadata.managedFields ?? [];
    const out = trackUpdate({ oldObj: created, newObj: next, manager: 'b', apiVersion: 'apps/v1', now: T1 });
    const entries = decodeManagedFields(out.metadata.managedFields) ?? [];
    expect(entries.map((e) => e.manager)).toEqual(['a']);
    expect(entries[0]?.set.node(['f:metadata'])).toBeUndefined();
  });

  it('a write that changes nothing adds no entry and keeps the times', () => {
    const created = trackUpdate({ oldObj: undefined, newObj: deployment(), manager: 'a', apiVersion: 'apps/v1', now: T0 });
    const out = trackUpdate({ oldObj: created, newObj: { ...created }, manager: 'b', apiVersion: 'apps/v1', now: T1 });
    expect(out.metadata.managedFields).toEqual(created.metadata.managedFields);
  });

  it('the same manager accumulates fields in one entry with a new time', () => {
    const created = trackUpdate({ oldObj: undefined, newObj: deployment(), manager: 'a', apiVersion: 'apps/v1', now: T0 });
    const next = { ...deployment('nginx:1', 4), metadata: created.metadata };
    const out = trackUpdate({ oldObj: created, newObj: next, manager: 'a', apiVersion: 'apps/v1', now: T1 });
    const entries = decodeManagedFields(out.metadata.managedFields) ?? [];
    expect(entries).toHaveLength(1);
    expect(entries[0]?.time).toBe('2024-05-01T11:00:00Z');
    expect(entries[0]?.set.has(['f:metadata', 'f:labels', 'f:app'])).toBe(true);
  });

  it('a status write through the subresource is its own entry and owns only status', () => {
    const created = trackUpdate({ oldObj: undefined, newObj: deployment(), manager: 'kubectl', apiVersion: 'apps/v1', now: T0 });
    const next: KubeObject = { ...created, status: { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] } };
    const out = trackUpdate({ oldObj: created, newObj: next, manager: 'kube-controller-manager', apiVersion: 'apps/v1', subresource: 'status', now: T1 });
    const status = out.metadata.managedFields?.find((e) => e.subresource === 'status');
    expect(status).toMatchObject({ manager: 'kube-controller-manager', operation: 'Update', subresource: 'status' });
    expect(status?.fieldsV1).toEqual({ 'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"Available"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:replicas': {} } });
    expect(Object.keys(status ?? {}).at(-1)).toBe('subresource');
  });

  it('managedFields: [{}] in the write resets ownership', () => {
    const created = trackUpdate({ oldObj: undefined, newObj: deployment(), manager: 'a', apiVersion: 'apps/v1', now: T0 });
    const next = { ...created, metadata: { ...created.metadata, managedFields: [{}] as never } };
    const out = trackUpdate({ oldObj: created, newObj: next, manager: 'b', apiVersion: 'apps/v1', now: T1 });
    expect(out.metadata).not.toHaveProperty('managedFields');
  });

  it('managedFields set by the writer replace the live ones; invalid ones are ignored', () => {
    const created = trackUpdate({ oldObj: undefined, newObj: deployment(), manager: 'a', apiVersion: 'apps/v1', now: T0 });
    const mine = [{ manager: 'x', operation: 'Apply' as const, apiVersion: 'apps/v1', fieldsType: 'FieldsV1' as const, fieldsV1: { 'f:spec': { 'f:replicas': {} } } }];
    const replaced = trackUpdate({ oldObj: created, newObj: { ...created, metadata: { ...created.metadata, managedFields: mine } }, manager: 'b', apiVersion: 'apps/v1', now: T1 });
    expect(replaced.metadata.managedFields?.map((e) => e.manager)).toEqual(['x']);
    const bogus = [{ manager: 'x', operation: 'Bogus', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: {} }];
    const kept = trackUpdate({ oldObj: created, newObj: { ...created, metadata: { ...created.metadata, managedFields: bogus as never } }, manager: 'b', apiVersion: 'apps/v1', now: T1 });
    expect(kept.metadata.managedFields).toEqual(created.metadata.managedFields);
  });

  it('custom resources without a schema: spec is added as a whole', () => {
    const cr: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3 } };
    const out = trackUpdate({ oldObj: undefined, newObj: cr, manager: 'kubectl-create', apiVersion: 'example.com/v1', now: T0 });
    expect(out.metadata.managedFields?.[0]?.fieldsV1).toEqual({ 'f:spec': { '.': {}, 'f:size': {} } });
  });

  it('status written through the main resource is not owned unless the kind has no status subresource', () => {
    const cr = (status: number): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { a: 1 }, status: { n: status } });
    const withSub = trackUpdate({ oldObj: cr(1), newObj: cr(2), manager: 'x', apiVersion: 'example.com/v1', now: T0 });
    expect(withSub.metadata.managedFields).toBeUndefined();
    const without = trackUpdate({ oldObj: cr(1), newObj: cr(2), manager: 'x', apiVersion: 'example.com/v1', now: T0, statusSubresource: false });
    expect(without.metadata.managedFields?.[0]?.fieldsV1).toEqual({ 'f:status': { 'f:n': {} } });
  });

  it('does not modify its inputs', () => {
    const old = deployment();
    const next = deployment('nginx:9');
    const snapshot = structuredClone({ old, next });
    trackUpdate({ oldObj: old, newObj: next, manager: 'a', apiVersion: 'apps/v1', now: T0 });
    expect({ old, next }).toEqual(snapshot);
  });
});

describe('encodeManagedFields', () => {
  it('sorts Apply before Update, then by time and manager', () => {
    const entries = decodeManagedFields([
      { manager: 'z', operation: 'Update', apiVersion: 'v1', time: '2024-01-01T00:00:02Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:a': {} } },
      { manager: 'y', operation: 'Update', apiVersion: 'v1', time: '2024-01-01T00:00:01Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:b': {} } },
      { manager: 'x', operation: 'Apply', apiVersion: 'v1', time: '2024-01-01T00:00:09Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:c': {} } },
      { manager: 'w', operation: 'Update', apiVersion: 'v1', time: '2024-01-01T00:00:01Z', fieldsType: 'FieldsV1', fieldsV1: {} },
    ]);
    expect(encodeManagedFields(entries ?? []).map((e) => e.manager)).toEqual(['x', 'y', 'z']);
  });
});

describe('capUpdateManagers', () => {
  it('folds the oldest Update entries into ancient-changes once there are more than ten', () => {
    let obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} };
    for (let i = 0; i < 12; i++) {
      const next: KubeObject = { ...obj, data: { ...(obj['data'] as object), [`k${i}`]: 'v' } };
      obj = trackUpdate({ oldObj: obj, newObj: next, manager: `m${i}`, apiVersion: 'v1', now: `2024-01-01T00:00:${String(10 + i)}Z` });
    }
    const managers = obj.metadata.managedFields?.map((e) => e.manager) ?? [];
    expect(managers).toHaveLength(10);
    expect(managers).toContain('ancient-changes');
    expect(managers).not.toContain('m0');
    expect(managers).not.toContain('m2');
    expect(managers).toContain('m11');
    const ancient = obj.metadata.managedFields?.find((e) => e.manager === 'ancient-changes');
    expect(ancient?.fieldsV1).toEqual({ 'f:data': { 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } });
  });

  it('leaves Apply entries alone', () => {
    const entries = decodeManagedFields([{ manager: 'a', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:x': {} } }]) ?? [];
    expect(capUpdateManagers(entries, 0)).toEqual(entries);
  });
});
