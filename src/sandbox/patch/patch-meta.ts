// How each field of an object is merged. Kubernetes keeps this in Go struct
// tags (`patchStrategy`, `patchMergeKey`) for strategic merge patch and in
// OpenAPI extensions (`x-kubernetes-list-type`, `-list-map-keys`,
// `-map-type`, `+structType`) for server-side apply. The sandbox has no Go
// structs, so the same facts are written down as a FieldMeta tree.
import { isObject } from './json-value.js';

export type PatchStrategy = 'merge' | 'replace' | 'retainKeys';
export type ListType = 'atomic' | 'set' | 'map';
export type KeyValue = string | number | boolean;

export interface FieldMeta {
  /** Strategic merge patch strategies of a list or object field. */
  readonly patchStrategies?: readonly PatchStrategy[];
  /** Strategic merge patch key for lists of objects. */
  readonly patchMergeKey?: string;
  /** Server-side apply list semantics; lists default to atomic. */
  readonly listType?: ListType;
  /** Keys identifying an item of a `map` list (also its fieldsV1 `k:` key). */
  readonly listMapKeys?: readonly string[];
  /** Defaults of key fields the client may omit (ports' protocol is TCP). */
  readonly keyDefaults?: Readonly<Record<string, KeyValue>>;
  /** Server-side apply owns this struct or map as one value. */
  readonly atomic?: boolean;
  /** A map with free-form keys (map[string]T) rather than a struct. */
  readonly map?: boolean;
  /**
   * A non-pointer Go struct: the typed object always carries it, so a write
   * that fills it in never "adds" it (no `.` in the Update field set).
   */
  readonly implicit?: boolean;
  /** Named fields of an object value. */
  readonly fields?: Readonly<Record<string, FieldMeta>>;
  /** Values of a free-form map. */
  readonly values?: FieldMeta;
  /** Items of a list. */
  readonly items?: FieldMeta;
}

const EMPTY: FieldMeta = {};

/** One lookup per FieldMeta node, so walking an object allocates nothing after the first walk. */
const lookups = new WeakMap<FieldMeta, SchemaLookup>();

/** Walks a FieldMeta tree; unknown fields get empty metadata (replace lists, atomic lists). */
export class SchemaLookup {
  constructor(readonly meta: FieldMeta = EMPTY) {}

  /** The shared lookup of a FieldMeta tree (FieldMeta trees are never changed once built). */
  static of(meta: FieldMeta): SchemaLookup {
    let l = lookups.get(meta);
    if (l === undefined) {
      l = new SchemaLookup(meta);
      lookups.set(meta, l);
    }
    return l;
  }

  field(name: string): SchemaLookup {
    const named = this.meta.fields?.[name];
    return SchemaLookup.of(named ?? this.meta.values ?? EMPTY);
  }

  /** True when `name` is a named struct field rather than a map key. */
  isNamedField(name: string): boolean {
    return this.meta.map !== true || this.meta.fields?.[name] !== undefined;
  }

  item(): SchemaLookup {
    return SchemaLookup.of(this.meta.items ?? EMPTY);
  }

  get listType(): ListType {
    return this.meta.listType ?? 'atomic';
  }

  get listMapKeys(): readonly string[] {
    return this.meta.listMapKeys ?? [];
  }

  get patchMergeKey(): string | undefined {
    return this.meta.patchMergeKey;
  }

  hasStrategy(s: PatchStrategy): boolean {
    return this.meta.patchStrategies?.includes(s) ?? false;
  }
}

/** Deep-merges FieldMeta trees; later trees win on scalar properties. */
export function mergeFieldMeta(...metas: (FieldMeta | undefined)[]): FieldMeta {
  const out: { -readonly [K in keyof FieldMeta]: FieldMeta[K] } = {};
  for (const m of metas) {
    if (m === undefined) continue;
    const { fields, values, items, ...rest } = m;
    Object.assign(out, rest);
    if (fields !== undefined) {
      const merged: Record<string, FieldMeta> = { ...(out.fields ?? {}) };
      for (const [k, v] of Object.entries(fields)) merged[k] = mergeFieldMeta(merged[k], v);
      out.fields = merged;
    }
    if (values !== undefined) out.values = mergeFieldMeta(out.values, values);
    if (items !== undefined) out.items = mergeFieldMeta(out.items, items);
  }
  return out;
}

/**
 * Server-side apply metadata from a CRD version's `openAPIV3Schema`, so custom
 * resources merge lists the way their schema declares (`x-kubernetes-list-type:
 * map` conditions, sets of strings, atomic maps).
 */
export function fieldMetaFromOpenApi(schema: unknown): FieldMeta {
  if (!isObject(schema)) return EMPTY;
  const out: { -readonly [K in keyof FieldMeta]: FieldMeta[K] } = {};
  const props = schema['properties'];
  if (isObject(props)) {
    const fields: Record<string, FieldMeta> = {};
    for (const [k, v] of Object.entries(props)) fields[k] = fieldMetaFromOpenApi(v);
    out.fields = fields;
  }
  const additional = schema['additionalProperties'];
  if (isObject(additional)) {
    out.map = true;
    out.values = fieldMetaFromOpenApi(additional);
  }
  if (schema['x-kubernetes-map-type'] === 'atomic') out.atomic = true;
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'atomic' || listType === 'set' || listType === 'map') out.listType = listType;
  const items = schema['items'];
  if (isObject(items)) out.items = fieldMetaFromOpenApi(items);
  const keys = schema['x-kubernetes-list-map-keys'];
  if (Array.isArray(keys) && keys.every((k): k is string => typeof k === 'string')) {
    out.listMapKeys = keys;
    const itemProps = isObject(items) ? items['properties'] : undefined;
    const defaults: Record<string, KeyValue> = {};
    for (const key of keys) {
      const def = isObject(itemProps) && isObject(itemProps[key]) ? itemProps[key]['default'] : undefined;
      if (typeof def === 'string' || typeof def === 'number' || typeof def === 'boolean') defaults[key] = def;
    }
    if (Object.keys(defaults).length > 0) out.keyDefaults = defaults;
  }
  return out;
}
