// Server-side apply (application/apply-patch+yaml): merge an applied
// configuration into the live object, remove what this manager applied last
// time and no longer applies (unless someone else owns it), detect conflicts
// with fields other managers own, and record ownership in managedFields.
import type { KubeObject } from '../../api/meta.js';
import { badRequest, PatchError, type PatchErrorCause } from './errors.js';
import { fieldElement, formatPath, type FieldPath, type FieldSet } from './field-set.js';
import { deepClone, deepEqual, isObject, type JsonObject } from './json-value.js';
import {
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  managerIdentity,
  printManager,
  resetFieldSet,
  setManagedFields,
  stripSystemFields,
  toMetaTime,
  type ManagerEntry,
} from './managed-fields.js';
import { compareObjects, getAtPath, listElements, removeAtPath, setAtPath, toFieldSet } from './object-fields.js';
import type { SchemaLookup } from './patch-meta.js';

export interface ServerSideApplyArgs {
  live: KubeObject | undefined;
  config: unknown;
  manager: string;
  /** `group/version` the request was made at; the config must use it. */
  apiVersion: string;
  kind: string;
  schema: SchemaLookup;
  force: boolean;
  subresource?: string;
  /** Field paths (names) this request may not change, e.g. [['status']] on the main resource. */
  resetFields: readonly (readonly string[])[];
  now: string;
}

export interface ApplyConflict {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  /** `.spec.replicas`, `.spec.template.spec.containers[name="app"].image` */
  field: string;
}

/** Thrown (as a PatchError with code 409) when apply conflicts and force is off. */
export class ApplyConflictError extends PatchError {
  constructor(readonly conflicts: ApplyConflict[]) {
    super(conflictMessage(conflicts), 409, conflicts.map(conflictCause));
  }
}

function conflictCause(c: ApplyConflict): PatchErrorCause {
  return { reason: 'FieldManagerConflict', message: `conflict with ${printManager(c)}`, field: c.field };
}

