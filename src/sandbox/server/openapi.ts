// OpenAPI documents: v3 per group-version and v2 for the whole server, built from the built-in
// kinds' published schemas (openapi/builtin-schemas.ts) and the CRDs' schemas, as kube-apiserver
// merges them. kubectl reads them to see that the server validates fields itself (fieldValidation
// on PATCH), for `kubectl explain`, and (v2) to validate kinds the server does not serve.
import { createHash } from 'node:crypto';
import type { ResourceRegistry } from '../resources/registry.js';
import { type ResourceDef } from '../resources/types.js';
import { BUILTIN_SCHEMAS, closure, schemaNameFor, SCHEMA_SOURCE } from '../openapi/builtin-schemas.js';
import { v2Definition } from '../openapi/v2-schema.js';

type Obj = Record<string, any>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const INFO = { title: 'Kubernetes', version: SCHEMA_SOURCE.replace(/^v(\d+\.\d+).*/, '$1') };
const COMMON_ROOTS = [`${META}.Status`, `${META}.DeleteOptions`, `${META}.WatchEvent`, `${META}.Patch`];

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** The component name of a resource's kind: the published one for built-ins, reversed group for CRDs. */
function schemaName(d: ResourceDef, version: string): string {
  if (!d.crd) return schemaNameFor({ group: d.group, version, kind: d.kind }) ?? `io.k8s.api.${(d.group || 'core').split('.')[0]}.${version}.${d.kind}`;
  return `${d.group.split('.').reverse().join('.')}.${version}.${d.kind}`;
}

/** A CRD's schema as kube-apiserver publishes it: apiVersion, kind and metadata (ObjectMeta) added. */
function crdSchema(d: ResourceDef, version: string, ref: (name: string) => Obj): Obj {
  const s = (d.crd?.schemas[version] as Obj | undefined) ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const meta = BUILTIN_SCHEMAS[`${META}.ObjectMeta`]!;
  const props: Obj = {
    apiVersion: BUILTIN_SCHEMAS[`${META}.Status`]?.properties?.apiVersion ?? { type: 'string' },
    kind: BUILTIN_SCHEMAS[`${META}.Status`]?.properties?.kind ?? { type: 'string' },
    metadata: { description: meta.description, ...ref(`${META}.ObjectMeta`) },
    ...((s.properties ?? {}) as Obj),
  };
  return { ...s, type: 'object', properties: props, 'x-kubernetes-group-version-kind': [{ group: d.group, kind: d.kind, version }] };
}

const PARAM_NAMES = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'];

interface OpSpec {
  verb: string;
  d: ResourceDef;
  version: string;
  ref: Obj;
}

function v3Op({ verb, d, version, ref }: OpSpec): Obj {
  return {
    operationId: `${verb}${d.kind}`,
    'x-kubernetes-action': verb,
    'x-kubernetes-group-version-kind': { group: d.group, version, kind: d.kind },
    parameters: PARAM_NAMES.map((name) => ({ name, in: 'query', schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true } })),
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } },
  };
}

function v2Op({ verb, d, version, ref }: OpSpec): Obj {
  return {
    operationId: `${verb}${d.kind}`,
    consumes: verb === 'patch' ? ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'] : ['*/*'],
    produces: ['application/json', 'application/yaml'],
    schemes: ['https'],
    parameters: PARAM_NAMES.map((name) => ({ name, in: 'query', type: name === 'force' ? 'boolean' : 'string', uniqueItems: true })),
    responses: { '200': { description: 'OK', schema: ref } },
    'x-kubernetes-action': verb,
    'x-kubernetes-group-version-kind': { group: d.group, kind: d.kind, version },
  };
}

function resourcePaths(d: ResourceDef, version: string, ref: Obj, op: (s: OpSpec) => Obj): Obj {
  const base = `/${gvPath(d.group, version)}${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.plural}`;
  const o = (verb: string): Obj => op({ verb, d, version, ref });
  if (d.createOnly) return { [base]: { post: o('post') } };
  const out: Obj = { [base]: { get: o('list'), post: o('post') }, [`${base}/{name}`]: { get: o('get'), put: o('put'), patch: o('patch'), delete: o('delete') } };
  if (d.statusSubresource) out[`${base}/{name}/status`] = { get: o('get'), put: o('put'), patch: o('patch') };
  return out;
}

/** Meta kinds list one GVK per group: keep those of the document's group-versions. */
function withGvks(s: Obj, keep: (g: Obj) => boolean): Obj {
  const list = s['x-kubernetes-group-version-kind'] as Obj[] | undefined;
  return list && list.length > 1 ? { ...s, 'x-kubernetes-group-version-kind': list.filter(keep) } : s;
}

export function openApiV3Doc(reg: ResourceRegistry, group: string, version: string): Obj | undefined {
  const defs = reg.all().filter((d) => d.group === group && d.versions.includes(version));
  if (defs.length === 0) return undefined;
  const ref = (name: string): Obj => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });
  const paths: Obj = {};
  const schemas: Obj = {};
  const roots = [...COMMON_ROOTS];
  for (const d of defs) {
    const name = schemaName(d, version);
    Object.assign(paths, resourcePaths(d, version, { $ref: `#/components/schemas/${name}` }, v3Op));
    if (d.crd) {
      schemas[name] = crdSchema(d, version, ref);
      roots.push(`${META}.ObjectMeta`);
    } else {
      roots.push(name, schemaNameFor({ group, version, kind: d.listKind }) ?? name);
    }
  }
  // kube-apiserver lists the core group's GVK beside the document's own
  for (const n of closure(roots)) schemas[n] ??= withGvks(BUILTIN_SCHEMAS[n]!, (g) => (g.group === group && g.version === version) || (g.group === '' && g.version === 'v1'));
  return {
    openapi: '3.0.0', info: INFO, paths,
    components: { schemas, securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } } },
  };
}

/** /openapi/v2: every served resource and every schema, as one swagger 2.0 document. */
export function openApiV2Doc(reg: ResourceRegistry): Obj {
  const ref = (name: string): Obj => ({ $ref: `#/definitions/${name}` });
  const paths: Obj = {};
  const definitions: Obj = {};
  const roots = [...COMMON_ROOTS, `${META}.ObjectMeta`];
  const served = new Set<string>();
  for (const d of reg.all()) {
    for (const version of d.versions) {
      served.add(`${d.group}/${version}`);
      const name = schemaName(d, version);
      Object.assign(paths, resourcePaths(d, version, ref(name), v2Op));
      if (d.crd) definitions[name] = v2Definition(crdSchema(d, version, ref));
      else roots.push(name, schemaNameFor({ group: d.group, version, kind: d.listKind }) ?? name);
    }
  }
  for (const n of closure(roots)) definitions[n] ??= v2Definition(withGvks(BUILTIN_SCHEMAS[n]!, (g) => served.has(`${g.group}/${g.version}`)));
  return {
    swagger: '2.0', info: INFO, paths, definitions,
    securityDefinitions: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
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
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
}
