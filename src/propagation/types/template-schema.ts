// The schema of a Federated<Kind>'s spec.template, from the target type's own OpenAPI v3
// schema (what the API server publishes at /openapi/v3/apis/<group>/<version>), so the host
// rejects a template that every member would reject, with the member's field path under
// spec.template (Kubefed's generated CRDs carried the target schema the same way).
//
// The OpenAPI document is turned into a CRD structural schema: `$ref`s (and the
// `allOf: [{$ref}]` wrappers kube-apiserver uses to attach a description) are inlined;
// IntOrString becomes `x-kubernetes-int-or-string`; Quantity and other values that JSON
// can spell several ways become `x-kubernetes-preserve-unknown-fields`; nested ObjectMeta
// and `status` are left open (members own them); defaults are dropped, so the host never
// changes a template the user wrote; descriptions are dropped to keep the CRD small; and
// list and map merge markers are dropped (the federated object is not merged field by
// field). Size: etcd and the API server limit one object (a CRD) to about 1.5 MB, so a
// schema larger than the budget is cut: below a depth the values stay open (typed as
// object or left untyped), trying shallower depths until it fits; if even a shallow cut
// does not fit, the template stays open, as before. `kfed enable` uses MAX_SCHEMA_BYTES;
// the CRDs shipped in the repository use a small budget (scripts/generate-crds.ts), so
// they validate the fields users mostly get wrong (replicas, images, ports, env) without
// carrying every nested field of a pod.
import type { JSONSchemaProps } from './federated-crd.js';

type OpenAPISchema = Record<string, unknown>;

/** components.schemas of an OpenAPI v3 document. */
export type OpenAPIComponents = Readonly<Record<string, OpenAPISchema>>;

export const MAX_SCHEMA_BYTES = 700_000;
const MAX_DEPTH = 40;
const MIN_DEPTH = 3;
const REF_PREFIX = '#/components/schemas/';
const OPEN: JSONSchemaProps = { 'x-kubernetes-preserve-unknown-fields': true };
const OPEN_OBJECT: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const FORMATS = new Set(['int32', 'int64', 'float', 'double', 'byte', 'date-time', 'date']);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

export interface TargetGVK {
  group: string;
  version: string;
  kind: string;
}

/** The component name of a kind in an OpenAPI document, by its x-kubernetes-group-version-kind. */
export function componentFor(components: OpenAPIComponents, gvk: TargetGVK): string | undefined {
  for (const [name, s] of Object.entries(components)) {
    const list = s['x-kubernetes-group-version-kind'] as TargetGVK[] | undefined;
    if (list?.length === 1 && list[0]?.group === gvk.group && list[0].version === gvk.version && list[0].kind === gvk.kind) return name;
  }
  return undefined;
}

function refOf(s: OpenAPISchema): string | undefined {
  if (typeof s.$ref === 'string') return s.$ref;
  const all = s.allOf as OpenAPISchema[] | undefined;
  if (all?.length === 1 && typeof all[0]?.$ref === 'string') return all[0].$ref as string;
  return undefined;
}

class Resolver {
  constructor(
    private readonly components: OpenAPIComponents,
    private readonly maxDepth: number,
  ) {}

  schema(s: OpenAPISchema, depth: number, seen: ReadonlySet<string>): JSONSchemaProps {
    const ref = refOf(s);
    if (ref !== undefined) {
      const name = ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref;
      if (name.endsWith('.ObjectMeta')) return OPEN_OBJECT;
      if (name.endsWith('.IntOrString')) return { 'x-kubernetes-int-or-string': true };
      const target = this.components[name];
      if (!target || seen.has(name)) return OPEN;
      const out = this.schema(target, depth, new Set([...seen, name]));
      return s.nullable === true ? { ...out, nullable: true } : out;
    }
    if (depth > this.maxDepth) return s.type === 'object' ? OPEN_OBJECT : s.type === 'array' ? { type: 'array', items: OPEN } : OPEN;
    if (s.format === 'int-or-string') return { 'x-kubernetes-int-or-string': true };
    const type = typeof s.type === 'string' && TYPES.has(s.type) ? (s.type as JSONSchemaProps['type']) : undefined;
    // oneOf/anyOf of several types (Quantity: string or number) and untyped values stay open.
    if (!type) return s.type === undefined && s['x-kubernetes-preserve-unknown-fields'] !== true && (s.oneOf || s.anyOf) ? OPEN : typed(s, OPEN);
    const out: JSONSchemaProps = { type };
    if (typeof s.format === 'string' && FORMATS.has(s.format)) out.format = s.format;
    if (Array.isArray(s.enum) && s.enum.every((e) => typeof e === 'string')) out.enum = [...(s.enum as string[])];
    if (s.nullable === true) out.nullable = true;
    if (type === 'array' && s.items && typeof s.items === 'object') out.items = this.schema(s.items as OpenAPISchema, depth + 1, seen);
    if (type === 'object') {
      const props = s.properties as Record<string, OpenAPISchema> | undefined;
      if (props) {
        out.properties = {};
        for (const [k, v] of Object.entries(props)) out.properties[k] = this.schema(v, depth + 1, seen);
        const required = (s.required as string[] | undefined)?.filter((r) => r in (props ?? {}));
        if (required && required.length > 0) out.required = required;
      }
      const add = s.additionalProperties;
      if (add && typeof add === 'object') out.additionalProperties = this.schema(add as OpenAPISchema, depth + 1, seen);
      if (s['x-kubernetes-preserve-unknown-fields'] === true || (!props && !add)) out['x-kubernetes-preserve-unknown-fields'] = true;
    }
    return out;
  }
}

function typed(s: OpenAPISchema, fallback: JSONSchemaProps): JSONSchemaProps {
  return s['x-kubernetes-preserve-unknown-fields'] === true ? OPEN : fallback;
}

/**
 * The spec.template schema for a target kind, or undefined when the document does not
 * describe the kind or the result is too large (the caller keeps an open template).
 */
export function templateSchema(components: OpenAPIComponents, gvk: TargetGVK, maxBytes = MAX_SCHEMA_BYTES): JSONSchemaProps | undefined {
  const name = componentFor(components, gvk);
  const root = name ? components[name] : undefined;
  if (!name || !root) return undefined;
  for (let depth = MAX_DEPTH; depth >= MIN_DEPTH; depth = depth > 12 ? 12 : depth - 1) {
    const resolved = new Resolver(components, depth).schema(root, 0, new Set([name]));
    if (resolved.type !== 'object' || !resolved.properties) return undefined;
    const { status: _status, ...properties } = resolved.properties;
    const out: JSONSchemaProps = { type: 'object', properties: { ...properties, metadata: OPEN_OBJECT } };
    // Members default and require apiVersion, kind and the like; the template omits them.
    const required = (resolved.required ?? []).filter((r) => r !== 'apiVersion' && r !== 'kind' && r !== 'metadata' && r !== 'status');
    if (required.length > 0) out.required = required;
    if (JSON.stringify(out).length <= maxBytes) return out;
  }
  return undefined;
}
