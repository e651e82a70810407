// Request bodies of built-in kinds decoded as kube-apiserver decodes them into its Go types
// (openapi/typed-decode.ts), with its answers: for create and update a 400 `<Kind> in version "v1"
// cannot be handled as a <Kind>: ...`; for merge, JSON and strategic merge patches a 422 on the
// `patch` field; for server-side apply a 500 `failed to create typed patch object`. Unknown fields
// fail under fieldValidation=Strict, become Warning headers under Warn (the default) and are
// dropped under Ignore, as the Go decoder drops them.
import type { ResourceDef } from '../resources/types.js';
import { schemaNameFor } from '../openapi/builtin-schemas.js';
import { decodeTyped, type DecodeResult } from '../openapi/typed-decode.js';
import { ApiError } from './api-error.js';

type Obj = Record<string, any>;
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

function decode(def: ResourceDef, version: string, obj: Obj): DecodeResult | undefined {
  if (def.crd) return undefined;
  const name = schemaNameFor({ group: def.group, version, kind: def.kind });
  return name ? decodeTyped(name, obj) : undefined;
}

function strictMessage(unknown: string[]): string {
  return `strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`;
}

/** Drop unknown fields (the Go types have nowhere to keep them). Paths are as decodeTyped gives them. */
function dropUnknown(obj: Obj, unknown: string[]): void {
  for (const path of unknown) {
    const parts = path.match(/[^.[\]]+/g) ?? [];
    let cur: any = obj;
    for (const p of parts.slice(0, -1)) cur = cur?.[p];
    if (cur && typeof cur === 'object') delete cur[parts[parts.length - 1]!];
  }
}

function warningsOf(unknown: string[], fv: FieldValidation | undefined): string[] {
  return fv === 'Ignore' ? [] : unknown.map((u) => `unknown field "${u}"`);
}

/** Create and update bodies: throws the real 400, else returns the warnings and drops unknown fields. */
export function decodeBody(def: ResourceDef, version: string, body: Obj, fv: FieldValidation | undefined): string[] {
  const r = decode(def, version, body);
  if (!r) return [];
  const prefix = `${def.kind} in version "${version}" cannot be handled as a ${def.kind}`;
  if (r.error !== undefined) throw new ApiError(400, 'BadRequest', `${prefix}: ${r.error}`);
  if (r.unknown.length === 0) return [];
  if (fv === 'Strict') throw new ApiError(400, 'BadRequest', `${prefix}: ${strictMessage(r.unknown)}`);
  dropUnknown(body, r.unknown);
  return warningsOf(r.unknown, fv);
}

/** Go's %v of a decoded JSON value (map[a:1 b:[x y]]), as a patch appears in its error. */
function goFormat(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (v && typeof v === 'object') return `map[${Object.keys(v).sort().map((k) => `${k}:${goFormat((v as Obj)[k])}`).join(' ')}]`;
  return v === null ? '<nil>' : String(v);
}

function sortedJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Obj).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
}

/** The object a merge, JSON or strategic merge patch produced: as decodeBody, with the patch errors. */
export function decodePatched(def: ResourceDef, version: string, patched: Obj, patch: unknown, strategic: boolean, fv: FieldValidation | undefined): string[] {
  const r = decode(def, version, patched);
  if (!r) return [];
  const fail = (why: string): never => {
    const value = strategic ? goFormat(patch) : sortedJson(patched);
    const message = `Invalid value: ${JSON.stringify(value)}: ${why}`;
    throw new ApiError(422, 'Invalid', ` "" is invalid: patch: ${message}`, { causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }] });
  };
  if (r.error !== undefined) fail(r.error);
  if (r.unknown.length === 0) return [];
  if (fv === 'Strict') fail(strictMessage(r.unknown));
  dropUnknown(patched, r.unknown);
  return warningsOf(r.unknown, fv);
}

/** Go's %#v of a JSON scalar inside structured-merge-diff's value wrapper. */
function unstructured(v: unknown): string {
  return `&value.valueUnstructured{Value:${typeof v === 'string' ? JSON.stringify(v) : String(v)}}`;
}

function kindName(v: unknown): string {
  return Array.isArray(v) ? 'list' : v !== null && typeof v === 'object' ? 'map' : typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'float64' : 'string';
}

/** structured-merge-diff's words for a value of the wrong type. */
function applyTypeError(m: NonNullable<DecodeResult['mismatch']>): string {
  const t = m.goType;
  if (t === 'string') return `expected string, got ${unstructured(m.value)}`;
  if (t === 'bool') return `expected boolean, got ${unstructured(m.value)}`;
  if (/^(int|float)/.test(t)) return `expected numeric (int or float), got ${kindName(m.value)}`;
  if (t.startsWith('[]')) return `expected list, got ${kindName(m.value)}`;
  return `expected map, got ${kindName(m.value)}`;
}

/** A server-side apply configuration: every unknown field or wrong type fails, whatever fieldValidation says. */
export function checkApplyConfiguration(def: ResourceDef, version: string, config: Obj, name: string): void {
  const r = decode(def, version, config);
  if (!r) return;
  const problems = [
    ...(r.mismatch ? [`.${r.mismatch.path}: ${applyTypeError(r.mismatch)}`] : r.error !== undefined ? [r.error] : []),
    ...r.unknown.map((u) => `.${u}: field not declared in schema`),
  ];
  if (problems.length === 0) return;
  const md = (config.metadata ?? {}) as Obj;
  const gvk = `${def.group ? `${def.group}/` : '/'}${version}, Kind=${def.kind}`;
  const text = problems.length === 1 ? problems[0]! : `errors:\n${problems.map((p) => `  ${p}`).join('\n')}`;
  // a plain Go error: kube-apiserver's Status for it has no reason
  throw new ApiError(500, '', `failed to create typed patch object (${String(md.namespace ?? '')}/${String(md.name ?? name)}; ${gvk}): ${text}`);
}
