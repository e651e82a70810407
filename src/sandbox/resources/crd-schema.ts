// Structural-schema handling for custom resources: defaulting, pruning of unknown
// fields and validation, as kube-apiserver does for apiextensions.k8s.io/v1 CRDs.

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
}

export interface FieldProblem {
  field: string;
  message: string;
  reason: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueTypeInvalid' | 'FieldValueNotSupported' | 'FieldValueTooLong' | 'FieldValueForbidden';
}

export interface SchemaResult {
  value: unknown;
  problems: FieldProblem[];
  /** paths of fields that were pruned (unknown), for fieldValidation=Strict/Warn */
  unknown: string[];
}

const ROOT_META = new Set(['apiVersion', 'kind', 'metadata']);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeOk(s: Schema, v: unknown): boolean {
  if (s['x-kubernetes-int-or-string']) return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  if (!s.type) return true;
  const t = typeOf(v);
  if (s.type === 'number') return t === 'number' || t === 'integer';
  return t === s.type;
}

function walk(s: Schema | undefined, v: unknown, path: string, out: SchemaResult, root: boolean): unknown {
  if (!s) return v;
  if (v === null) {
    if (s.nullable) return null;
    // kube-apiserver drops nulls for non-nullable fields with a default; reports otherwise
    out.problems.push({ field: path, message: `Invalid value: "null": ${path} in body must be of type ${s.type ?? 'object'}: "null"`, reason: 'FieldValueTypeInvalid' });
    return v;
  }
  if (!typeOk(s, v)) {
    out.problems.push({ field: path, message: `Invalid value: "${typeOf(v)}": ${path} in body must be of type ${s.type}: "${typeOf(v)}"`, reason: 'FieldValueTypeInvalid' });
    return v;
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    out.problems.push({ field: path, message: `Unsupported value: ${JSON.stringify(v)}: supported values: ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`, reason: 'FieldValueNotSupported' });
  }
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) out.problems.push({ field: path, message: `Invalid value: ${v}: ${path} in body should be greater than or equal to ${s.minimum}`, reason: 'FieldValueInvalid' });
    if (s.maximum !== undefined && v > s.maximum) out.problems.push({ field: path, message: `Invalid value: ${v}: ${path} in body should be less than or equal to ${s.maximum}`, reason: 'FieldValueInvalid' });
  }
  if (typeof v === 'string') {
    if (s.maxLength !== undefined && v.length > s.maxLength) out.problems.push({ field: path, message: `Too long: may not be longer than ${s.maxLength}`, reason: 'FieldValueTooLong' });
    if (s.minLength !== undefined && v.length < s.minLength) out.problems.push({ field: path, message: `Invalid value: "${v}": ${path} in body should be at least ${s.minLength} chars long`, reason: 'FieldValueInvalid' });
    if (s.pattern && !new RegExp(s.pattern, 'u').test(v)) out.problems.push({ field: path, message: `Invalid value: "${v}": ${path} in body should match '${s.pattern}'`, reason: 'FieldValueInvalid' });
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) out.problems.push({ field: path, message: `Invalid value: ${v.length}: ${path} in body should have at least ${s.minItems} items`, reason: 'FieldValueInvalid' });
    if (s.maxItems !== undefined && v.length > s.maxItems) out.problems.push({ field: path, message: `Too many: ${v.length}: must have at most ${s.maxItems} items`, reason: 'FieldValueTooLong' });
    return v.map((item, i) => walk(s.items, item, `${path}[${i}]`, out, false));
  }
  if (typeOf(v) === 'object') {
    const obj = v as Record<string, unknown>;
    const res: Record<string, unknown> = {};
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    const embedded = s['x-kubernetes-embedded-resource'] === true;
    for (const [k, child] of Object.entries(obj)) {
      const childPath = path === '' ? k : `${path}.${k}`;
      const ps = s.properties?.[k];
      // apiVersion, kind and metadata of a resource are validated by the server itself, never pruned
      if ((root || embedded) && ROOT_META.has(k)) res[k] = child;
      else if (ps) res[k] = walk(ps, child, childPath, out, false);
      else if (typeof s.additionalProperties === 'object') res[k] = walk(s.additionalProperties, child, childPath, out, false);
      else if (s.additionalProperties === true || preserve) res[k] = child;
      else out.unknown.push(childPath);
    }
    for (const [k, ps] of Object.entries(s.properties ?? {})) {
      if (!(k in res) && ps.default !== undefined) res[k] = walk(ps, structuredClone(ps.default), path === '' ? k : `${path}.${k}`, out, false);
    }
    for (const r of s.required ?? []) {
      if (!(r in res)) out.problems.push({ field: path === '' ? r : `${path}.${r}`, message: 'Required value', reason: 'FieldValueRequired' });
    }
    return res;
  }
  return v;
}

/** Default, prune and validate a custom resource against its version's schema. */
export function applySchema(schema: Schema | undefined, obj: Record<string, unknown>): SchemaResult {
  const out: SchemaResult = { value: obj, problems: [], unknown: [] };
  if (!schema) return out;
  out.value = walk(schema, obj, '', out, true);
  return out;
}
