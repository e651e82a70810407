// Per-cluster overrides: RFC 6902 add/remove/replace on JSON-pointer paths of the member
// object (op defaults to replace), as Kubefed's ApplyJSONPatch. A failure is confined to
// its cluster and reported as ApplyOverridesFailed with the offending operation.
//
// Order for one cluster: the overriders of every applicable OverridePolicy rule that
// targets the cluster (policies in overridePolicyOrder: lowest priority first), then the
// object's own `spec.overrides` for the cluster. The object's own overrides come last
// because they are the most specific statement about this object and so win.
import jsonpatch from 'fast-json-patch';
import type { KubeObject } from '../../api/meta.js';
import type { ClusterOverride, FederatedObject, OverridePolicy } from '../../api/federation.js';
import type { SelectableCluster } from './cluster-match.js';
import { overridePolicyOrder, targetsCluster } from './policies.js';
import { hasTypedOverriders, typedOverriderOps } from './typed-overriders.js';

/**
 * Paths no override may touch: they tie the member object to its federated object
 * (name, namespace) and to its type config (apiVersion, kind). Ancestors (`""`, `/metadata`)
 * are refused too since replacing them would change these fields.
 */
const PROTECTED_PATHS = ['/apiVersion', '/kind', '/metadata/name', '/metadata/namespace', '/metadata/generateName'];

export type OverrideOutcome<T> = { ok: true; value: T } | { ok: false; reason: 'ApplyOverridesFailed'; message: string };

function isProtected(path: string): boolean {
  return PROTECTED_PATHS.some((p) => p === path || p.startsWith(`${path}/`));
}

/**
 * Why this list of operations cannot be applied in any cluster, or undefined. Duplicate
 * paths are refused within one source (one overrides entry, one policy rule) like Kubefed.
 */
export function checkClusterOverrides(ops: readonly ClusterOverride[], opts: { allowDuplicatePaths?: boolean } = {}): string | undefined {
  const seen = new Set<string>();
  for (const [i, op] of ops.entries()) {
    const where = `override[${i}] (${op.op ?? 'replace'} ${op.path})`;
    if (op.op !== undefined && !['add', 'remove', 'replace'].includes(op.op)) return `${where}: unsupported op ${JSON.stringify(op.op)}`;
    if (typeof op.path !== 'string' || (op.path !== '' && !op.path.startsWith('/'))) return `${where}: path must be a JSON pointer starting with /`;
    if (isProtected(op.path)) return `${where}: path may not be overridden (it would change apiVersion, kind, name or namespace)`;
    if ((op.op ?? 'replace') !== 'remove' && op.value === undefined) return `${where}: value is required`;
    if (seen.has(op.path) && !opts.allowDuplicatePaths) return `${where}: path appears more than once`;
    seen.add(op.path);
  }
  return undefined;
}

const PATCH_ERRORS: Record<string, string> = {
  OPERATION_PATH_UNRESOLVABLE: 'path does not exist',
  OPERATION_PATH_CANNOT_ADD: 'parent of path does not exist',
  OPERATION_PATH_ILLEGAL_ARRAY_INDEX: 'illegal array index',
  OPERATION_VALUE_OUT_OF_BOUNDS: 'array index out of bounds',
  OPERATION_VALUE_REQUIRED: 'value is required',
};

/** Apply operations in order to a copy of `obj`; the input is never mutated. */
export function applyClusterOverrides(obj: KubeObject, ops: readonly ClusterOverride[]): OverrideOutcome<KubeObject> {
  const invalid = checkClusterOverrides(ops, { allowDuplicatePaths: true });
  if (invalid !== undefined) return { ok: false, reason: 'ApplyOverridesFailed', message: invalid };
  let doc: KubeObject = structuredClone(obj);
  for (const [i, op] of ops.entries()) {
    const operation = op.op === 'remove' ? { op: 'remove' as const, path: op.path } : { op: op.op ?? 'replace', path: op.path, value: structuredClone(op.value) };
    try {
      doc = jsonpatch.applyOperation(doc, operation, true, true, true).newDocument;
    } catch (cause) {
      const name = (cause as { name?: string }).name ?? '';
      const detail = PATCH_ERRORS[name] ?? (cause as Error).message.split('\n')[0];
      return { ok: false, reason: 'ApplyOverridesFailed', message: `override[${i}] (${operation.op} ${op.path}): ${detail}` };
    }
  }
  return { ok: true, value: doc };
}

/** `namespace/name` of a namespaced policy, `name` of a cluster-scoped one. */
export function policyDisplayName(p: KubeObject): string {
  return `${p.metadata.namespace ? `${p.metadata.namespace}/` : ''}${p.metadata.name ?? ''}`;
}

/** The member object's shape as the template gives it (typed overriders compute paths on it). */
function templateObject(fed: FederatedObject): KubeObject {
  const template = (fed.spec.template ?? {}) as Record<string, unknown>;
  const metadata = (template['metadata'] ?? {}) as KubeObject['metadata'];
  return { ...template, metadata: { ...metadata } } as KubeObject;
}

/**
 * The operations that apply to one cluster: policy overriders first, then the object's own
 * overrides. Two `spec.overrides` entries for the same cluster are an error for that cluster
 * only (Kubefed failed the whole object).
 */
export function overridesForCluster(
  fed: FederatedObject,
  cluster: SelectableCluster,
  targetKind: string,
  policies: readonly OverridePolicy[] = [],
): OverrideOutcome<ClusterOverride[]> {
  const ops: ClusterOverride[] = [];
  for (const policy of overridePolicyOrder(policies, fed, targetKind)) {
    const failed = (err: string): OverrideOutcome<ClusterOverride[]> => ({ ok: false, reason: 'ApplyOverridesFailed', message: `${policy.kind} ${policyDisplayName(policy)}: ${err}` });
    for (const [i, rule] of policy.spec.overrideRules.entries()) {
      if (!targetsCluster(rule.targetClusters, cluster)) continue;
      const plain = rule.overriders ?? [];
      const err = checkClusterOverrides(plain);
      if (err !== undefined) return failed(err);
      ops.push(...plain);
      if (!hasTypedOverriders(rule)) continue;
      // Typed overriders see the object as the operations before them left it.
      const doc = applyClusterOverrides(templateObject(fed), ops);
      if (!doc.ok) return failed(`overrideRules[${i}]: ${doc.message}`);
      const typed = typedOverriderOps(rule, doc.value as Record<string, unknown>);
      if (!typed.ok) return failed(`overrideRules[${i}]: ${typed.message}`);
      ops.push(...typed.ops);
    }
  }
  const own = (fed.spec.overrides ?? []).filter((o) => o.clusterName === cluster.name);
  if (own.length > 1) {
    return { ok: false, reason: 'ApplyOverridesFailed', message: `cluster ${JSON.stringify(cluster.name)} appears more than once in spec.overrides` };
  }
  // Policy and own overrides may both touch a path: the later (own) wins, so the
  // duplicate-path rule is applied to each source separately, not to the union.
  const ownOps = own[0]?.clusterOverrides ?? [];
  const ownErr = checkClusterOverrides(ownOps);
  if (ownErr !== undefined) return { ok: false, reason: 'ApplyOverridesFailed', message: `spec.overrides: ${ownErr}` };
  return { ok: true, value: [...ops, ...ownOps] };
}
