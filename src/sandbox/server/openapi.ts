// OpenAPI v3 documents: enough for kubectl to see that the server validates fields
// itself (fieldValidation on PATCH) and to read custom resource schemas.
import { createHash } from 'node:crypto';
import type { ResourceRegistry } from '../resources/registry.js';
import { type ResourceDef } from '../resources/types.js';

type Obj = Record<string, any>;

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

function schemaName(d: ResourceDef, version: string): string {
  const g = d.group === '' ? 'core' : d.group;
  return d.crd ? `${d.group.split('.').reverse().join('.')}.${version}.${d.kind}` : `io.k8s.api.${g.split('.')[0]}.${version}.${d.kind}`;
}

const PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map((name) => ({ name, in: 'query', schema: { type: name === 'force' ? 'boolean' : 'string' }, uniqueItems: true }));

export function openApiV3Doc(reg: ResourceRegistry, group: string, version: string): Obj | undefined {
  const defs = reg.all().filter((d) => d.group === group && d.versions.includes(version));
  if (defs.length === 0) return undefined;
  const paths: Obj = {};
  const schemas: Obj = {};
  for (const d of defs) {
    const gvk = [{ group: d.group, version, kind: d.kind }];
    const name = schemaName(d, version);
    const ref = { $ref: `#/components/schemas/${name}` };
    const base = `/${gvPath(d.group, version)}${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.plural}`;
    const op = (verb: string): Obj => ({
      operationId: `${verb}${d.kind}`,
      'x-kubernetes-action': verb,
      'x-kubernetes-group-version-kind': gvk[0],
      parameters: PARAMS,
      responses: { '200': { content: { 'application/json': { schema: ref } } } },
    });
    paths[base] = { get: op('list'), post: op('post') };
    paths[`${base}/{name}`] = { get: op('get'), put: op('put'), patch: op('patch'), delete: op('delete') };
    if (d.statusSubresource) paths[`${base}/{name}/status`] = { get: op('get'), put: op('put'), patch: op('patch') };
    const crdSchema = d.crd?.schemas[version] as Obj | undefined;
    schemas[name] = {
      ...(crdSchema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
      'x-kubernetes-group-version-kind': gvk,
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.31.0-kfed-sandbox' },
    paths,
    components: { schemas },
  };
}

export function openApiV3Index(reg: ResourceRegistry, docHash: (group: string, version: string) => string): Obj {
  const paths: Obj = {};
  for (const [group, versions] of reg.groups()) {
    for (const v of versions) paths[gvPath(group, v)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, v)}?hash=${docHash(group, v)}` };
  }
  return { paths };
}

export function hashDoc(doc: unknown): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 64).toUpperCase();
}

