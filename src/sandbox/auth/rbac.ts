// RBAC authorization over the Role/ClusterRole/binding objects in a cluster's store.
import type { KubeObject } from '../../api/meta.js';
import type { ObjectStore } from '../store/object-store.js';

export interface UserInfo {
  username: string;
  groups: string[];
  uid?: string;
}

export type Attributes =
  | { kind: 'resource'; verb: string; group: string; resource: string; subresource?: string; name?: string; namespace?: string }
  | { kind: 'nonresource'; verb: string; path: string };

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

export const SUPERUSER_GROUP = 'system:masters';

function subjectMatches(s: Subject, user: UserInfo, bindingNs: string | undefined): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.username;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace ?? bindingNs;
      return user.username === `system:serviceaccount:${ns}:${s.name}`;
    }
    default:
      return false;
  }
}

function has(list: string[] | undefined, v: string): boolean {
  return !!list && (list.includes('*') || list.includes(v));
}

function resourceMatches(rules: string[] | undefined, resource: string, sub: string | undefined): boolean {
  if (!rules) return false;
  const full = sub ? `${resource}/${sub}` : resource;
  for (const r of rules) {
    if (r === '*' || r === full) return true;
    if (sub && (r === `*/${sub}` || r === `${resource}/*`)) return true;
  }
  return false;
}

function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (a.kind === 'nonresource') {
    return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
  }
  if (!has(rule.apiGroups, a.group)) return false;
  if (!resourceMatches(rule.resources, a.resource, a.subresource)) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0) return a.name !== undefined && rule.resourceNames.includes(a.name);
  return true;
}

function rulesOf(role: KubeObject | undefined): PolicyRule[] {
  return ((role as { rules?: PolicyRule[] } | undefined)?.rules) ?? [];
}

/** The rules of every binding that names `user`: the cluster's, and those of `namespace` when given. */
export function rulesFor(store: ObjectStore, user: UserInfo, namespace: string | undefined): PolicyRule[] {
  const out: PolicyRule[] = [];
  const collect = (binding: KubeObject, bindingNs: string | undefined): void => {
    const subjects = ((binding as { subjects?: Subject[] }).subjects) ?? [];
    if (!subjects.some((s) => subjectMatches(s, user, bindingNs))) return;
    const ref = (binding as { roleRef?: { kind: string; name: string } }).roleRef;
    if (ref) out.push(...roleRefRules(store, ref, bindingNs));
  };
  for (const b of store.list('clusterrolebindings.rbac.authorization.k8s.io')) collect(b, undefined);
  if (namespace) for (const b of store.list('rolebindings.rbac.authorization.k8s.io', namespace)) collect(b, namespace);
  return out;
}

/** The rules a roleRef points at (none when its role does not exist). */
export function roleRefRules(store: ObjectStore, ref: { kind: string; name: string }, namespace: string | undefined): PolicyRule[] {
  const role = ref.kind === 'ClusterRole'
    ? store.get('clusterroles.rbac.authorization.k8s.io', undefined, ref.name)
    : store.get('roles.rbac.authorization.k8s.io', namespace, ref.name);
  return rulesOf(role);
}

export function authorize(store: ObjectStore, user: UserInfo, a: Attributes): { allowed: boolean; reason: string } {
  if (user.groups.includes(SUPERUSER_GROUP)) return { allowed: true, reason: 'superuser' };
  const check = (binding: KubeObject, bindingNs: string | undefined): boolean => {
    const subjects = ((binding as { subjects?: Subject[] }).subjects) ?? [];
    if (!subjects.some((s) => subjectMatches(s, user, bindingNs))) return false;
    const ref = (binding as { roleRef?: { kind: string; name: string } }).roleRef;
    if (!ref) return false;
    const role = ref.kind === 'ClusterRole'
      ? store.get('clusterroles.rbac.authorization.k8s.io', undefined, ref.name)
      : store.get('roles.rbac.authorization.k8s.io', bindingNs, ref.name);
    return rulesOf(role).some((r) => ruleAllows(r, a));
  };
  for (const b of store.list('clusterrolebindings.rbac.authorization.k8s.io')) {
    if (check(b, undefined)) return { allowed: true, reason: `allowed by ClusterRoleBinding "${b.metadata.name}"` };
  }
  if (a.kind === 'resource' && a.namespace) {
    for (const b of store.list('rolebindings.rbac.authorization.k8s.io', a.namespace)) {
      if (check(b, a.namespace)) return { allowed: true, reason: `allowed by RoleBinding "${b.metadata.name}/${a.namespace}"` };
    }
  }
  return { allowed: false, reason: '' };
}

/** The message kube-apiserver puts in a 403 Status. */
export function forbiddenMessage(user: UserInfo, a: Attributes): string {
  if (a.kind === 'nonresource') return `forbidden: User "${user.username}" cannot ${a.verb} path "${a.path}"`;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = a.name ? `${res} "${a.name}"` : `resource "${res}"`;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const noun = a.name ? `${a.resource}${a.group ? `.${a.group}` : ''} "${a.name}"` : `${a.resource}${a.group ? `.${a.group}` : ''}`;
  return `${noun} is forbidden: User "${user.username}" cannot ${a.verb} ${what.startsWith('resource') ? what : `resource "${res}"`} in API group "${a.group}" ${scope}`;
}
