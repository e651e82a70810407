// Sets of field paths in the FieldsV1 encoding used by managedFields:
// `f:<name>` for a field, `k:{"name":"x"}` for an item of an associative
// list, `v:<json>` for an item of a set, `i:<n>` for a list index, and `.`
// marking that a node with children is itself owned. A path is the list of
// those encoded elements from the root.
import { isObject } from './json-value.js';

export type FieldPath = readonly string[];

/** The children of every leaf: most nodes of a field set are leaves, so they share one empty map. */
const NO_CHILDREN: ReadonlyMap<string, FieldSet> = new Map();

export class FieldSet {
  member = false;
  private kids: Map<string, FieldSet> | undefined = undefined;

  get children(): ReadonlyMap<string, FieldSet> {
    return this.kids ?? NO_CHILDREN;
  }

  /** Sets a child node (only while building a set: sets are not changed once handed out). */
  setChild(element: string, child: FieldSet): void {
    (this.kids ??= new Map()).set(element, child);
  }

  static fromFieldsV1(fields: unknown): FieldSet {
    const set = new FieldSet();
    if (!isObject(fields)) return set;
    for (const [key, value] of Object.entries(fields)) {
      if (key === '.') {
        set.member = true;
        continue;
      }
      if (key[1] !== ':' || !'fkvi'.includes(key[0] ?? '')) throw new Error(`fieldsV1: unknown path element ${JSON.stringify(key)}`);
      const child = FieldSet.fromFieldsV1(value);
      // A leaf (`{}`) is owned; a node with children is owned only with `.`.
      if (child.children.size === 0) child.member = true;
      set.setChild(key, child);
    }
    return set;
  }

  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.member && this.children.size > 0) out['.'] = {};
    for (const key of [...this.children.keys()].sort(compareElements)) {
      const child = this.children.get(key);
      if (child === undefined) continue;
      const encoded = child.toFieldsV1();
      if (child.member || Object.keys(encoded).length > 0) out[key] = encoded;
    }
    return out;
  }

  child(element: string): FieldSet {
    let c = this.kids?.get(element);
    if (c === undefined) {
      c = new FieldSet();
      this.setChild(element, c);
    }
    return c;
  }

  node(path: FieldPath): FieldSet | undefined {
    return descend(this, path, false);
  }

  insert(path: FieldPath): void {
    const node = descend(this, path, true);
    if (node !== undefined) node.member = true;
  }

  has(path: FieldPath): boolean {
    return descend(this, path, false)?.member ?? false;
  }

  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [k, c] of this.children) out.setChild(k, c.clone());
    return out;
  }

  /** Every owned path, depth first in encoding order. */
  paths(prefix: string[] = []): string[][] {
    const out: string[][] = [];
    if (this.member && prefix.length > 0) out.push([...prefix]);
    for (const key of [...this.children.keys()].sort(compareElements)) {
      out.push(...(this.children.get(key)?.paths([...prefix, key]) ?? []));
    }
    return out;
  }

  /** Whether some path is a member of both sets (then `difference(other)` removes something). */
  intersects(other: FieldSet): boolean {
    if (this.member && other.member) return true;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (o !== undefined && c.intersects(o)) return true;
    }
    return false;
  }

  /** Whether every member of `other` is a member of this set (then `union(other)` adds nothing). */
  covers(other: FieldSet): boolean {
    if (other.member && !this.member) return false;
    for (const [k, o] of other.children) {
      const c = this.children.get(k);
      if (c === undefined ? !o.isEmpty() : !c.covers(o)) return false;
    }
    return true;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    unionInto(out, other);
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (o === undefined) continue;
      const child = c.intersection(o);
      if (!child.isEmpty()) out.setChild(k, child);
    }
    return out;
  }

  /** Members of this set that are not members of `other`. */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other.member;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      const child = o === undefined ? c.clone() : c.difference(o);
      if (!child.isEmpty()) out.setChild(k, child);
    }
    return out;
  }

  /** Drops every member at or below a member of `other`. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (o === undefined) out.setChild(k, c.clone());
      else if (!o.member) {
        const child = c.recursiveDifference(o);
        if (!child.isEmpty()) out.setChild(k, child);
      }
    }
    return out;
  }
}

function descend(root: FieldSet, path: FieldPath, create: boolean): FieldSet | undefined {
  let cur: FieldSet | undefined = root;
  for (const el of path) {
    if (cur === undefined) return undefined;
    cur = create ? cur.child(el) : cur.children.get(el);
  }
  return cur;
}

function unionInto(target: FieldSet, other: FieldSet): void {
  if (other.member) target.member = true;
  for (const [k, c] of other.children) unionInto(target.child(k), c);
}

export function fieldElement(name: string): string {
  return `f:${name}`;
}

export function keyElement(key: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(key).sort()) sorted[k] = key[k];
  return `k:${JSON.stringify(sorted)}`;
}

export function valueElement(value: unknown): string {
  return `v:${JSON.stringify(value)}`;
}

const KIND_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function compareScalars(a: unknown, b: unknown): number {
  const rank = (v: unknown): number => (v === null ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'number' ? 2 : typeof v === 'string' ? 3 : 4);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Orders path elements the way structured-merge-diff serializes them. */
export function compareElements(a: string, b: string): number {
  const ka = KIND_ORDER[a[0] ?? ''] ?? 9;
  const kb = KIND_ORDER[b[0] ?? ''] ?? 9;
  if (ka !== kb) return ka - kb;
  const ra = a.slice(2);
  const rb = b.slice(2);
  if (a[0] === 'i') return Number(ra) - Number(rb);
  if (a[0] === 'k') {
    const oa = JSON.parse(ra) as Record<string, unknown>;
    const ob = JSON.parse(rb) as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(oa), ...Object.keys(ob)])].sort();
    for (const k of keys) {
      if (!(k in oa)) return 1;
      if (!(k in ob)) return -1;
      const c = compareScalars(oa[k], ob[k]);
      if (c !== 0) return c;
    }
    return 0;
  }
  if (a[0] === 'v') return compareScalars(JSON.parse(ra), JSON.parse(rb));
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/** The path as structured-merge-diff prints it: `.spec.containers[name="app"].image`. */
export function formatPath(path: FieldPath): string {
  return path
    .map((el) => {
      const rest = el.slice(2);
      switch (el[0]) {
        case 'f':
          return `.${rest}`;
        case 'k': {
          const key = JSON.parse(rest) as Record<string, unknown>;
          return `[${Object.keys(key)
            .sort()
            .map((k) => `${k}=${JSON.stringify(key[k])}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${rest}]`;
        case 'i':
          return `[${rest}]`;
        default:
          return el;
      }
    })
    .join('');
}
