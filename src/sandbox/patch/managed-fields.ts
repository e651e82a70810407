// metadata.managedFields bookkeeping: decoding and encoding entries, the
// fields kube-apiserver never tracks, and `trackUpdate`, which records the
// fields a create/update/patch changed for its field manager (operation
// Update) the way the real server's field manager does.
import type { KubeObject, ManagedFieldsEntry } from '../../api/meta.js';
import { builtinFieldMeta, customResourceFieldMeta } from './builtin-schemas.js';
import { FieldSet, fieldElement } from './field-set.js';
import { deepEqual, isObject } from './json-value.js';
import { compareObjects } from './object-fields.js';
import { SchemaLookup, type FieldMeta } from './patch-meta.js';

export type ManagedOperation = 'Apply' | 'Update';

/** One manager's ownership, decoded. */
export interface ManagerEntry {
  manager: string;
  operation: ManagedOperation;
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/** Paths kube-apiserver strips from every field set (its stripMetaManager). */
export const STRIPPED_PATHS: readonly (readonly string[])[] = [
  ['apiVersion'],
  ['kind'],
  ['metadata'],
  ['metadata', 'name'],
  ['metadata', 'namespace'],
  ['metadata', 'creationTimestamp'],
  ['metadata', 'selfLink'],
  ['metadata', 'uid'],
  ['metadata', 'clusterName'],
  ['metadata', 'generation'],
  ['metadata', 'managedFields'],
  ['metadata', 'resourceVersion'],
];

const STRIP_SET = (() => {
  const s = new FieldSet();
  for (const p of STRIPPED_PATHS) s.insert(p.map(fieldElement));
  return s;
})();

export function stripSystemFields(set: FieldSet): FieldSet {
  return set.difference(STRIP_SET);
}

/**
 * Fields a write through `subresource` may not change, as field paths
 * (field names only). The main resource leaves status to the status
 * subresource; the status subresource changes nothing but status.
 */
export function defaultResetFields(obj: KubeObject | undefined, subresource: string | undefined, statusSubresource = true): string[][] {
  if (subresource === 'status') {
    return Object.keys(obj ?? {})
      .filter((k) => k !== 'status' && k !== 'apiVersion' && k !== 'kind')
      .map((k) => [k]);
  }
  if (subresource === undefined || subresource === '') return statusSubresource ? [['status']] : [];
  return [];
}

export function resetFieldSet(resetFields: readonly (readonly string[])[]): FieldSet {
  const s = new FieldSet();
  for (const p of resetFields) s.insert(p.map(fieldElement));
  return s;
}

const RESET_STATUS = resetFieldSet([['status']]);
const RESET_NOTHING = new FieldSet();

/** resetFieldSet(defaultResetFields(...)), with the main resource's two answers built once (sets are never changed in place). */
function defaultResetSet(obj: KubeObject | undefined, subresource: string | undefined, statusSubresource: boolean): FieldSet {
  if (subresource === undefined || subresource === '') return statusSubresource ? RESET_STATUS : RESET_NOTHING;
  return resetFieldSet(defaultResetFields(obj, subresource, statusSubresource));
}

/** The identity the server keys ownership by; appliers are one entry whatever apiVersion they use. */
export function managerIdentity(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify({
    manager: e.manager,
    operation: e.operation,
    ...(e.operation === 'Update' ? { apiVersion: e.apiVersion } : {}),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  });
}

/** How conflict messages name a manager: `"kubectl"`, `"mgr" using apps/v1`, `"mgr" with subresource "status" using v1`. */
export function printManager(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

/**
 * Decodes managedFields. Like the server, an undecodable list is treated as
 * empty rather than failing the write.
 */
export function decodeManagedFields(entries: unknown): ManagerEntry[] | undefined {
  if (!Array.isArray(entries)) return undefined;
  const out: ManagerEntry[] = [];
  try {
    for (const e of entries) {
      if (!isObject(e)) return undefined;
      const { manager, operation, apiVersion, time, fieldsType, fieldsV1, subresource } = e;
      if (operation !== 'Apply' && operation !== 'Update') return undefined;
      if (typeof apiVersion !== 'string' || apiVersion === '' || fieldsType !== 'FieldsV1') return undefined;
      const entry: ManagerEntry = {
        manager: typeof manager === 'string' ? manager : '',
        operation,
        apiVersion,
        set: FieldSet.fromFieldsV1(fieldsV1 ?? {}),
      };
      if (typeof time === 'string') entry.time = time;
      if (typeof subresource === 'string' && subresource !== '') entry.subresource = subresource;
      out.push(entry);
    }
  } catch {
    return undefined;
  }
  return out;
}

function epochSeconds(t: string | undefined): number {
  return t === undefined ? 0 : Math.floor(Date.parse(t) / 1000) || 0;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareEntries(p: ManagerEntry, q: ManagerEntry): number {
  return (
    compareStrings(p.operation, q.operation) ||
    epochSeconds(p.time) - epochSeconds(q.time) ||
    compareStrings(p.manager, q.manager) ||
    compareStrings(p.apiVersion, q.apiVersion) ||
    compareStrings(p.subresource ?? '', q.subresource ?? '')
  );
}

/** Encodes entries sorted as the server sorts them (Apply first, then by time, manager, apiVersion, subresource). */
export function encodeManagedFields(entries: readonly ManagerEntry[]): ManagedFieldsEntry[] {
  const kept = entries.filter((e) => !e.set.isEmpty());
  if (kept.length > 1) kept.sort(compareEntries);
  const encoded = kept.map((e) => {
    const fieldsV1 = sourceFields.get(e.set) ?? e.set.toFieldsV1();
    // Key order as the server writes it: manager, operation, apiVersion, time, fieldsType, fieldsV1, subresource.
    const out: ManagedFieldsEntry = e.time === undefined
      ? { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, fieldsType: 'FieldsV1', fieldsV1 }
      : { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, time: e.time, fieldsType: 'FieldsV1', fieldsV1 };
    if (e.subresource !== undefined) out.subresource = e.subresource;
    return out;
  });
  return encoded;
}

/** The server keeps at most this many Update entries; older ones fold into `ancient-changes`. */
export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES_MANAGER = 'ancient-changes';

/**
 * Folds the oldest Update entries into one `ancient-changes` entry per
 * apiVersion until at most `max` Update entries remain, as the server's
 * capManagersManager does, so managedFields cannot grow without bound.
 * Entries are updated in place; callers pass their own copies.
 */
export function capUpdateManagers(entries: ManagerEntry[], max = MAX_UPDATE_MANAGERS): ManagerEntry[] {
  const updaters = entries.filter((e) => e.operation === 'Update');
  if (updaters.length <= max) return entries;
  const seconds = (t: string | undefined): number => (t === undefined ? 0 : Date.parse(t) || 0);
  updaters.sort((a, b) => seconds(a.time) - seconds(b.time));
  const out = [...entries];
  const firstByVersion = new Map<string, ManagerEntry>();
  let count = updaters.length;
  for (const e of updaters) {
    if (count <= max) break;
    const first = firstByVersion.get(e.apiVersion);
    if (first === undefined) {
      firstByVersion.set(e.apiVersion, e);
      continue;
    }
    // The first entry of this version becomes the bucket; later ones merge into it.
    first.manager = ANCIENT_CHANGES_MANAGER;
    delete first.subresource;
    first.set = first.set.union(e.set);
    if (e.time !== undefined) first.time = e.time;
    out.splice(out.indexOf(e), 1);
    count--;
  }
  return out;
}

let lastMetaTime = { now: '', text: '' };

/** metav1.Time has second precision: `2024-05-01T12:00:00Z`. Every write in a second asks for the same one. */
export function toMetaTime(now: string): string {
  if (now === lastMetaTime.now) return lastMetaTime.text;
  const ms = Date.parse(now);
  const text = Number.isNaN(ms) ? now : new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  lastMetaTime = { now, text };
  return text;
}

const OBJECT_META_ONLY = customResourceFieldMeta();

/** Field metadata for an object, from the built-in table or, failing that, ObjectMeta only. */
export function fieldMetaFor(obj: Pick<KubeObject, 'apiVersion' | 'kind'>, override?: FieldMeta): FieldMeta {
  if (override !== undefined) return override;
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/', 2) : ['', obj.apiVersion];
  return builtinFieldMeta({ group: group ?? '', version: version ?? '', kind: obj.kind }) ?? OBJECT_META_ONLY;
}

/** `managedFields: []` or `[{}]` in a write asks the server to drop all ownership. */
function isReset(managedFields: unknown): boolean {
  if (!Array.isArray(managedFields)) return false;
  if (managedFields.length === 0) return true;
  return managedFields.length === 1 && isObject(managedFields[0]) && Object.keys(managedFields[0]).length === 0;
}

/**
 * The stored fieldsV1 a live entry's set was decoded from, so that a set a write leaves alone is
 * encoded as that same (never mutated) object instead of being rebuilt. Keyed by the decoded set,
 * which lives only as long as the write.
 */
const sourceFields = new WeakMap<FieldSet, Record<string, unknown>>();

/** The live object's entries, decoded. Stored lists were encoded here, so their fieldsV1 are canonical. */
function decodeLive(oldObj: KubeObject | undefined): readonly ManagerEntry[] {
  const list = oldObj?.metadata?.managedFields;
  if (!Array.isArray(list)) return [];
  const entries = decodeManagedFields(list) ?? [];
  // decoding keeps the list's order
  entries.forEach((e, i) => {
    const source = (list[i] as { fieldsV1?: unknown }).fieldsV1;
    if (isObject(source)) sourceFields.set(e.set, source);
  });
  return entries;
}

/** The ownership a write starts from: the written object's own list if it set a valid one, else the live object's. */
function startingEntries(oldObj: KubeObject | undefined, newObj: KubeObject, subresource: string | undefined): readonly ManagerEntry[] {
  if (subresource) return decodeLive(oldObj);
  const written = newObj.metadata?.managedFields;
  if (isReset(written)) return [];
  // a read-modify-write usually sends back the list it read: that decodes to the live entries
  if (written === undefined || written === oldObj?.metadata?.managedFields || deepEqual(written, oldObj?.metadata?.managedFields)) return decodeLive(oldObj);
  const decoded = decodeManagedFields(written);
  if (decoded === undefined || decoded.every((e) => e.set.isEmpty())) return decodeLive(oldObj);
  return decoded;
}

export interface TrackUpdateArgs {
  oldObj: KubeObject | undefined;
  newObj: KubeObject;
  manager: string;
  apiVersion: string;
  subresource?: string;
  now: string;
  /** Merge metadata of the kind; defaults to the built-in table by apiVersion/kind. */
  fieldMeta?: FieldMeta;
  /** Whether the kind has a status subresource (default true); without one, status is owned like any field. */
  statusSubresource?: boolean;
  /** Field paths (names) this write may not own; defaults to `defaultResetFields`. */
  resetFields?: readonly (readonly string[])[];
}

/**
 * Returns `newObj` (a copy) with managedFields updated for a non-apply write:
 * the fields it added or changed now belong to `manager` (operation Update),
 * are taken from every other manager, and removed fields are dropped from all.
 */
export function trackUpdate(args: TrackUpdateArgs): KubeObject {
  const { oldObj, newObj, manager, apiVersion, subresource, now } = args;
  const schema = SchemaLookup.of(fieldMetaFor(newObj, args.fieldMeta));
  // shallow copies: the sets are replaced below, never changed in place (sourceFields knows them)
  const entries = startingEntries(oldObj, newObj, subresource).map((e) => ({ ...e }));
  const cmp = compareObjects(oldObj ?? {}, newObj, schema, true);
  const changed = cmp.modified.isEmpty() ? cmp.added : cmp.added.isEmpty() ? cmp.modified : cmp.added.union(cmp.modified);
  const dropped = cmp.removed.isEmpty() ? undefined : cmp.removed;
  // a set that loses nothing is kept as it is (and so encodes as the stored fieldsV1)
  for (const e of entries) {
    if (e.set.intersects(changed)) e.set = e.set.difference(changed);
    if (dropped !== undefined && e.set.intersects(dropped)) e.set = e.set.difference(dropped);
  }
  const reset = args.resetFields !== undefined ? resetFieldSet(args.resetFields) : defaultResetSet(newObj, subresource, args.statusSubresource ?? true);
  const own = stripSystemFields(changed).recursiveDifference(reset);
  if (!own.isEmpty()) {
    // the entry managerIdentity() would match: same manager, Update, apiVersion and subresource
    const mine = entries.find((e) => e.operation === 'Update' && e.manager === manager && e.apiVersion === apiVersion && (e.subresource || undefined) === (subresource || undefined));
    if (mine !== undefined) {
      if (!mine.set.covers(own)) mine.set = mine.set.union(own);
      mine.time = toMetaTime(now);
    } else {
      entries.push({ manager, operation: 'Update', apiVersion, time: toMetaTime(now), ...(subresource ? { subresource } : {}), set: own });
    }
  }
  // Only metadata changes, so a shallow copy leaves the caller's object alone.
  const encoded = encodeManagedFields(capUpdateManagers(entries));
  if (encoded.length === 0) {
    const { managedFields: _dropped, ...metadata } = newObj.metadata ?? {};
    return { ...newObj, metadata };
  }
  // built with the list in place rather than added after: one object shape, no transition
  return { ...newObj, metadata: { ...newObj.metadata, managedFields: encoded } };
}

export function setManagedFields(obj: KubeObject, encoded: ManagedFieldsEntry[]): void {
  obj.metadata ??= {};
  if (encoded.length === 0) delete obj.metadata.managedFields;
  else obj.metadata.managedFields = encoded;
}
