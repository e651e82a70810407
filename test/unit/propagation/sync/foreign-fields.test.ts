// Which fields of a member object are foreign (set by another manager and not kfed's), as
// a table: kfed's own fields, shared fields, metadata, status, subresources, system
// controllers and the member-owned fields of a Service are kept; the rest is removed by a
// JSON patch that tests the resourceVersion first and removes later list items first.
import { describe, expect, it } from 'vitest';
import type { KubeObject, ManagedFieldsEntry } from '../../../../src/api/meta.js';
import { foreignFields, stillPresent } from '../../../../src/propagation/sync/foreign-fields.js';

const entry = (manager: string, fieldsV1: Record<string, unknown>, extra: Partial<ManagedFieldsEntry> = {}): ManagedFieldsEntry => ({ manager, operation: manager === 'kfed' ? 'Apply' : 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1, ...extra });

function obj(kind: string, body: Record<string, unknown>, managedFields: ManagedFieldsEntry[]): KubeObject {
  return { apiVersion: 'v1', kind, metadata: { name: 'x', namespace: 'n', resourceVersion: '42', managedFields, labels: { team: 'sre' } }, ...body };
}

describe('foreignFields', () => {
  it('removes what another manager added and kfed does not own; keeps shared, metadata, status, subresource and system fields', () => {
    const deployment = obj('Deployment', {
      spec: { replicas: 2, template: { spec: { hostNetwork: true, containers: [{ name: 'web', image: 'nginx', env: [{ name: 'MODE', value: 'p' }, { name: 'X', value: '1' }] }, { name: 'sidecar', image: 'proxy' }] } } },
      status: { replicas: 2 },
    }, [
      entry('kfed', { 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:env': { 'k:{"name":"MODE"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } } } } }),
      entry('kubectl-edit', {
        'f:metadata': { 'f:labels': { 'f:team': {} } },
        'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:hostNetwork': {}, 'f:containers': { 'k:{"name":"web"}': { 'f:env': { 'k:{"name":"X"}': { '.': {}, 'f:name': {}, 'f:value': {} } } }, 'k:{"name":"sidecar"}': { '.': {}, 'f:name': {}, 'f:image': {} } } } } },
      }),
      entry('kube-controller-manager', { 'f:status': { 'f:replicas': {} } }, { subresource: 'status' }),
      entry('hpa', { 'f:spec': { 'f:replicas': {} } }, { subresource: 'scale' }),
    ]);
    const f = foreignFields(deployment, { fieldManager: 'kfed' });
    expect(f.fields).toEqual(['spec.template.spec.containers[name=sidecar]', 'spec.template.spec.containers[name=web].env[name=X]', 'spec.template.spec.hostNetwork']);
    expect(f.patch).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '42' },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
      { op: 'remove', path: '/spec/template/spec/containers/0/env/1' },
      { op: 'remove', path: '/spec/template/spec/hostNetwork' },
    ]);
    expect(stillPresent(deployment, f, 'spec.template.spec.hostNetwork')).toBe(true);
  });

  it('keeps the member-owned fields of a Service and replicas under retainReplicas', () => {
    const service = obj('Service', { spec: { clusterIP: '10.0.0.1', ports: [{ port: 80, nodePort: 30080 }], externalTrafficPolicy: 'Local' } }, [
      entry('kfed', { 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } } }),
      entry('someone', { 'f:spec': { 'f:clusterIP': {}, 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { 'f:nodePort': {} } }, 'f:externalTrafficPolicy': {} } }),
    ]);
    (service.spec as { ports: Record<string, unknown>[] }).ports[0]!.protocol = 'TCP';
    expect(foreignFields(service, { fieldManager: 'kfed' }).fields).toEqual(['spec.externalTrafficPolicy']);
    const scaled = obj('Deployment', { spec: { replicas: 5 } }, [entry('hpa-like', { 'f:spec': { 'f:replicas': {} } })]);
    expect(foreignFields(scaled, { fieldManager: 'kfed' }).fields).toEqual(['spec.replicas']);
    expect(foreignFields(scaled, { fieldManager: 'kfed', retainReplicas: true }).fields).toEqual([]);
  });

  it('nothing to do without foreign managers, or when the field is already gone', () => {
    expect(foreignFields(obj('ConfigMap', { data: { a: '1' } }, [entry('kfed', { 'f:data': { 'f:a': {} } })]), { fieldManager: 'kfed' })).toEqual({ fields: [], patch: [], paths: {} });
    expect(foreignFields(obj('ConfigMap', { data: { a: '1' } }, [entry('other', { 'f:data': { 'f:gone': {} } })]), { fieldManager: 'kfed' }).patch).toEqual([]);
  });
});
