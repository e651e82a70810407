// Plain (non-federated) host objects that policies place, as Karmada's do: which plain
// objects are eligible, which PropagationPolicies select one (by its target kind, never
// the federated kind), and the Federated<Kind> kfed generates for it: the object as its
// template (cleaned as `kfed federate` cleans it), its labels (so the policies that select
// the plain object select the generated one too), no placement (the policy places it), an
// ownerReference to the plain object and the label marking it as generated.
import { apiVersionOf, type FederatedTypeConfig } from '../../api/core.js';
import { MANAGED_LABEL, MANAGED_LABEL_VALUE, type FederatedObject, type PropagationPolicy } from '../../api/federation.js';
import type { KubeObject } from '../../api/meta.js';
import { objectKey } from '../../kube/resource.js';
import { policyApplies } from '../policy/policies.js';
import { isNamespaceTarget } from '../resources.js';
import { canonicalJson } from '../sync/version.js';
import { templateFrom } from '../template.js';

/** On every Federated<Kind> kfed generated from a plain object; kfed changes or deletes only these. */
export const GENERATED_FROM_LABEL = 'kfed.io/generated-from';
export const GENERATED_FROM_PLAIN = 'plain';

export function isGenerated(fed: KubeObject): boolean {
  return fed.metadata.labels?.[GENERATED_FROM_LABEL] === GENERATED_FROM_PLAIN;
}

/** Objects every cluster makes for itself: federating the host's would overwrite the members' own. */
function clusterManaged(obj: KubeObject): boolean {
  const { kind, metadata } = obj;
  return (kind === 'ConfigMap' && metadata.name === 'kube-root-ca.crt')
    || (kind === 'ServiceAccount' && metadata.name === 'default')
    || (kind === 'Secret' && (obj as { type?: string }).type === 'kubernetes.io/service-account-token');
}

/**
 * Why a plain object is not federated even when a policy selects it, if so: it is being
 * deleted, another object controls it (a Deployment's ReplicaSets, a Job's Pods), it lives in
 * a system namespace (`kube-*`, the KubeFed namespace; for a Namespace, its own name), or
 * every cluster makes it for itself (kube-root-ca.crt, the default ServiceAccount, its tokens).
 */
export function ineligible(obj: KubeObject, kubefedNamespace: string): string | undefined {
  if (obj.metadata.deletionTimestamp) return 'being deleted';
  const owner = obj.metadata.ownerReferences?.find((o) => o.controller);
  if (owner) return `controlled by ${owner.kind} ${owner.name}`;
  const ns = obj.kind === 'Namespace' && obj.apiVersion === 'v1' ? obj.metadata.name : obj.metadata.namespace;
  if (ns !== undefined && (ns.startsWith('kube-') || ns === kubefedNamespace)) return `in the system namespace ${ns}`;
  if (clusterManaged(obj)) return 'made by every cluster for itself';
  return undefined;
}

/**
 * A plain object kfed itself wrote as a member object (the host is also a member): the
 * output of a Federated<Kind>, or a plain source adopted by its own generated object.
 */
export function isMemberCopy(obj: KubeObject): boolean {
  return obj.metadata.labels?.[MANAGED_LABEL] === MANAGED_LABEL_VALUE;
}

/** Where the generated object lives: the plain object's namespace; a Namespace's own name. */
export function federatedNamespace(ftc: FederatedTypeConfig, obj: KubeObject): string | undefined {
  if (isNamespaceTarget(ftc)) return obj.metadata.name;
  return ftc.spec.targetType.scope === 'Namespaced' ? obj.metadata.namespace : undefined;
}

/** The informer key of the generated object of a plain object. */
export function federatedKey(ftc: FederatedTypeConfig, obj: KubeObject): string {
  const ns = federatedNamespace(ftc, obj);
  return ns ? `${ns}/${obj.metadata.name ?? ''}` : obj.metadata.name ?? '';
}

/** The informer key of the plain object of a generated object's key. */
export function plainKey(ftc: FederatedTypeConfig, fedKey: string): string {
  return isNamespaceTarget(ftc) ? fedKey.slice(fedKey.indexOf('/') + 1) : fedKey;
}

/**
 * The propagation policies (both scopes) selecting a plain object by its target kind,
 * within their scope (a PropagationPolicy only in its namespace).
 */
export function plainSelectors<P extends PropagationPolicy>(policies: readonly P[], ftc: FederatedTypeConfig, obj: KubeObject): P[] {
  const kind = ftc.spec.targetType.kind;
  const ns = federatedNamespace(ftc, obj);
  const view: FederatedObject = { apiVersion: obj.apiVersion, kind, metadata: { name: obj.metadata.name ?? '', ...(ns ? { namespace: ns } : {}), ...(obj.metadata.labels ? { labels: obj.metadata.labels } : {}) }, spec: {} };
  // Only the target kind: `FederatedDeployment` in a selector means federated objects, not plain ones.
  return policies.filter((p) => {
    const selectors = (p.spec.resourceSelectors ?? []).filter((s) => s.kind === kind);
    return selectors.length > 0 && policyApplies({ ...p, spec: { ...p.spec, resourceSelectors: selectors } }, view, kind);
  });
}

/** The Federated<Kind> kfed keeps for a selected plain object. */
export function generatedFederated(ftc: FederatedTypeConfig, obj: KubeObject): FederatedObject {
  const ns = federatedNamespace(ftc, obj);
  const template = templateFrom(obj);
  const meta = template.metadata as { labels?: Record<string, string> } | undefined;
  if (meta?.labels?.[MANAGED_LABEL] !== undefined) {
    const { [MANAGED_LABEL]: _m, ...rest } = meta.labels;
    if (Object.keys(rest).length > 0) meta.labels = rest;
    else delete meta.labels;
  }
  const { [MANAGED_LABEL]: _m, ...labels } = obj.metadata.labels ?? {};
  return {
    apiVersion: apiVersionOf(ftc.spec.federatedType),
    kind: ftc.spec.federatedType.kind,
    metadata: {
      name: obj.metadata.name ?? '',
      ...(ns ? { namespace: ns } : {}),
      labels: { ...labels, [GENERATED_FROM_LABEL]: GENERATED_FROM_PLAIN },
      ownerReferences: [{ apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '' }],
    },
    spec: { template },
  };
}

/** A null field is an absent one (an API server with a structural schema drops nulls, e.g. `creationTimestamp: null`). */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
}

/** What of a generated object kfed keeps equal to its plain object (labels, owner, template). */
export function generatedDiffers(current: FederatedObject, desired: FederatedObject): boolean {
  const pick = (f: FederatedObject): string => canonicalJson(withoutNulls([f.metadata.labels ?? {}, f.metadata.ownerReferences ?? [], f.spec?.template ?? {}]));
  return pick(current) !== pick(desired);
}

/** `Deployment shop/web`, as status lines name a plain object. */
export function plainName(ftc: FederatedTypeConfig, obj: KubeObject): string {
  return `${ftc.spec.targetType.kind} ${objectKey(obj)}`;
}
