// Additive drift: fields of a member object that nobody asked for. Server-side apply only
// reasserts the fields kfed sends, so `hostNetwork: true`, an injected env var or an extra
// ConfigMap key added in a member would stay forever. Kubefed and Karmada overwrite the
// member object; kfed keeps server-side apply for what it writes and removes the rest:
// the member's managedFields say who set each field, and a field set by a manager that
// is neither kfed nor a system controller, and that kfed does not also own, is foreign.
//
// Kept (never foreign): everything under metadata (labels and annotations added by others
// are merged, as Kubefed does) and status; fields written through a subresource (status,
// scale); fields of system controllers (kube-controller-manager and friends); and the
// fields the member cluster owns for the kind (a Service's cluster IPs and node ports, a
// ServiceAccount's secrets, a Job's generated selector, replicas under retainReplicas).
//
// Removal is a JSON patch whose first operation tests the observed resourceVersion, so
// it never removes anything from an object that changed since it was read.
import type { KubeObject, ManagedFieldsEntry } from '../../api/meta.js';

type Tree = { [element: string]: Tree };

/** Field managers of Kubernetes' own components, whose fields are never foreign. */
export const SYSTEM_MANAGERS: ReadonlySet<string> = new Set(['kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-apiserver', 'kube-proxy', 'cloud-controller-manager']);

export interface ForeignOptions {
  /** kfed's field manager. */
  fieldManager: string;
  /** spec.replicas belongs to the member (the federated object's retainReplicas). */
  retainReplicas?: boolean;
}

export interface JsonPatchOp {
  op: 'test' | 'remove';
  path: string;
  value?: unknown;
}

export interface ForeignFields {
  /** Readable paths of the foreign fields, e.g. `spec.template.spec.containers[name=app].env[name=X]`. */
  fields: string[];
  /** The JSON patch that removes them (empty when there is nothing to remove). */
  patch: JsonPatchOp[];
  /** Each readable field's managedFields path (list items by key or value, not by index). */
  paths: Record<string, readonly string[]>;
}

/** Is a field (as `foreignFields` reported it) still in the object, e.g. after a write? */
export function stillPresent(obj: KubeObject, foreign: ForeignFields, field: string): boolean {
  const path = foreign.paths[field];
  return path !== undefined && locate(obj, path) !== undefined;
}

/** Paths (as field names, `*` for any list item) the member cluster owns, by kind. */
const MEMBER_OWNED: Record<string, readonly (readonly string[])[]> = {
  Service: [['spec', 'clusterIP'], ['spec', 'clusterIPs'], ['spec', 'ipFamilies'], ['spec', 'ipFamilyPolicy'], ['spec', 'healthCheckNodePort'], ['spec', 'ports', '*', 'nodePort']],
  ServiceAccount: [['secrets'], ['imagePullSecrets']],
  Job: [['spec', 'selector'], ['spec', 'template', 'metadata']],
};

function merge(into: Tree, from: Tree): Tree {
  for (const [k, v] of Object.entries(from)) into[k] = merge(into[k] ?? {}, v);
  return into;
}

function treeOf(entries: readonly ManagedFieldsEntry[], pick: (e: ManagedFieldsEntry) => boolean): Tree {
  const out: Tree = {};
  for (const e of entries) if (pick(e) && e.fieldsV1 && typeof e.fieldsV1 === 'object') merge(out, e.fieldsV1 as Tree);
  return out;
}

/**
 * Paths another manager owns and kfed does not: the highest node of each branch that the
 * foreign tree owns itself (a leaf field, or an element marked `.`) and under which kfed
 * owns nothing. A node the foreign manager only passes through (it owns something below)
 * is never removed whole.
 */
function unowned(foreign: Tree, ours: Tree | undefined, path: string[], out: string[][]): void {
  for (const [k, child] of Object.entries(foreign)) {
    if (k === '.') continue;
    const mine = ours?.[k];
    const ownsItself = Object.keys(child).length === 0 || '.' in child;
    if (!mine && ownsItself) out.push([...path, k]);
    else unowned(child, mine, [...path, k], out);
  }
}

