import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../src/api/meta.js';
import { applyPatch, managerFromUserAgent, patchTypeFromContentType, supportedPatchTypes } from '../../../../src/sandbox/patch/apply-patch.js';
import { PatchError, patchErrorToStatus } from '../../../../src/sandbox/patch/errors.js';
import { fieldMetaFromOpenApi, SchemaLookup } from '../../../../src/sandbox/patch/patch-meta.js';
import { thrown } from '../../../support/thrown.js';

const T0 = '2024-05-01T10:00:00Z';
const svcGvk = { group: '', version: 'v1', kind: 'Service' };
const crGvk = { group: 'example.com', version: 'v1', kind: 'Widget' };

function service(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace: 'default', uid: 'u', resourceVersion: '3' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
    status: { loadBalancer: {} },
  };
}

const err = (fn: () => unknown): PatchError => thrown(fn, PatchError);

describe('applyPatch', () => {
  it.each([
    ['json', [{ op: 'replace', path: '/spec/ports/0/targetPort', value: 9090 }]],
    ['merge', { spec: { ports: [{ port: 80, targetPort: 9090, protocol: 'TCP' }] } }],
    ['strategic', { spec: { ports: [{ port: 80, targetPort: 9090 }] } }],
  ] as const)('%s patch changes the object and records an Update entry', (type, patch) => {
    const live = service();
    const out = applyPatch({ type, live, patch, gvk: svcGvk, isCustomResource: false, fieldManager: 'kubectl-patch', now: T0 });
    expect((out as any).spec.ports).toEqual([{ port: 80, targetPort: 9090, protocol: 'TCP' }]);
    expect(out.metadata.managedFields).toEqual([
      {
        manager: 'kubectl-patch',
        operation: 'Update',
        apiVersion: 'v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { 'f:targetPort': {} } } } },
      },
    ]);
    expect(live).toEqual(service());
  });

  it('without fieldManager the manager is the User-Agent prefix', () => {
    const out = applyPatch({ type: 'merge', live: service(), patch: { metadata: { labels: { a: 'b' } } }, gvk: svcGvk, isCustomResource: false, userAgent: 'kubectl/v1.30.0 (linux/amd64) kubernetes/abc', now: T0 });
    expect(out.metadata.managedFields?.[0]?.manager).toBe('kubectl');
  });

  it('a patch of the main resource cannot change status; one of the status subresource cannot change spec', () => {
    const live = service();
    const main = applyPatch({ type: 'merge', live, patch: { spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } }, gvk: svcGvk, isCustomResource: false, fieldManager: 'm', now: T0 });
    expect((main as any).spec.type).toBe('LoadBalancer');
    expect((main as any).status).toEqual({ loadBalancer: {} });
    const status = applyPatch({ type: 'merge', live, patch: { spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } }, gvk: svcGvk, isCustomResource: false, fieldManager: 'lb', subresource: 'status', now: T0 });
    expect((status as any).spec.type).toBeUndefined();
    expect((status as any).status.loadBalancer.ingress).toEqual([{ ip: '192.0.2.1' }]);
    expect(status.metadata.managedFields?.[0]).toMatchObject({ manager: 'lb', subresource: 'status', fieldsV1: { 'f:status': { 'f:loadBalancer': { 'f:ingress': {} } } } });
  });

  it('a kind without a status subresource patches status from the main resource', () => {
    const out = applyPatch({ type: 'merge', live: service(), patch: { status: { x: 1 } }, gvk: svcGvk, isCustomResource: false, fieldManager: 'm', statusSubresource: false, now: T0 });
    expect((out as any).status.x).toBe(1);
  });

  it('strategic merge patch of a custom resource is 415 with the accepted types', () => {
    const cr: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: {} };
    const e = err(() => applyPatch({ type: 'strategic', live: cr, patch: { spec: { a: 1 } }, gvk: crGvk, isCustomResource: true, fieldManager: 'x' }));
    expect(patchErrorToStatus(e)).toEqual({
      apiVersion: 'v1',
      kind: 'Status',
      metadata: {},
      status: 'Failure',
      message: 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      reason: 'UnsupportedMediaType',
      code: 415,
    });
    expect(supportedPatchTypes(true)).not.toContain('strategic');
  });

  it('force on a non-apply patch is 422', () => {
    const e = err(() => applyPatch({ type: 'merge', live: service(), patch: {}, gvk: svcGvk, isCustomResource: false, force: true }));
    expect(e.code).toBe(422);
    expect(e.message).toBe('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  });

  it('a fieldManager longer than 128 characters is 422', () => {
    expect(err(() => applyPatch({ type: 'merge', live: service(), patch: {}, gvk: svcGvk, isCustomResource: false, fieldManager: 'x'.repeat(129) })).code).toBe(422);
  });

  it('a null merge patch is 400; a merge patch that is not an object makes an invalid object (422)', () => {
    expect(err(() => applyPatch({ type: 'merge', live: service(), patch: null, gvk: svcGvk, isCustomResource: false })).code).toBe(400);
    expect(err(() => applyPatch({ type: 'merge', live: service(), patch: [1], gvk: svcGvk, isCustomResource: false })).code).toBe(422);
  });

  it('only apply creates; other types need the live object', () => {
    expect(() => applyPatch({ type: 'merge', live: undefined, patch: {}, gvk: svcGvk, isCustomResource: false })).toThrow(/404/);
  });
});

describe('content types and helpers', () => {
  it.each([
    ['application/json-patch+json', 'json'],
    ['application/merge-patch+json; charset=utf-8', 'merge'],
    ['application/strategic-merge-patch+json', 'strategic'],
    ['application/apply-patch+yaml', 'apply'],
    ['application/json', undefined],
  ])('%s -> %s', (ct, type) => {
    expect(patchTypeFromContentType(ct)).toBe(type);
  });

  it('managerFromUserAgent keeps the product name only', () => {
    expect(managerFromUserAgent('node-fetch/1.0')).toBe('node-fetch');
    expect(managerFromUserAgent(undefined)).toBe('');
  });

  it('fieldMetaFromOpenApi reads the list and map extensions of a CRD schema', () => {
    const meta = fieldMetaFromOpenApi({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            hosts: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
            ports: {
              type: 'array',
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['port', 'protocol'],
              items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' } } },
            },
            selector: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-map-type': 'atomic' },
          },
        },
      },
    });
    const spec = new SchemaLookup(meta).field('spec');
    expect(spec.field('hosts').listType).toBe('set');
    expect(spec.field('ports').listMapKeys).toEqual(['port', 'protocol']);
    expect(spec.field('ports').meta.keyDefaults).toEqual({ protocol: 'TCP' });
    expect(spec.field('selector').meta).toMatchObject({ map: true, atomic: true });
  });
});
