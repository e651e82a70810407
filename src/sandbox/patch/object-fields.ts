// Field sets of objects, following structured-merge-diff's rules: scalars,
// atomic lists and atomic structs are leaves; items of associative lists
// (`k:`) and of sets (`v:`) are owned as items; a named struct field is
// owned through its leaves unless it is empty or null.
import { PatchError } from './errors.js';
import { deepEqual, isObject, kindOf } from './json-value.js';
import { FieldSet, fieldElement, keyElement, valueElement, type FieldPath } from './field-set.js';
import type { SchemaLookup } from './patch-meta.js';

/** The `k:` element of an associative-list item, or an error naming the missing key. */
export function itemKey(item: unknown, schema: SchemaLookup): { element: string } | { error: string } {
  if (!isObject(item)) return { error: 'associative list item is not an object' };
  const key: Record<string, unknown> = {};
  for (const name of schema.listMapKeys) {
    const v = item[name] ?? schema.meta.keyDefaults?.[name];
    if (v === undefined || v === null) {
      return { error: `associative list with keys has an element that omits key field ${JSON.stringify(name)} (and doesn't have default value)` };
    }
    key[name] = v;
  }
  return { element: keyElement(key) };
}

/** Path elements of a list's items, or undefined when the list cannot be keyed (then it is treated as atomic). */
export function listElements(list: unknown[], schema: SchemaLookup): string[] | undefined {
  const type = schema.listType;
  if (type === 'set') return list.map((v) => valueElement(v));
  if (type !== 'map' || schema.listMapKeys.length === 0) return undefined;
  const out: string[] = [];
  for (const item of list) {
    const k = itemKey(item, schema);
    if ('error' in k) return undefined;
    out.push(k.element);
  }
  return out;
}

function isAtomic(value: unknown, schema: SchemaLookup): boolean {
  if (Array.isArray(value)) return schema.listType === 'atomic' || (schema.listType === 'map' && schema.listMapKeys.length === 0);
  return schema.meta.atomic === true;
}

/**
 * The fields an applied configuration sets. Throws 422 for an associative
 * list item without its keys or with a duplicate key, as apply does.
 */
export function toFieldSet(value: unknown, schema: SchemaLookup): FieldSet {
  const set = new FieldSet();
  walk(value, schema, set, []);
  return set;
}

function walk(value: unknown, schema: SchemaLookup, node: FieldSet, path: string[]): void {
  if (isObject(value)) {
    if (isAtomic(value, schema)) {
      node.member = true;
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      const child = node.child(fieldElement(k));
      path.push(k);
      walk(v, schema.field(k), child, path);
      path.pop();
      if (v === null || (isObject(v) && Object.keys(v).length === 0) || !schema.isNamedField(k)) child.member = true;
    }
    return;
  }
  if (Array.isArray(value)) {
    if (isAtomic(value, schema)) {
      node.member = true;
      return;
    }
    const seen = new Set<string>();
    value.forEach((item, i) => {
      let element: string;
      if (schema.listType === 'set') {
        element = valueElement(item);
      } else {
        const k = itemKey(item, schema);
        if ('error' in k) throw typedError(`.${path.join('.')}[${i}]: ${k.error}`);
        element = k.element;
      }
      if (seen.has(element)) throw typedError(`.${path.join('.')}: duplicate entries for key ${element.slice(2)}`);
      seen.add(element);
      const child = node.child(element);
      if (schema.listType === 'map') {
        path.push(`[${i}]`);
        walk(item, schema.item(), child, path);
        path.pop();
      }
      child.member = true;
    });
    return;
  }
  node.member = true;
}

function typedError(detail: string): PatchError {
  // kube-apiserver wraps this as "failed to create typed patch object"; it is the client's mistake.
  return new PatchError(`failed to create typed patch object: ${detail}`, 422, [{ reason: 'FieldValueInvalid', message: detail }]);
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/**
 * What changed from `before` to `after` (undefined = absent), per field path.
 * `ignoreManagedFields`: compare as if neither object had metadata.managedFields.
 */
export function compareObjects(before: unknown, after: unknown, schema: SchemaLookup, ignoreManagedFields = false): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareAt(before, after, schema, [], c, ignoreManagedFields);
  return c;
}

const METADATA = fieldElement('metadata');

