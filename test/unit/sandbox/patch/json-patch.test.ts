import { describe, expect, it } from 'vitest';
import { GENERIC_INVALID_MESSAGE, PatchError, patchErrorToStatus } from '../../../../src/sandbox/patch/errors.js';
import { applyJsonPatch } from '../../../../src/sandbox/patch/json-patch.js';
import { thrown } from '../../../support/thrown.js';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
});

const thrownPatchError = (fn: () => unknown): PatchError => thrown(fn, PatchError);

describe('applyJsonPatch', () => {
  it.each([
    ['replace', [{ op: 'replace', path: '/spec/replicas', value: 3 }], (d: any) => expect(d.spec.replicas).toBe(3)],
    ['add a label with an escaped key', [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'x' }], (d: any) => expect(d.metadata.labels['app.kubernetes.io/name']).toBe('x')],
    ['remove', [{ op: 'remove', path: '/metadata/labels/app' }], (d: any) => expect(d.metadata.labels).toEqual({})],
    ['append to a list', [{ op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'side', image: 'busybox' } }], (d: any) => expect(d.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['web', 'side'])],
    ['passing test then replace', [{ op: 'test', path: '/spec/replicas', value: 1 }, { op: 'replace', path: '/spec/replicas', value: 5 }], (d: any) => expect(d.spec.replicas).toBe(5)],
    ['copy', [{ op: 'copy', from: '/metadata/labels', path: '/spec/template/metadata' }], (d: any) => expect(d.spec.template.metadata).toEqual({ app: 'web' })],
    ['move', [{ op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/tier' }], (d: any) => expect(d.metadata.labels).toEqual({ tier: 'web' })],
  ])('%s', (_name, patch, check) => {
    const live = deployment();
    const out = applyJsonPatch(live, patch);
    check(out);
    expect(live).toEqual(deployment());
  });

  it.each([
    ['a failed test', [{ op: 'test', path: '/spec/replicas', value: 2 }]],
    ['removing a missing path', [{ op: 'remove', path: '/spec/template/spec/affinity' }]],
    ['replacing a missing path', [{ op: 'replace', path: '/spec/paused', value: true }]],
    ['adding under a missing parent', [{ op: 'add', path: '/spec/strategy/type', value: 'Recreate' }]],
    ['an index past the end', [{ op: 'add', path: '/spec/template/spec/containers/5', value: {} }]],
    ['an unknown op', [{ op: 'frobnicate', path: '/spec' }]],
    ['a path without a leading slash', [{ op: 'add', path: 'spec/replicas', value: 1 }]],
    ['a missing value', [{ op: 'add', path: '/spec/replicas' }]],
  ])('%s is 422 Invalid with the server text, and the live object is untouched', (_name, patch) => {
    const live = deployment();
    const err = thrownPatchError(() => applyJsonPatch(live, patch));
    expect(err.code).toBe(422);
    expect(err.message).toBe(GENERIC_INVALID_MESSAGE);
    expect(err.detail).toBeTruthy();
    expect(patchErrorToStatus(err)).toEqual({ apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: GENERIC_INVALID_MESSAGE, reason: 'Invalid', code: 422, details: {} });
    expect(live).toEqual(deployment());
  });

  it('does not leave a partial result when a later operation fails', () => {
    const live = deployment();
    expect(() => applyJsonPatch(live, [{ op: 'replace', path: '/spec/replicas', value: 9 }, { op: 'test', path: '/spec/replicas', value: 1 }])).toThrow(PatchError);
    expect(live.spec.replicas).toBe(1);
  });

  it.each([
    ['an object', { op: 'add', path: '/a', value: 1 }],
    ['null', null],
    ['a string', 'nope'],
    ['a list of non-objects', [1, 2]],
  ])('a patch document that is %s is 400 BadRequest', (_name, patch) => {
    const err = thrownPatchError(() => applyJsonPatch(deployment(), patch));
    expect(err.code).toBe(400);
    expect(patchErrorToStatus(err).reason).toBe('BadRequest');
  });
});
