// Kubernetes strategic merge patch (application/strategic-merge-patch+json).
// Lists of objects merge by their patch merge key, primitive lists with the
// `merge` strategy merge as sets, everything else replaces. Directives:
// `$patch: replace|delete` (maps and list items), `$retainKeys`,
// `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`; a null
// value deletes the key. Errors map to the codes kube-apiserver returns.
import { badRequest, unprocessable } from './errors.js';
import { deepClone, deepEqual, isObject, kindOf, type JsonKind, type JsonObject } from './json-value.js';
import type { SchemaLookup } from './patch-meta.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_PRIMITIVE_PREFIX = '$deleteFromPrimitiveList/';
const SET_ORDER_PREFIX = '$setElementOrder/';

// The messages of k8s.io/apimachinery/pkg/util/mergepatch; the server answers
// the first group with 400 and the second with 422.
const ERR_BAD_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const ERR_BAD_RETAIN_KEYS = 'invalid patch format of retainKeys';
const ERR_BAD_SET_ORDER = 'invalid patch format of setElementOrder list';
const ERR_NO_LIST_OF_LISTS = 'lists of lists are not supported';
const ERR_RETAIN_KEYS_MISMATCH = "patch content doesn't match retainKeys list";

/**
 * Applies a strategic merge patch to `original` and returns the merged object;
 * neither input is modified. `schema` describes the root object.
 */
export function applyStrategicMergePatch(original: JsonObject, patch: unknown, schema: SchemaLookup): JsonObject {
  if (!isObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch} into Go value of type map[string]interface {}`);
  }
  return mergeMap(deepClone(original), patch, schema);
}

function mergeMap(original: JsonObject, patch: JsonObject, schema: SchemaLookup): JsonObject {
  if (Object.prototype.hasOwnProperty.call(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      const { [DIRECTIVE]: _ignored, ...rest } = patch;
      return mergeMap({}, rest, schema);
    }
    if (directive === 'delete') return {};
    throw badRequest(`unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  }
  applyRetainKeys(original, patch);
  const handled = applySetElementOrder(original, patch, schema);

  for (const [rawKey, patchValue] of Object.entries(patch)) {
    if (rawKey === RETAIN_KEYS || rawKey.startsWith(SET_ORDER_PREFIX) || handled.has(rawKey)) continue;
    const isDeleteList = rawKey.startsWith(DELETE_PRIMITIVE_PREFIX);
    const key = isDeleteList ? rawKey.slice(DELETE_PRIMITIVE_PREFIX.length) : rawKey;
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    const sub = schema.field(key);
    if (!Object.prototype.hasOwnProperty.call(original, key) || kindOf(original[key]) !== kindOf(patchValue)) {
      // A deletion list never creates the field it deletes from.
      if (!isDeleteList) original[key] = fromPatch(patchValue, sub);
      continue;
    }
    const current = original[key];
    if (isObject(current) && isObject(patchValue)) {
      original[key] = sub.hasStrategy('replace') ? fromPatch(patchValue, sub) : mergeMap(current, patchValue, sub);
    } else if (Array.isArray(current) && Array.isArray(patchValue)) {
      original[key] = mergeSliceHandler(current, patchValue, sub, isDeleteList);
    } else if (isDeleteList) {
      throw badRequest(ERR_BAD_PRIMITIVE_LIST);
    } else {
      original[key] = deepClone(patchValue);
    }
  }
  return original;
}

/** A patch value for a field the original lacks: merged into nothing, so directives and nulls drop out. */
function fromPatch(value: unknown, schema: SchemaLookup): unknown {
  if (isObject(value)) return mergeMap({}, value, schema);
  if (Array.isArray(value)) return mergeSliceHandler([], value, schema, false);
  return deepClone(value);
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.prototype.hasOwnProperty.call(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw badRequest(ERR_BAD_RETAIN_KEYS);
  const keep = new Set(retain.map((k) => String(k)));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k === RETAIN_KEYS || k === DIRECTIVE) continue;
    if (k.startsWith(DELETE_PRIMITIVE_PREFIX) || k.startsWith(SET_ORDER_PREFIX)) continue;
    if (!keep.has(k)) throw unprocessable(ERR_RETAIN_KEYS_MISMATCH);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * Merges every list that has a `$setElementOrder/<field>` directive and
 * orders it: the directive's order first, then the patch's, then the live
 * list's. Returns the list fields it handled so the main loop skips them.
 */
function applySetElementOrder(original: JsonObject, patch: JsonObject, schema: SchemaLookup): Set<string> {
  const handled = new Set<string>();
  for (const [directiveKey, order] of Object.entries(patch)) {
    if (!directiveKey.startsWith(SET_ORDER_PREFIX)) continue;
    if (!Array.isArray(order)) throw badRequest(ERR_BAD_SET_ORDER);
    const key = directiveKey.slice(SET_ORDER_PREFIX.length);
    const sub = schema.field(key);
    const mergeKey = sub.patchMergeKey;
    const foundOriginal = Object.prototype.hasOwnProperty.call(original, key) && original[key] !== null;
    const foundPatch = Object.prototype.hasOwnProperty.call(patch, key) && patch[key] !== null;
    const originalList = foundOriginal ? original[key] : [];
    const patchList = foundPatch ? patch[key] : [];
    if (!Array.isArray(originalList) || !Array.isArray(patchList)) throw badRequest(ERR_BAD_SET_ORDER);
    validateSetOrder(patchList, order, mergeKey);
    if (!foundOriginal && !foundPatch) continue;
    const merged = foundPatch ? mergeSliceHandler(originalList, patchList, sub, false) : originalList;
    const [inOrder, serverOnly] = partition(merged, order, mergeKey);
    original[key] = normalizeOrder(inOrder, serverOnly, order, originalList, mergeKey);
    if (foundPatch) handled.add(key);
  }
  return handled;
}

function validateSetOrder(patchList: unknown[], order: unknown[], mergeKey: string | undefined): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = patchList.filter((item) => !(isObject(item) && Object.prototype.hasOwnProperty.call(item, DIRECTIVE)));
  let p = 0;
  for (let o = 0; p < items.length && o < order.length; o++) {
    if (sameItem(items[p], order[o], mergeKey)) p++;
  }
  if (p < items.length) throw badRequest(ERR_BAD_SET_ORDER);
}

