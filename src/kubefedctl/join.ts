// `kfed join`: register a member with the host, as kubefedctl join does. In the member:
// the KubeFed namespace, a ServiceAccount, its token Secret, and a ClusterRole (or Role)
// plus binding; in the host: a Secret holding the token and the KubeFedCluster. Every
// read that can fail (contexts, reachability, permissions, CRDs) happens before the
// first write; a write that still fails, or an abort (Ctrl-C), rolls back what this run
// created or changed. Running it again converges instead of duplicating.
import { DEFAULT_KUBEFED_NAMESPACE, type KubeFedCluster, type KubeFedConfig, type ResourceScope, type TLSValidation, CA_CRT_KEY, KUBEFED_CLUSTERS, KUBEFED_CONFIGS, TOKEN_KEY } from '../api/core.js';
import type { KubeObject } from '../api/meta.js';
import { clusterClientFromKubeconfig, describeKubeconfigContext, kubeconfigCurrentContext, type ClusterClient, type KubeconfigSource } from '../kube/cluster-client.js';
import { isNotFound } from '../kube/errors.js';
import type { Registry } from '../observability/metrics.js';
import { bindingObject, CLUSTER_SCOPED_RULES, HEALTH_CHECK_RULES, memberNames, NAMESPACED_RULES, roleObject, type MemberNames } from './join-rbac.js';
import { oneLine } from '../runtime/errors.js';
import { ensure, JoinError, refusedAccess, sleep, UndoLog, type AccessCheck, type EnsureContext, type JoinStep, type ProgressFn } from './join-steps.js';
import { joinMetrics } from '../clusters/metrics.js';
import { refuseDuplicateEndpoint, refuseForeignBinding } from './join-conflicts.js';
import type { ResourceRef } from '../kube/resource.js';
import { CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS, NAMESPACES, ROLES, ROLE_BINDINGS, SECRETS, SERVICE_ACCOUNTS } from '../api/kubernetes.js';

export interface JoinTarget {
  /** KubeFedCluster name (a DNS-1123 subdomain). */
  clusterName: string;
  kubeconfig: KubeconfigSource;
  /** Member context; defaults to the cluster name (as kubefedctl). */
  clusterContext?: string | undefined;
  /** Host context; defaults to the kubeconfig's current context. */
  hostClusterContext?: string | undefined;
  /** Name of the host in member object names; defaults to the host context. */
  hostClusterName?: string | undefined;
  kubefedNamespace?: string | undefined;
  dryRun?: boolean | undefined;
  signal?: AbortSignal | undefined;
  progress?: ProgressFn | undefined;
  /** Request timeout against either cluster. Default 15 s. */
  timeoutMs?: number | undefined;
  registry?: Registry | undefined;
}

export interface JoinOptions extends JoinTarget {
  /** Labels on the KubeFedCluster (placement selectors match them). */
  clusterLabels?: Record<string, string> | undefined;
  /** Host Secret name; default: the existing cluster's, else generated `<cluster>-xxxxx`. */
  secretName?: string | undefined;
  /** kubefedctl's --error-on-existing; kfed defaults to false so a re-run converges. */
  errorOnExisting?: boolean | undefined;
  /** How long to wait for the member to fill the token Secret. Default 30 s. */
  tokenTimeoutMs?: number | undefined;
}

