// A small validator for the OpenAPI v3 structural schemas of CRDs: enough of what the
// API server enforces (types, required, enum, pattern, lengths, bounds, item counts)
// plus what it silently prunes (unknown fields), reported as errors so that a test sees
// a field that would be dropped. CEL rules (x-kubernetes-validations) are not evaluated.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  minItems?: number;
  description?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  [key: string]: unknown;
}

export interface CRD {
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string; plural: string; shortNames?: string[] };
    versions: {
      name: string;
      subresources?: { status?: object };
      additionalPrinterColumns?: { name: string; type: string; jsonPath: string }[];
      schema: { openAPIV3Schema: Schema };
    }[];
  };
}

export function loadCRD(path: string): CRD {
  return parse(readFileSync(path, 'utf8')) as CRD;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const INT64_MAX = 2 ** 63;

/** Validate `value` against `schema`; returns messages like `spec.endpoints[0].recordTTL: ...`. */
export function validate(schema: Schema, value: unknown, path = ''): string[] {
  const errors: string[] = [];
  const at = path || '<root>';
  const t = typeOf(value);
  if (schema.type) {
    const ok = schema.type === t || (schema.type === 'number' && t === 'integer');
    if (!ok) return [`${at}: expected ${schema.type}, got ${t}`];
  }
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} not in enum ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${at}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) errors.push(`${at}: not a date-time`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: below minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: above maximum ${schema.maximum}`);
    if (schema.format === 'int64' && Math.abs(value) >= INT64_MAX) errors.push(`${at}: outside int64`);
    if (schema.format === 'int32' && (value > 2 ** 31 - 1 || value < -(2 ** 31))) errors.push(`${at}: outside int32`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${at}: more than ${schema.maxItems} items`);
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${at}: fewer than ${schema.minItems} items`);
    if (schema.items) value.forEach((item, i) => errors.push(...validate(schema.items as Schema, item, `${path}[${i}]`)));
  }
  if (t === 'object') {
    const obj = value as Record<string, unknown>;
    for (const req of schema.required ?? []) if (!(req in obj)) errors.push(`${at}: missing required field ${req}`);
    for (const [k, v] of Object.entries(obj)) {
      const child = `${path ? `${path}.` : ''}${k}`;
      const prop = schema.properties?.[k];
      if (prop) errors.push(...validate(prop, v, child));
      else if (typeof schema.additionalProperties === 'object') errors.push(...validate(schema.additionalProperties, v, child));
      else if (schema['x-kubernetes-preserve-unknown-fields'] !== true && schema.additionalProperties !== true && schema.properties !== undefined) {
        errors.push(`${child}: unknown field (the API server would prune it)`);
      }
    }
  }
  return errors;
}

/**
 * Structural-schema rules the API server enforces on CRDs: every node has a type (unless
 * it preserves unknown fields), `properties` and `additionalProperties` are exclusive,
 * and arrays declare their items. Returns the offending paths.
 */
export function structuralProblems(schema: Schema, path = ''): string[] {
  const out: string[] = [];
  const at = path || '<root>';
  if (!schema.type && schema['x-kubernetes-preserve-unknown-fields'] !== true) out.push(`${at}: no type`);
  if (schema.properties && schema.additionalProperties !== undefined) out.push(`${at}: properties and additionalProperties together`);
  if (schema.type === 'array' && !schema.items) out.push(`${at}: array without items`);
  for (const [k, s] of Object.entries(schema.properties ?? {})) out.push(...structuralProblems(s, `${path}.${k}`));
  if (typeof schema.additionalProperties === 'object') out.push(...structuralProblems(schema.additionalProperties, `${path}.*`));
  if (schema.items) out.push(...structuralProblems(schema.items, `${path}[]`));
  return out;
}

/** Flatten a schema into `path -> constraints` (descriptions dropped) for field-by-field comparison. */
export function flatten(schema: Schema, path = ''): Record<string, Record<string, unknown>> {
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' || k === 'items' || k === 'description') continue;
    if (k === 'additionalProperties' && typeof v === 'object') continue;
    own[k] = k === 'required' && Array.isArray(v) ? [...(v as string[])].sort() : v;
  }
  let out: Record<string, Record<string, unknown>> = { [path || '.']: own };
  for (const [k, s] of Object.entries(schema.properties ?? {})) out = { ...out, ...flatten(s, `${path}.${k}`) };
  if (typeof schema.additionalProperties === 'object') out = { ...out, ...flatten(schema.additionalProperties, `${path}.*`) };
  if (schema.items) out = { ...out, ...flatten(schema.items, `${path}[]`) };
  return out;
}