function conflictMessage(conflicts: ApplyConflict[]): string {
  const [only] = conflicts;
  if (conflicts.length === 1 && only !== undefined) return `Apply failed with 1 conflict: conflict with ${printManager(only)}: ${only.field}`;
  const byManager = new Map<string, ApplyConflict[]>();
  for (const c of conflicts) {
    const id = managerIdentity(c);
    byManager.set(id, [...(byManager.get(id) ?? []), c]);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    const group = byManager.get(id) ?? [];
    const first = group[0];
    if (first === undefined) continue;
    lines.push(`conflicts with ${printManager(first)}:`);
    for (const c of group) lines.push(`- ${c.field}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** Checks the applied configuration the way the server's apply patcher does. */
function validateConfig(config: unknown, apiVersion: string, kind: string): JsonObject {
  if (!isObject(config)) {
    throw badRequest(`error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${Array.isArray(config) ? 'array' : typeof config} into Go value of type map[string]interface {}`);
  }
  if (config['apiVersion'] !== apiVersion) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${String(config['apiVersion'] ?? '')}, expected: ${apiVersion}`);
  }
  if (config['kind'] !== kind) {
    throw badRequest(`Incorrect kind specified in apply patch. Specified patch kind: ${String(config['kind'] ?? '')}, expected: ${kind}`);
  }
  const meta = config['metadata'];
  if (isObject(meta) && meta['managedFields'] !== undefined && meta['managedFields'] !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  return config;
}

/** Returns the new object (with managedFields) or throws ApplyConflictError / PatchError. */
export function serverSideApply(args: ServerSideApplyArgs): KubeObject {
  const { live, manager, apiVersion, schema, force, subresource, now } = args;
  const config = validateConfig(args.config, apiVersion, args.kind);
  const entries = (decodeManagedFields(live?.metadata?.managedFields) ?? []).map((e) => ({ ...e, set: e.set.clone() }));
  const liveClean: JsonObject = live === undefined ? {} : withoutManagedFields(live);
  const reset = resetFieldSet(args.resetFields);

  const applied = stripSystemFields(toFieldSet(config, schema)).recursiveDifference(reset);
  const id = managerIdentity({ manager, operation: 'Apply', apiVersion, ...(subresource ? { subresource } : {}) });
  const previous = entries.find((e) => managerIdentity(e) === id);
  const others = entries.filter((e) => e !== previous);

  let merged = mergeValues(liveClean, config, schema) as JsonObject;
  if (previous !== undefined) {
    let keep = applied;
    for (const o of others) keep = keep.union(o.set);
    prune(merged, previous.set, keep, schema);
  }
  merged = restoreReset(merged, liveClean, args.resetFields, schema);

  const cmp = compareObjects(liveClean, merged, schema);
  const touched = cmp.added.union(cmp.modified);
  const conflicts: ApplyConflict[] = [];
  for (const o of others) {
    const clash = o.set.intersection(touched);
    for (const p of clash.paths()) conflicts.push({ manager: o.manager, operation: o.operation, apiVersion: o.apiVersion, ...(o.subresource ? { subresource: o.subresource } : {}), field: formatPath(p) });
  }
  if (conflicts.length > 0 && !force) throw new ApplyConflictError(conflicts);

  for (const o of others) o.set = o.set.difference(touched).difference(cmp.removed);
  const changed = !deepEqual(liveClean, merged);
  const mine: ManagerEntry = {
    manager,
    operation: 'Apply',
    apiVersion,
    ...(changed || previous?.time === undefined ? { time: toMetaTime(now) } : { time: previous.time }),
    ...(subresource ? { subresource } : {}),
    set: applied,
  };
  const out = merged as KubeObject;
  setManagedFields(out, encodeManagedFields(capUpdateManagers([...others, mine])));
  return out;
}

function withoutManagedFields(obj: KubeObject): JsonObject {
  const copy = deepClone(obj) as JsonObject;
  const meta = copy['metadata'];
  if (isObject(meta)) delete meta['managedFields'];
  return copy;
}

/**
 * Merges the applied configuration into the live value: maps by key,
 * associative lists by their keys, sets by value, atomic values replaced.
 * Null in the configuration removes the field from the result.
 */
export function mergeValues(live: unknown, config: unknown, schema: SchemaLookup): unknown {
  if (config === undefined) return deepClone(live);
  if (isObject(config) && schema.meta.atomic !== true) {
    const out: JsonObject = isObject(live) ? deepClone(live) : {};
    for (const [k, v] of Object.entries(config)) {
      const m = mergeValues(out[k], v, schema.field(k));
      if (m === null) delete out[k];
      else out[k] = m;
    }
    return out;
  }
  if (Array.isArray(config) && Array.isArray(live) && (schema.listType === 'set' || schema.listType === 'map')) {
    const liveElements = listElements(live, schema);
    const configElements = listElements(config, schema);
    if (liveElements !== undefined && configElements !== undefined) {
      const itemSchema = schema.listType === 'map' ? schema.item() : schema;
      return mergeLists(live, liveElements, config, configElements, (l, r) => (l === undefined ? deepClone(r) : mergeValues(l, r, itemSchema)));
    }
  }
  return deepClone(config);
}

/**
 * Orders a merged list as structured-merge-diff does: the configuration's
 * order for its items, live-only items kept where they were relative to the
 * next item both lists share.
 */
function mergeLists(
  lhs: unknown[],
  lhsKeys: string[],
  rhs: unknown[],
  rhsKeys: string[],
  mergeItem: (l: unknown, r: unknown) => unknown,
): unknown[] {
  const lhsBy = new Map<string, unknown>();
  lhsKeys.forEach((k, i) => lhsBy.has(k) || lhsBy.set(k, lhs[i]));
  const rhsBy = new Map<string, unknown>();
  rhsKeys.forEach((k, i) => rhsBy.has(k) || rhsBy.set(k, rhs[i]));
  const lOrder = [...new Set(lhsKeys)];
  const rOrder = [...new Set(rhsKeys)];
  const shared = rOrder.filter((k) => lhsBy.has(k));
  let s = 0;
  const out: unknown[] = [];
  const emitted = new Set<string>();
  let i = 0;
  let j = 0;
  while (i < lOrder.length || j < rOrder.length) {
    const l = lOrder[i];
    const r = rOrder[j];
    if (l !== undefined && emitted.has(l)) {
      i++;
      continue;
    }
    if (l !== undefined && r !== undefined) {
      if (l === r) {
        out.push(mergeItem(lhsBy.get(l), rhsBy.get(r)));
        emitted.add(l);
        i++;
        j++;
        if (shared[s] === l) s++;
        continue;
      }
      if (rhsBy.has(l) && shared[s] !== undefined && shared[s] !== l) {
        i++;
        continue;
      }
    }
    if (l !== undefined && !rhsBy.has(l)) {
      out.push(deepClone(lhsBy.get(l)));
      emitted.add(l);
      i++;
      continue;
    }
    if (r !== undefined) {
      out.push(mergeItem(lhsBy.get(r), rhsBy.get(r)));
      emitted.add(r);
      j++;
      if (shared[s] === r) s++;
      continue;
    }
    i++; // a shared live item already merged from the configuration side
  }
  return out;
}

/**
 * Removes from `value` what the manager owned before (`last`) and nobody owns
 * now (`keep`, the new applied set plus every other manager's set).
 */
function prune(value: unknown, last: FieldSet, keep: FieldSet | undefined, schema: SchemaLookup, root = true): void {
  for (const [el, child] of last.children) {
    const keepChild = keep?.children.get(el);
    // metadata holds the system fields no one owns (name, uid, ...): only its owned parts can go.
    const systemNode = root && el === 'f:metadata';
    if (!systemNode && (keepChild === undefined || keepChild.isEmpty())) {
      removeAtPath(value, [el], schema);
      continue;
    }
    if (keepChild !== undefined && keepChild.member && keepChild.children.size === 0) continue;
    const next = getAtPath(value, [el], schema);
    if (next === undefined) continue;
    const nextSchema = el.startsWith('f:') ? schema.field(el.slice(2)) : el.startsWith('k:') ? schema.item() : schema;
    prune(next, child, keepChild, nextSchema, false);
  }
}

/** Puts the live values back at paths this request may not change. */
export function restoreReset(merged: JsonObject, live: JsonObject, resetFields: readonly (readonly string[])[], schema: SchemaLookup): JsonObject {
  for (const names of resetFields) {
    const path: FieldPath = names.map(fieldElement);
    const before = getAtPath(live, path, schema);
    if (before === undefined) removeAtPath(merged, path, schema);
    else setAtPath(merged, path, deepClone(before), schema);
  }
  return merged;
}