export interface JoinResult {
  cluster: KubeFedCluster;
  /** What was created or updated (empty for a no-op re-run or a dry run). */
  changes: JoinStep[];
  dryRun: boolean;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export interface ResolvedTarget {
  name: string;
  namespace: string;
  clusterContext: string;
  hostContext: string;
  hostClusterName: string;
  names: MemberNames;
}

/** Validates names and contexts (no network). */
export function resolveTarget(t: JoinTarget, o: { checkMemberContext?: boolean } = {}): ResolvedTarget {
  const name = t.clusterName;
  if (!name || !DNS1123_SUBDOMAIN.test(name) || name.length > 253) throw new JoinError(`cluster name ${JSON.stringify(name)} must be a DNS-1123 subdomain`);
  const namespace = t.kubefedNamespace || DEFAULT_KUBEFED_NAMESPACE;
  const hostContext = t.hostClusterContext || kubeconfigCurrentContext(t.kubeconfig);
  if (!hostContext) throw new JoinError('no --host-cluster-context given and the kubeconfig has no current context');
  const clusterContext = t.clusterContext || name;
  if (t.hostClusterName && /[:/]/.test(t.hostClusterName)) throw new JoinError('host-cluster-name may not contain "/" or ":"');
  if (!t.hostClusterName && /[:/]/.test(hostContext)) throw new JoinError('--host-cluster-name must be set when the host cluster context name contains ":" or "/"');
  const hostClusterName = t.hostClusterName || hostContext;
  // Unknown contexts fail here, before any request.
  for (const ctx of o.checkMemberContext === false ? [hostContext] : [hostContext, clusterContext]) {
    try {
      describeKubeconfigContext(t.kubeconfig, ctx);
    } catch (err) {
      throw new JoinError(oneLine(err), { cause: err });
    }
  }
  return { name, namespace, clusterContext, hostContext, hostClusterName, names: memberNames(name, hostClusterName, namespace) };
}

export async function connect(t: JoinTarget, context: string, label: string): Promise<ClusterClient> {
  return clusterClientFromKubeconfig({ ...t.kubeconfig, context, name: label, timeoutMs: t.timeoutMs ?? 15_000, userAgent: 'kfed-join' });
}

/** Host scope from its KubeFedConfig; a host without one is treated as Cluster scope. */
async function hostScope(host: ClusterClient, namespace: string, signal?: AbortSignal): Promise<ResourceScope> {
  const opts = { namespace, ...(signal ? { signal } : {}) };
  try {
    await host.dynamic.list(KUBEFED_CLUSTERS, { ...opts, limit: 1 });
  } catch (err) {
    if (isNotFound(err)) throw new JoinError(`the KubeFedCluster CRD is not installed in the host cluster (${host.name}); install kfed's CRDs first`, { cause: err });
    throw err;
  }
  if (!(await host.dynamic.getIfExists(NAMESPACES, namespace, signal ? { signal } : {}))) {
    throw new JoinError(`namespace ${namespace} does not exist in the host cluster (${host.name}); install the control plane first`);
  }
  const config = await host.dynamic.getIfExists<KubeFedConfig>(KUBEFED_CONFIGS, 'kubefed', opts).catch(() => undefined);
  return config?.spec?.scope ?? 'Cluster';
}

function memberChecks(r: ResolvedTarget, scope: ResourceScope): AccessCheck[] {
  const ns = r.namespace;
  const rbac = 'rbac.authorization.k8s.io';
  const checks: AccessCheck[] = [
    { verb: 'create', group: '', resource: 'serviceaccounts', namespace: ns },
    { verb: 'create', group: '', resource: 'secrets', namespace: ns },
    { verb: 'get', group: '', resource: 'secrets', namespace: ns },
    { verb: 'create', group: rbac, resource: 'clusterroles' },
    { verb: 'create', group: rbac, resource: 'clusterrolebindings' },
  ];
  if (scope === 'Namespaced') checks.push({ verb: 'create', group: rbac, resource: 'roles', namespace: ns }, { verb: 'create', group: rbac, resource: 'rolebindings', namespace: ns });
  return checks;
}

function hostChecks(namespace: string): AccessCheck[] {
  return [
    { verb: 'create', group: '', resource: 'secrets', namespace },
    { verb: 'create', group: 'core.kubefed.io', resource: 'kubefedclusters', namespace },
    { verb: 'update', group: 'core.kubefed.io', resource: 'kubefedclusters', namespace },
  ];
}

/** JSON with object keys sorted: a real API server writes a rule's fields in its own order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const differsRules = (want: KubeObject) => (got: KubeObject) => canonical((got as { rules?: unknown }).rules ?? []) !== canonical((want as { rules?: unknown }).rules ?? []);

async function waitForToken(member: ClusterClient, namespace: string, name: string, timeoutMs: number, signal?: AbortSignal): Promise<{ token: string; ca: string | undefined }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await member.dynamic.getIfExists<KubeObject & { data?: Record<string, string> }>(SECRETS, name, { namespace, ...(signal ? { signal } : {}) });
    const token = s?.data?.[TOKEN_KEY];
    if (token) return { token, ca: s?.data?.[CA_CRT_KEY] };
    if (Date.now() > deadline) throw new JoinError(`the member did not fill token Secret ${namespace}/${name} within ${Math.round(timeoutMs / 1000)} s (is its token controller running?)`);
    await sleep(100, signal);
  }
}

export async function joinCluster(o: JoinOptions): Promise<JoinResult> {
  const started = performance.now();
  const progress: ProgressFn = o.progress ?? (() => undefined);
  const r = resolveTarget(o);
  const memberInfo = describeKubeconfigContext(o.kubeconfig, r.clusterContext);
  const host = await connect(o, r.hostContext, `host ${r.hostContext}`);
  const member = await connect(o, r.clusterContext, `member ${r.clusterContext}`);
  const undo = new UndoLog();
  try {
    // ---- preflight: reads only
    progress(2, { step: 'preflight', host: r.hostContext, member: r.clusterContext });
    const scope = await hostScope(host, r.namespace, o.signal);
    try {
      await member.rest.request({ method: 'GET', path: '/version', signal: o.signal });
    } catch (err) {
      throw new JoinError(`cannot reach member cluster ${r.clusterContext} at ${member.server}: ${oneLine(err)}`, { cause: err });
    }
    const memberNs = await member.dynamic.getIfExists(NAMESPACES, r.namespace, o.signal ? { signal: o.signal } : {});
    const mChecks = memberChecks(r, scope);
    if (!memberNs) mChecks.push({ verb: 'create', group: '', resource: 'namespaces' });
    const refusedMember = await refusedAccess(member.dynamic, mChecks, o.signal);
    if (refusedMember.length > 0) throw new JoinError(`permission denied in member cluster ${r.clusterContext}: cannot ${refusedMember.join(', ')}`);
    const refusedHost = await refusedAccess(host.dynamic, hostChecks(r.namespace), o.signal);
    if (refusedHost.length > 0) throw new JoinError(`permission denied in host cluster ${r.hostContext}: cannot ${refusedHost.join(', ')}`);
    const existing = await host.dynamic.getIfExists<KubeFedCluster>(KUBEFED_CLUSTERS, r.name, { namespace: r.namespace, signal: o.signal });
    if (existing && o.errorOnExisting) throw new JoinError(`KubeFedCluster ${r.namespace}/${r.name} already exists in the host cluster`);
    await refuseDuplicateEndpoint(host.dynamic, r.namespace, r.name, memberInfo.server, memberInfo.caData, o.signal);
    const where = `member cluster ${r.clusterContext}`;
    for (const [ref, binding] of plannedBindings(r, scope)) await refuseForeignBinding(member.dynamic, ref, binding, where, o.signal);
    const secretName = o.secretName || existing?.spec?.secretRef?.name;

    const tls: TLSValidation[] | undefined = memberInfo.insecureSkipTLSVerify ? ['*'] : undefined;
    const planned: KubeFedCluster = {
      apiVersion: 'core.kubefed.io/v1beta1',
      kind: 'KubeFedCluster',
      metadata: { name: r.name, namespace: r.namespace, ...(o.clusterLabels && Object.keys(o.clusterLabels).length > 0 ? { labels: { ...o.clusterLabels } } : {}) },
      spec: {
        apiEndpoint: memberInfo.server,
        ...(memberInfo.caData ? { caBundle: memberInfo.caData } : {}),
        secretRef: { name: secretName ?? `${r.name}-<generated>` },
        ...(tls ? { disabledTLSValidations: tls } : {}),
        ...(memberInfo.proxyUrl ? { proxyURL: memberInfo.proxyUrl } : {}),
      },
    };
    if (o.dryRun) {
      progress(1, { step: 'would-join', cluster: r.name, server: memberInfo.server, serviceAccount: `${r.namespace}/${r.names.serviceAccount}`, roleKind: scope === 'Cluster' ? 'ClusterRole' : 'Role', role: r.names.role });
      return { cluster: planned, changes: [], dryRun: true };
    }

    // ---- member side
    const m: EnsureContext = { client: member.dynamic, where: `member ${r.clusterContext}`, undo, progress, errorOnExisting: o.errorOnExisting ?? false, signal: o.signal };
    if (!memberNs) await ensure(m, NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: r.namespace } });
    const ns = r.namespace;
    const n = r.names;
    await ensure(m, SERVICE_ACCOUNTS, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: n.serviceAccount, namespace: ns, annotations: { 'kubernetes.io/enforce-mountable-secrets': 'true' } },
      automountServiceAccountToken: false,
    } as KubeObject);
    await ensure(m, SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: n.tokenSecret, namespace: ns, annotations: { 'kubernetes.io/service-account.name': n.serviceAccount } },
      type: 'kubernetes.io/service-account-token',
    } as KubeObject);
    const [first, second] = plannedBindings(r, scope);
    if (scope === 'Namespaced') {
      const role = roleObject('Role', n.role, NAMESPACED_RULES, ns);
      await ensure(m, ROLES, role, { differs: differsRules(role), merge: (e) => ({ ...e, rules: (role as { rules?: unknown }).rules }) as KubeObject });
      await ensureBinding(m, ...first!);
      const health = roleObject('ClusterRole', n.healthCheckRole, HEALTH_CHECK_RULES);
      await ensure(m, CLUSTER_ROLES, health, { differs: differsRules(health), merge: (e) => ({ ...e, rules: (health as { rules?: unknown }).rules }) as KubeObject });
      await ensureBinding(m, ...second!);
    } else {
      const role = roleObject('ClusterRole', n.role, CLUSTER_SCOPED_RULES);
      await ensure(m, CLUSTER_ROLES, role, { differs: differsRules(role), merge: (e) => ({ ...e, rules: (role as { rules?: unknown }).rules }) as KubeObject });
      await ensureBinding(m, ...first!);
    }
    const { token, ca } = await waitForToken(member, ns, n.tokenSecret, o.tokenTimeoutMs ?? 30_000, o.signal);

    // ---- host side
    const h: EnsureContext = { ...m, client: host.dynamic, where: `host ${r.hostContext}` };
    const secretBody = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: r.namespace, ...(secretName ? { name: secretName } : { generateName: `${r.name}-` }) },
      data: { [TOKEN_KEY]: token },
    } as KubeObject & { data: Record<string, string> };
    const secret = await ensure(h, SECRETS, secretBody, {
      mayExist: Boolean(existing),
      differs: (e) => e.data?.[TOKEN_KEY] !== token,
      merge: (e) => ({ ...e, data: { ...e.data, [TOKEN_KEY]: token } }),
    });
    const desired: KubeFedCluster = {
      ...planned,
      spec: { ...planned.spec, secretRef: { name: secret.metadata.name ?? '' }, ...(!planned.spec.caBundle && ca ? { caBundle: ca } : {}) },
    };
    const cluster = await ensure<KubeFedCluster>(h, KUBEFED_CLUSTERS, desired, {
      mayExist: true,
      differs: (e) => JSON.stringify(e.spec) !== JSON.stringify(desired.spec) || !labelsInclude(e.metadata.labels, desired.metadata.labels),
      merge: (e) => ({ ...e, metadata: { ...e.metadata, labels: { ...e.metadata.labels, ...desired.metadata.labels } }, spec: desired.spec }),
    });
    if (o.registry) joinMetrics(o.registry).join.observe((performance.now() - started) / 1000);
    return { cluster, changes: [...undo.done], dryRun: false };
  } catch (err) {
    const failures = await undo.rollback(progress);
    const why = oneLine(err);
    const tail = failures.length > 0 ? `; rollback incomplete: ${failures.join('; ')}` : undo.done.length > 0 ? '; rolled back' : '';
    throw new JoinError(`join ${r.name}: ${why}${tail}`, { cause: err });
  } finally {
    host.close();
    member.close();
  }
}

function labelsInclude(have: Record<string, string> | undefined, want: Record<string, string> | undefined): boolean {
  return Object.entries(want ?? {}).every(([k, v]) => have?.[k] === v);
}

/** The bindings join makes, in creation order (the preflight checks them first). */
function plannedBindings(r: ResolvedTarget, scope: ResourceScope): [ResourceRef, KubeObject][] {
  const n = r.names;
  if (scope !== 'Namespaced') return [[CLUSTER_ROLE_BINDINGS, bindingObject('ClusterRoleBinding', n.role, 'ClusterRole', n.serviceAccount, r.namespace)]];
  return [
    [ROLE_BINDINGS, bindingObject('RoleBinding', n.role, 'Role', n.serviceAccount, r.namespace, r.namespace)],
    [CLUSTER_ROLE_BINDINGS, bindingObject('ClusterRoleBinding', n.healthCheckRole, 'ClusterRole', n.serviceAccount, r.namespace)],
  ];
}

/** Bindings are named after their role, so only the subjects can drift (the preflight refused a foreign roleRef). */
async function ensureBinding(ctx: EnsureContext, ref: ResourceRef, want: KubeObject): Promise<void> {
  type Binding = KubeObject & { subjects?: unknown };
  const w = want as Binding;
  await ensure<Binding>(ctx, ref, w, {
    differs: (e) => JSON.stringify(e.subjects) !== JSON.stringify(w.subjects),
    merge: (e) => ({ ...e, subjects: w.subjects }),
  });
}
