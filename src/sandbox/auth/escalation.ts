// RBAC's escalation prevention, as kube-apiserver's rbac storage applies it: a Role or ClusterRole
// may only grant what its author holds (unless the author may `escalate` it), and a binding may
// only point at a role whose rules its author holds (unless the author may `bind` it). Refusals
// are 403s listing the rules not held, in kube-apiserver's words.
import type { KubeObject } from '../../api/meta.js';
import type { ObjectStore } from '../store/object-store.js';
import { authorize, roleRefRules, rulesFor, SUPERUSER_GROUP, type PolicyRule, type UserInfo } from './rbac.js';

type Obj = Record<string, any>;

const RBAC = 'rbac.authorization.k8s.io';
const FULL_AUTHORITY: PolicyRule[] = [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }];

export class EscalationError extends Error {
  constructor(readonly code: 403 | 404, message: string, readonly details: { name: string; group: string; kind: string }) {
    super(message);
  }
}

/** One rule per group, resource, verb (and name), or per URL and verb, as BreakdownRule splits them. */
function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const g of rule.apiGroups ?? []) {
    for (const r of rule.resources ?? []) {
      for (const v of rule.verbs ?? []) {
        if (rule.resourceNames && rule.resourceNames.length > 0) for (const n of rule.resourceNames) out.push({ apiGroups: [g], resources: [r], verbs: [v], resourceNames: [n] });
        else out.push({ apiGroups: [g], resources: [r], verbs: [v] });
      }
    }
  }
  for (const u of rule.nonResourceURLs ?? []) for (const v of rule.verbs ?? []) out.push({ nonResourceURLs: [u], verbs: [v] });
  return out;
}

const hasAll = (owner: string[] | undefined, sub: string[] | undefined): boolean => (sub ?? []).every((x) => (owner ?? []).includes(x));

function resourceCovers(owner: string[] | undefined, sub: string[] | undefined): boolean {
  const o = owner ?? [];
  if (o.includes('*')) return true;
  return (sub ?? []).every((r) => {
    if (o.includes(r)) return true;
    const slash = r.indexOf('/');
    return slash > 0 && o.includes(`*${r.slice(slash)}`);
  });
}

function urlCovers(owner: string[] | undefined, sub: string[] | undefined): boolean {
  return (sub ?? []).every((u) => (owner ?? []).some((o) => o === u || (o.endsWith('*') && u.startsWith(o.slice(0, -1)))));
}

function covers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = (owner.verbs ?? []).includes('*') || hasAll(owner.verbs, sub.verbs);
  const groups = (owner.apiGroups ?? []).includes('*') || hasAll(owner.apiGroups, sub.apiGroups);
  const names = (owner.resourceNames ?? []).length === 0 || ((sub.resourceNames ?? []).length > 0 && hasAll(owner.resourceNames, sub.resourceNames));
  return verbs && groups && resourceCovers(owner.resources, sub.resources) && names && urlCovers(owner.nonResourceURLs, sub.nonResourceURLs);
}

/** The rules of `servant` that no rule of `owner` covers, compacted and sorted as CompactRules and the message sort them. */
export function uncovered(owner: PolicyRule[], servant: PolicyRule[]): PolicyRule[] {
  const missing = servant.flatMap(breakdown).filter((sub) => !owner.some((o) => covers(o, sub)));
  const simple = new Map<string, PolicyRule>();
  const out: PolicyRule[] = [];
  for (const r of missing) {
    const isSimple = r.apiGroups?.length === 1 && r.resources?.length === 1 && !r.nonResourceURLs?.length && (r.resourceNames?.length ?? 0) <= 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups, r.resources, r.resourceNames ?? []]);
    const prev = simple.get(key);
    if (prev) prev.verbs = [...(prev.verbs ?? []), ...(r.verbs ?? [])];
    else simple.set(key, { ...r, verbs: [...(r.verbs ?? [])] });
  }
  out.push(...simple.values());
  return out.sort((a, b) => (compactString(a) < compactString(b) ? -1 : compactString(a) > compactString(b) ? 1 : 0));
}

const goList = (l: string[]): string => `[${l.map((x) => JSON.stringify(x)).join(' ')}]`;

/** PolicyRule.CompactString: the fields that are set, in Go's %q list format. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goList(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goList(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goList(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goList(r.resourceNames)}`);
  if (r.verbs?.length) parts.push(`Verbs:${goList(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

function forbidden(plural: string, name: string, why: string): EscalationError {
  return new EscalationError(403, `${plural}.${RBAC} "${name}" is forbidden: ${why}`, { name, group: RBAC, kind: plural });
}

function confirmNoEscalation(store: ObjectStore, user: UserInfo, namespace: string | undefined, rules: PolicyRule[]): string | undefined {
  const missing = uncovered(rulesFor(store, user, namespace), rules);
  if (missing.length === 0) return undefined;
  return `user ${JSON.stringify(user.username)} (groups=${goList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${missing.map(compactString).join('\n')}`;
}

/**
 * Throws when `user` writing `obj` (a Role, ClusterRole, RoleBinding or ClusterRoleBinding) would
 * grant more than it holds. Members of system:masters may do anything.
 */
export function checkEscalation(store: ObjectStore, user: UserInfo, kind: string, obj: KubeObject): void {
  if (user.groups.includes(SUPERUSER_GROUP)) return;
  const o = obj as Obj;
  const name = obj.metadata.name ?? '';
  const ns = obj.metadata.namespace;
  const may = (verb: string, resource: string, target: string): boolean =>
    authorize(store, user, { kind: 'resource', verb, group: RBAC, resource, name: target, ...(ns ? { namespace: ns } : {}) }).allowed;
  if (kind === 'Role' || kind === 'ClusterRole') {
    const plural = kind === 'Role' ? 'roles' : 'clusterroles';
    if (may('escalate', plural, name)) return;
    const why = confirmNoEscalation(store, user, ns, (o.rules ?? []) as PolicyRule[]);
    if (why) throw forbidden(plural, name, why);
    // an aggregation rule can gather anything: it takes full authority
    if (kind === 'ClusterRole' && o.aggregationRule && confirmNoEscalation(store, user, undefined, FULL_AUTHORITY)) {
      throw forbidden(plural, name, 'must have cluster-admin privileges to use the aggregationRule');
    }
    return;
  }
  if (kind !== 'RoleBinding' && kind !== 'ClusterRoleBinding') return;
  const plural = kind === 'RoleBinding' ? 'rolebindings' : 'clusterrolebindings';
  const ref = o.roleRef as { kind?: string; name?: string } | undefined;
  if (!ref?.kind || !ref.name) return;
  if (may('bind', ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles', ref.name)) return;
  const role = ref.kind === 'ClusterRole' ? store.get(`clusterroles.${RBAC}`, undefined, ref.name) : store.get(`roles.${RBAC}`, ns, ref.name);
  // the rule resolver's lookup error names the binding's resource, as kube-apiserver's does
  if (!role) throw new EscalationError(404, `${plural}.${RBAC} "${ref.name}" not found`, { name: ref.name, group: RBAC, kind: plural });
  const why = confirmNoEscalation(store, user, ns, roleRefRules(store, { kind: ref.kind, name: ref.name }, ns));
  if (why) throw forbidden(plural, name, why);
}
