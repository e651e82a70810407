// The target's OpenAPI v3 schema turned into a CRD structural schema for spec.template:
// refs inlined, IntOrString and Quantity as CRDs spell them, ObjectMeta and status left
// open, defaults and descriptions dropped, and a size budget that cuts deep fields first.
import { describe, expect, it } from 'vitest';
import { MAX_SCHEMA_BYTES, templateSchema, type OpenAPIComponents } from '../../../../src/propagation/types/template-schema.js';
import { BUILTIN_SCHEMAS } from '../../../../src/sandbox/openapi/builtin-schemas.js';

const WIDGET: OpenAPIComponents = {
  'com.example.v1.Widget': {
    type: 'object',
    required: ['spec'],
    'x-kubernetes-group-version-kind': [{ group: 'example.com', version: 'v1', kind: 'Widget' }],
    properties: {
      apiVersion: { type: 'string' },
      metadata: { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }], default: {} },
      spec: { description: 'the spec', default: {}, allOf: [{ $ref: '#/components/schemas/com.example.v1.WidgetSpec' }] },
      status: { type: 'object', properties: { phase: { type: 'string' } } },
    },
  },
  'com.example.v1.WidgetSpec': {
    type: 'object',
    required: ['size'],
    properties: {
      size: { type: 'integer', format: 'int32', default: 1 },
      port: { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }] },
      memory: { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' }] },
      color: { type: 'string', enum: ['red', 'blue'] },
      tags: { type: 'object', additionalProperties: { type: 'string' } },
      child: { $ref: '#/components/schemas/com.example.v1.WidgetSpec' },
      raw: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string' },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
};

describe('templateSchema', () => {
  it('inlines refs and spells every value the way a structural CRD schema does', () => {
    expect(templateSchema(WIDGET, { group: 'example.com', version: 'v1', kind: 'Widget' })).toEqual({
      type: 'object',
      required: ['spec'],
      properties: {
        apiVersion: { type: 'string' },
        metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        spec: {
          type: 'object',
          required: ['size'],
          properties: {
            size: { type: 'integer', format: 'int32' },
            port: { 'x-kubernetes-int-or-string': true },
            memory: { 'x-kubernetes-preserve-unknown-fields': true },
            color: { type: 'string', enum: ['red', 'blue'] },
            tags: { type: 'object', additionalProperties: { type: 'string' } },
            // A recursive reference stops at the second visit.
            child: { 'x-kubernetes-preserve-unknown-fields': true },
            raw: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      },
    });
  });

  it('finds nothing for a kind the document does not describe', () => {
    expect(templateSchema(WIDGET, { group: 'example.com', version: 'v1', kind: 'Gadget' })).toBeUndefined();
  });

  it('a Deployment from a real server: typed replicas and containers, within the budget; a small budget cuts deep fields first', () => {
    const full = templateSchema(BUILTIN_SCHEMAS, { group: 'apps', version: 'v1', kind: 'Deployment' })!;
    expect(JSON.stringify(full).length).toBeLessThan(MAX_SCHEMA_BYTES);
    const spec = full.properties!.spec!;
    expect(spec.required).toEqual(['selector', 'template']);
    expect(spec.properties!.replicas).toEqual({ type: 'integer', format: 'int32' });
    const container = spec.properties!.template!.properties!.spec!.properties!.containers!.items!;
    expect(container.required).toEqual(['name']);
    expect(container.properties!.ports!.items!.properties!.containerPort).toEqual({ type: 'integer', format: 'int32' });
    expect(JSON.stringify(full)).not.toMatch(/"default"|"description"|x-kubernetes-list-type/);
    const small = templateSchema(BUILTIN_SCHEMAS, { group: 'apps', version: 'v1', kind: 'Deployment' }, 20_000)!;
    expect(JSON.stringify(small).length).toBeLessThanOrEqual(20_000);
    expect(small.properties!.spec!.properties!.replicas).toEqual({ type: 'integer', format: 'int32' });
    expect(templateSchema(BUILTIN_SCHEMAS, { group: 'apps', version: 'v1', kind: 'Deployment' }, 500)).toBeUndefined();
  });
});