interface Located {
  path: readonly string[];
  pointer: string[];
  readable: string;
  /** Field names along the path, `*` for list items: for the member-owned rules. */
  names: string[];
}

const escape = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Finds a FieldsV1 path in the object; undefined when the object no longer has it. */
function locate(obj: unknown, path: readonly string[]): Located | undefined {
  let cur: unknown = obj;
  const pointer: string[] = [];
  const names: string[] = [];
  let readable = '';
  for (const el of path) {
    if (el.startsWith('f:')) {
      const name = el.slice(2);
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !(name in cur)) return undefined;
      cur = (cur as Record<string, unknown>)[name];
      pointer.push(escape(name));
      names.push(name);
      readable += readable === '' ? name : `.${name}`;
      continue;
    }
    if (!Array.isArray(cur)) return undefined;
    let index = -1;
    let label = '';
    if (el.startsWith('k:')) {
      const key = JSON.parse(el.slice(2)) as Record<string, unknown>;
      index = cur.findIndex((item) => item !== null && typeof item === 'object' && Object.entries(key).every(([kk, kv]) => JSON.stringify((item as Record<string, unknown>)[kk]) === JSON.stringify(kv)));
      label = Object.entries(key).map(([kk, kv]) => `${kk}=${String(kv)}`).join(',');
    } else if (el.startsWith('v:')) {
      const value = el.slice(2);
      index = cur.findIndex((item) => JSON.stringify(item) === value);
      label = value;
    } else if (el.startsWith('i:')) {
      index = Number(el.slice(2));
      label = String(index);
    }
    if (index < 0 || index >= cur.length) return undefined;
    cur = cur[index];
    pointer.push(String(index));
    names.push('*');
    readable += `[${label}]`;
  }
  return { path, pointer, readable, names };
}

function kept(names: readonly string[], kind: string, opts: ForeignOptions): boolean {
  const first = names[0];
  if (first === 'metadata' || first === 'status' || first === 'apiVersion' || first === 'kind') return true;
  if (opts.retainReplicas && names[0] === 'spec' && names[1] === 'replicas') return true;
  return (MEMBER_OWNED[kind] ?? []).some((rule) => rule.length <= names.length && rule.every((r, i) => r === names[i]));
}

/** Compares JSON pointers so that later array items are removed before earlier ones. */
function removalOrder(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    return !Number.isNaN(nx) && !Number.isNaN(ny) ? ny - nx : x < y ? -1 : 1;
  }
  return b.length - a.length;
}

/** The foreign fields of a member object and the patch that removes them. */
export function foreignFields(observed: KubeObject, opts: ForeignOptions): ForeignFields {
  const entries = observed.metadata.managedFields ?? [];
  const isOurs = (e: ManagedFieldsEntry): boolean => e.manager === opts.fieldManager;
  const isForeign = (e: ManagedFieldsEntry): boolean => !isOurs(e) && !SYSTEM_MANAGERS.has(e.manager ?? '') && (e.subresource ?? '') === '';
  const foreign = treeOf(entries, isForeign);
  if (Object.keys(foreign).length === 0) return { fields: [], patch: [], paths: {} };
  const paths: string[][] = [];
  unowned(foreign, treeOf(entries, isOurs), [], paths);
  const found = paths.map((p) => locate(observed, p)).filter((l): l is Located => l !== undefined && !kept(l.names, observed.kind, opts));
  if (found.length === 0) return { fields: [], patch: [], paths: {} };
  found.sort((a, b) => removalOrder(a.pointer, b.pointer));
  return {
    fields: found.map((f) => f.readable).sort(),
    patch: [{ op: 'test', path: '/metadata/resourceVersion', value: observed.metadata.resourceVersion }, ...found.map((f) => ({ op: 'remove' as const, path: `/${f.pointer.join('/')}` }))],
    paths: Object.fromEntries(found.map((f) => [f.readable, f.path])),
  };
}
