// /openapi/v2 in gnostic's protobuf form: read back with the sandbox's own wire reader.
import { describe, expect, it } from 'vitest';
import { encodeOpenApiV2 } from '../../../../src/sandbox/openapi/v2-protobuf.js';
import { openApiV2Doc } from '../../../../src/sandbox/server/openapi.js';
import { ResourceRegistry } from '../../../../src/sandbox/resources/registry.js';
import { utf8String, WireReader, type WireField } from '../../../../src/sandbox/server/protobuf/wire.js';

function fields(buf: Uint8Array): WireField[] {
  const r = new WireReader(buf);
  const out: WireField[] = [];
  while (!r.done()) out.push(r.next());
  return out;
}

const text = (f: WireField | undefined): string => (f ? utf8String(f.bytes) : '');

describe('OpenAPI v2 as protobuf', () => {
  const doc = openApiV2Doc(new ResourceRegistry());
  const top = fields(encodeOpenApiV2(doc));

  it('carries swagger, info, every path and every definition under their field numbers', () => {
    expect(text(top.find((f) => f.no === 1))).toBe('2.0');
    const info = fields(top.find((f) => f.no === 2)!.bytes);
    expect(text(info.find((f) => f.no === 1))).toBe('Kubernetes');
    const paths = fields(top.find((f) => f.no === 8)!.bytes).filter((f) => f.no === 2);
    expect(paths.map((p) => text(fields(p.bytes)[0]))).toEqual(Object.keys(doc.paths as object));
    const defs = fields(top.find((f) => f.no === 9)!.bytes);
    expect(defs.map((d) => text(fields(d.bytes)[0]))).toEqual(Object.keys(doc.definitions as object));
  });

  it('encodes a schema: type, properties, $ref and the GVK extension as YAML', () => {
    const defs = fields(top.find((f) => f.no === 9)!.bytes);
    const named = defs.map((d) => fields(d.bytes)).find((n) => text(n[0]) === 'io.k8s.api.apps.v1.Deployment')!;
    const schema = fields(named[1]!.bytes);
    expect(text(fields(schema.find((f) => f.no === 22)!.bytes)[0])).toBe('object');
    const props = fields(schema.find((f) => f.no === 25)!.bytes).map((p) => fields(p.bytes));
    expect(props.map((p) => text(p[0]))).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    const spec = fields(props.find((p) => text(p[0]) === 'spec')![1]!.bytes);
    expect(text(spec.find((f) => f.no === 1))).toBe('#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
    const ext = fields(schema.find((f) => f.no === 31)!.bytes);
    expect(text(ext[0])).toBe('x-kubernetes-group-version-kind');
    expect(text(fields(ext[1]!.bytes)[0])).toBe('- group: apps\n  kind: Deployment\n  version: v1');
  });
});