function mergeSliceHandler(original: unknown[], patch: unknown[], schema: SchemaLookup, isDeleteList: boolean): unknown[] {
  if (!schema.hasStrategy('merge')) {
    // Non-merge lists take the patch as is (a deletion list included, as the
    // server does); only the nulls inside new objects are dropped.
    return patch.map((item) => (isObject(item) ? mergeMap({}, item, schema.item()) : deepClone(item)));
  }
  return mergeSlice(original, patch, schema, isDeleteList);
}

function mergeSlice(original: unknown[], patch: unknown[], schema: SchemaLookup, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return [];
  const kind = elementKind(original, patch);
  const mergeKey = schema.patchMergeKey;
  if (kind !== 'object') {
    if (isDeleteList) return original.filter((o) => !patch.some((p) => deepEqual(o, p))).map((o) => deepClone(o));
    const merged: unknown[] = [];
    for (const v of [...original, ...patch]) if (!merged.some((m) => deepEqual(m, v))) merged.push(deepClone(v));
    const [inPatch, serverOnly] = partition(merged, patch, undefined);
    return normalizeOrder(inPatch, serverOnly, patch, original, undefined);
  }
  if (mergeKey === undefined) throw badRequest('cannot merge lists without merge key');
  let base = original.map((o) => deepClone(o));
  const items: unknown[] = [];
  let replace = false;
  for (const item of patch) {
    if (!isObject(item) || !Object.prototype.hasOwnProperty.call(item, DIRECTIVE)) {
      items.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === 'delete') {
      if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw noMergeKey(item, mergeKey);
      base = base.filter((o) => !(isObject(o) && deepEqual(o[mergeKey], item[mergeKey])));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw badRequest('merging lists cannot yet be specified in the patch');
    } else {
      throw badRequest(`unknown patch type: ${String(directive)} in map: ${JSON.stringify(item)}`);
    }
  }
  const itemSchema = schema.item();
  if (replace) {
    // `$patch: replace` in a list: the other patch items are the new list.
    return items.map((item) => (isObject(item) ? mergeMap({}, item, itemSchema) : deepClone(item)));
  }
  const merged = [...base];
  for (const item of items) {
    if (!isObject(item)) throw badRequest(`expected a map in a list merged by ${mergeKey}, got ${JSON.stringify(item)}`);
    if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const at = merged.findIndex((o) => isObject(o) && deepEqual(o[mergeKey], item[mergeKey]));
    if (at >= 0) merged[at] = mergeMap(merged[at] as JsonObject, item, itemSchema);
    else merged.push(mergeMap({}, item, itemSchema));
  }
  const [inPatch, serverOnly] = partition(merged, items, mergeKey);
  return normalizeOrder(inPatch, serverOnly, items, base, mergeKey);
}

function noMergeKey(item: JsonObject, mergeKey: string): Error {
  return badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
}

function elementKind(original: unknown[], patch: unknown[]): JsonKind {
  let found: JsonKind | undefined;
  for (const v of [...original, ...patch]) {
    const k = kindOf(v);
    if (k === 'array') throw unprocessable(ERR_NO_LIST_OF_LISTS);
    if (k === 'null') continue;
    if (found !== undefined && found !== k) throw badRequest('mismatched element types in list');
    found = k;
  }
  return found ?? 'scalar';
}

function sameItem(a: unknown, b: unknown, mergeKey: string | undefined): boolean {
  if (mergeKey === undefined) return deepEqual(a, b);
  return isObject(a) && isObject(b) && deepEqual(a[mergeKey], b[mergeKey]);
}

function indexIn(list: unknown[], item: unknown, mergeKey: string | undefined): number {
  return list.findIndex((x) => sameItem(x, item, mergeKey));
}

/** Splits `merged` into items named by `list` and the rest. */
function partition(merged: unknown[], list: unknown[], mergeKey: string | undefined): [unknown[], unknown[]] {
  const inList: unknown[] = [];
  const rest: unknown[] = [];
  for (const item of merged) (indexIn(list, item, mergeKey) >= 0 ? inList : rest).push(item);
  return [inList, rest];
}

/**
 * Patch items keep the patch's order; server-only items keep the live
 * order and are slotted in before the first patch item that follows them in
 * the live list.
 */
function normalizeOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string | undefined,
): unknown[] {
  const byIndex = (order: unknown[]) => (a: unknown, b: unknown) => indexIn(order, a, mergeKey) - indexIn(order, b, mergeKey);
  const right = [...patchItems].sort(byIndex(patchOrder));
  const left = [...serverOnly].sort(byIndex(serverOrder));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