function emptyish(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

/** `ignoreManagedFields` applies at the root only: it leaves metadata.managedFields out. */
function compareAt(a: unknown, b: unknown, schema: SchemaLookup, path: string[], c: Comparison, ignoreManagedFields = false): void {
  if (schema.meta.implicit === true) {
    // A non-pointer struct is always there in a typed object, so it is never added or removed.
    if (a === undefined && b !== undefined) a = Array.isArray(b) ? null : isObject(b) ? {} : undefined;
    if (b === undefined && a !== undefined) b = Array.isArray(a) ? null : isObject(a) ? {} : undefined;
  }
  if (a === undefined && b === undefined) return;
  const ka = kindOf(a);
  const kb = kindOf(b);
  const container = ka === 'object' || ka === 'array' ? ka : kb === 'object' || kb === 'array' ? kb : undefined;
  const compatible = container !== undefined && (ka === container || ka === 'null') && (kb === container || kb === 'null');
  const sample = ka === container ? a : b;
  if (!compatible || isAtomic(sample, schema) || (emptyish(a) && emptyish(b))) {
    leaf(a, b, path, c);
    return;
  }
  if (container === 'object') {
    const ao = isObject(a) ? a : {};
    const bo = isObject(b) ? b : {};
    const skipped = ignoreManagedFields && path.length === 1 && path[0] === METADATA ? 'managedFields' : undefined;
    for (const k of Object.keys(ao)) {
      if (k === skipped) continue;
      path.push(fieldElement(k));
      compareAt(ao[k], bo[k], schema.field(k), path, c, ignoreManagedFields && path.length === 1);
      path.pop();
    }
    for (const k of Object.keys(bo)) {
      if (k === skipped || Object.prototype.hasOwnProperty.call(ao, k)) continue;
      path.push(fieldElement(k));
      compareAt(undefined, bo[k], schema.field(k), path, c, ignoreManagedFields && path.length === 1);
      path.pop();
    }
  } else {
    const al = Array.isArray(a) ? a : [];
    const bl = Array.isArray(b) ? b : [];
    const ae = listElements(al, schema);
    const be = listElements(bl, schema);
    if (ae === undefined || be === undefined) {
      leaf(a, b, path, c);
      return;
    }
    const byA = new Map<string, unknown>();
    ae.forEach((e, i) => byA.has(e) || byA.set(e, al[i]));
    const byB = new Map<string, unknown>();
    be.forEach((e, i) => byB.has(e) || byB.set(e, bl[i]));
    const itemSchema = schema.listType === 'map' ? schema.item() : schema;
    for (const e of new Set([...ae, ...be])) {
      path.push(e);
      if (schema.listType === 'set') leaf(byA.has(e) ? byA.get(e) : undefined, byB.has(e) ? byB.get(e) : undefined, path, c);
      else compareAt(byA.get(e), byB.get(e), itemSchema, path, c);
      path.pop();
    }
  }
  if (path.length === 0) return;
  if (a === undefined) c.added.insert(path);
  else if (b === undefined) c.removed.insert(path);
}

function leaf(a: unknown, b: unknown, path: string[], c: Comparison): void {
  if (path.length === 0) return;
  if (a === undefined) c.added.insert(path);
  else if (b === undefined) c.removed.insert(path);
  else if (!deepEqual(a, b)) c.modified.insert(path);
}

/** The value at `path`, or undefined. */
export function getAtPath(root: unknown, path: FieldPath, schema: SchemaLookup): unknown {
  let cur: unknown = root;
  let s = schema;
  for (const el of path) {
    const r = step(cur, el, s);
    if (r === undefined) return undefined;
    cur = r.value;
    s = r.schema;
  }
  return cur;
}

/** Removes the value at `path` from `root` in place; returns whether something was removed. */
export function removeAtPath(root: unknown, path: FieldPath, schema: SchemaLookup): boolean {
  if (path.length === 0) return false;
  let cur: unknown = root;
  let s = schema;
  for (const el of path.slice(0, -1)) {
    const r = step(cur, el, s);
    if (r === undefined) return false;
    cur = r.value;
    s = r.schema;
  }
  const last = path[path.length - 1] ?? '';
  if (last.startsWith('f:') && isObject(cur)) {
    const name = last.slice(2);
    if (!Object.prototype.hasOwnProperty.call(cur, name)) return false;
    delete cur[name];
    return true;
  }
  if (Array.isArray(cur)) {
    const at = indexOfElement(cur, last, s);
    if (at < 0) return false;
    cur.splice(at, 1);
    return true;
  }
  return false;
}

/** Sets `value` at `path`, creating objects on the way (list items must exist). */
export function setAtPath(root: unknown, path: FieldPath, value: unknown, schema: SchemaLookup): void {
  let cur: unknown = root;
  let s = schema;
  for (const el of path.slice(0, -1)) {
    if (el.startsWith('f:') && isObject(cur) && !isObject(cur[el.slice(2)]) && !Array.isArray(cur[el.slice(2)])) cur[el.slice(2)] = {};
    const r = step(cur, el, s);
    if (r === undefined) return;
    cur = r.value;
    s = r.schema;
  }
  const last = path[path.length - 1] ?? '';
  if (last.startsWith('f:') && isObject(cur)) cur[last.slice(2)] = value;
  else if (Array.isArray(cur)) {
    const at = indexOfElement(cur, last, s);
    if (at >= 0) cur[at] = value;
    else cur.push(value);
  }
}

function indexOfElement(list: unknown[], el: string, schema: SchemaLookup): number {
  if (el.startsWith('i:')) {
    const i = Number(el.slice(2));
    return i < list.length ? i : -1;
  }
  if (el.startsWith('v:')) return list.findIndex((v) => valueElement(v) === el);
  if (el.startsWith('k:')) {
    return list.findIndex((item) => {
      const k = itemKey(item, schema);
      return 'element' in k && k.element === el;
    });
  }
  return -1;
}

function step(cur: unknown, el: string, schema: SchemaLookup): { value: unknown; schema: SchemaLookup } | undefined {
  if (el.startsWith('f:')) {
    if (!isObject(cur)) return undefined;
    const name = el.slice(2);
    if (!Object.prototype.hasOwnProperty.call(cur, name)) return undefined;
    return { value: cur[name], schema: schema.field(name) };
  }
  if (!Array.isArray(cur)) return undefined;
  const at = indexOfElement(cur, el, schema);
  if (at < 0) return undefined;
  return { value: cur[at], schema: el.startsWith('k:') ? schema.item() : schema };
}
