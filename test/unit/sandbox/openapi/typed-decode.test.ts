// Typed and strict decoding of built-in kinds from the published schemas: the errors and unknown
// fields kube-apiserver v1.37.2 reported for the same bodies (test/conformance compares them live).
import { describe, expect, it } from 'vitest';
import { decodeTyped } from '../../../../src/sandbox/openapi/typed-decode.js';
import { checkBase64, checkQuantity, checkTime } from '../../../../src/sandbox/openapi/go-values.js';

const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';
const deployment = (spec: unknown, metadata: unknown = { name: 'd' }): Record<string, unknown> => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec });
const pod = (container: unknown): Record<string, unknown> => deployment({ template: { spec: { containers: [container] } } });

describe('decodeTyped', () => {
  it('lists unknown fields in document order, with list indices', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { x: 'y' }, zork: 1 }, data: { a: '1' }, bogus: 1, spec: { foo: 2 } };
    expect(decodeTyped('io.k8s.api.core.v1.ConfigMap', cm)).toEqual({ unknown: ['metadata.zork', 'bogus', 'spec'] });
    expect(decodeTyped(DEPLOYMENT, pod({ name: 'c', image: 'x', foo: 1 })).unknown).toEqual(['spec.template.spec.containers[0].foo']);
    // field names are case-sensitive, as sigs.k8s.io/json decodes them
    expect(decodeTyped('io.k8s.api.core.v1.ConfigMap', { data: {}, Data: {} }).unknown).toEqual(['Data']);
  });

  it.each([
    [deployment({ replicas: 'two' }), 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32'],
    [deployment({ replicas: 2.5 }), 'json: cannot unmarshal number 2.5 into Go struct field DeploymentSpec.spec.replicas of type int32'],
    [deployment('x'), 'json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec'],
    [{ metadata: 'x' }, 'json: cannot unmarshal string into Go struct field Deployment.metadata of type v1.ObjectMeta'],
    [{ metadata: { labels: { a: 1 } } }, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
    [{ metadata: { labels: ['a'] } }, 'json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string'],
    [pod({ name: 5 }), 'json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.name of type string'],
    [deployment({ template: { spec: { containers: { name: 'c' } } } }), 'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container'],
    // custom unmarshalers fail at once, ahead of an earlier type error
    [deployment({ paused: 'yes', strategy: { rollingUpdate: { maxSurge: true } } }), 'json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32'],
    [pod({ name: 'c', resources: { limits: { cpu: true } } }), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    [{ metadata: { creationTimestamp: 'yesterday' } }, 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'],
  ])('reports the first error Go would: %j', (body, error) => {
    expect(decodeTyped(DEPLOYMENT, body as Record<string, unknown>).error).toBe(error);
  });

  it('accepts null anywhere, IntOrString either way, Quantity as number or string', () => {
    expect(decodeTyped(DEPLOYMENT, deployment({ replicas: null, template: null }))).toEqual({ unknown: [] });
    expect(decodeTyped(DEPLOYMENT, deployment({ strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } }))).toEqual({ unknown: [] });
    expect(decodeTyped(DEPLOYMENT, pod({ name: 'c', resources: { limits: { cpu: 0.5, memory: '64Mi' } } }))).toEqual({ unknown: [] });
  });

  it('decodes base64 bytes of Secrets', () => {
    expect(decodeTyped('io.k8s.api.core.v1.Secret', { data: { a: '!!!' } }).error).toBe('illegal base64 data at input byte 0');
    expect(decodeTyped('io.k8s.api.core.v1.Secret', { data: { a: 'dmFsdWU=' } })).toEqual({ unknown: [] });
  });
});

describe('Go values', () => {
  it('base64: the corrupt byte', () => {
    expect(checkBase64('dmFsdWU=')).toBeUndefined();
    expect(checkBase64('')).toBeUndefined();
    expect(checkBase64('abcde')).toBe(4);
    expect(checkBase64('ab!d')).toBe(2);
    expect(checkBase64('a===')).toBe(1);
  });

  it('quantities', () => {
    for (const ok of ['1', '100m', '1.5Gi', '2e3', '+1k', 1.25]) expect(checkQuantity(ok)).toBeUndefined();
    expect(checkQuantity('1kM')).toBe("unable to parse quantity's suffix");
    expect(checkQuantity('abc')).toMatch(/^quantities must match/);
  });

  it('RFC 3339 times with Go wording', () => {
    expect(checkTime('2026-01-02T03:04:05Z')).toBeUndefined();
    expect(checkTime('2026-01-02T03:04:05.123+02:00')).toBeUndefined();
    expect(checkTime('2026-13-02T03:04:05Z')).toBe('parsing time "2026-13-02T03:04:05Z": month out of range');
    expect(checkTime('2026-01-02 03:04:05Z')).toBe('parsing time "2026-01-02 03:04:05Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 03:04:05Z" as "T"');
    expect(checkTime('2026-01-02T03:04:05Zx')).toBe('parsing time "2026-01-02T03:04:05Zx": extra text: "x"');
  });
});
