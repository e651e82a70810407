// `kfed unjoin`: remove what join made, member side first (RBAC, token Secret,
// ServiceAccount, and the KubeFed namespace unless the member is the host itself), then
// the host's Secret and KubeFedCluster. With `force`, an unreachable or unknown member
// is skipped (with a warning) and the host side is removed anyway.
import type { KubeFedCluster } from '../api/core.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { describeKubeconfigContext } from '../kube/cluster-client.js';
import type { ResourceRef } from '../kube/resource.js';
import { connect, resolveTarget, type JoinTarget, type ResolvedTarget } from './join.js';
import { oneLine } from '../runtime/errors.js';
import { JoinError, touched, type JoinStep, type ProgressFn } from './join-steps.js';
import { joinMetrics } from '../clusters/metrics.js';
import { CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS, NAMESPACES, ROLES, ROLE_BINDINGS, SECRETS, SERVICE_ACCOUNTS } from '../api/kubernetes.js';
import { KUBEFED_CLUSTERS } from '../api/core.js';

export interface UnjoinOptions extends JoinTarget {
  /** Remove the host side even when the member cannot be cleaned up. */
  force?: boolean | undefined;
}

export interface UnjoinResult {
  deleted: JoinStep[];
  /** Member cleanup problems skipped because of `force`. */
  warnings: string[];
}

/** Everything join may have made in a member, in deletion order. */
function memberObjects(r: ResolvedTarget): [ResourceRef, string, string | undefined][] {
  const n = r.names;
  return [
    [CLUSTER_ROLE_BINDINGS, n.role, undefined],
    [CLUSTER_ROLES, n.role, undefined],
    [CLUSTER_ROLE_BINDINGS, n.healthCheckRole, undefined],
    [CLUSTER_ROLES, n.healthCheckRole, undefined],
    [ROLE_BINDINGS, n.role, r.namespace],
    [ROLES, n.role, r.namespace],
    [SECRETS, n.tokenSecret, r.namespace],
    [SERVICE_ACCOUNTS, n.serviceAccount, r.namespace],
  ];
}

async function deleteIfPresent(client: ClusterClient, ref: ResourceRef, name: string, namespace: string | undefined, where: string, deleted: JoinStep[], progress: ProgressFn): Promise<void> {
  const gone = await client.dynamic.delete(ref, name, { ...(namespace ? { namespace } : {}), ignoreNotFound: true });
  if (gone === undefined) return;
  const step: JoinStep = { step: 'deleted', ...touched(ref, name, namespace, where) };
  deleted.push(step);
  progress(2, step);
}

async function cleanMember(member: ClusterClient, host: ClusterClient, r: ResolvedTarget, dryRun: boolean, deleted: JoinStep[], progress: ProgressFn): Promise<void> {
  const where = `member ${r.clusterContext}`;
  // The member is the host itself when both see the same KubeFed namespace (same UID), as Kubefed's IsPrimaryCluster.
  const [hostNs, memberNs] = await Promise.all([host.dynamic.getIfExists(NAMESPACES, r.namespace), member.dynamic.getIfExists(NAMESPACES, r.namespace)]);
  const isHost = hostNs !== undefined && memberNs !== undefined && hostNs.metadata.uid === memberNs.metadata.uid;
  if (dryRun) {
    progress(1, { step: 'would-clean-member', serviceAccount: r.names.serviceAccount, where, namespace: isHost || !memberNs ? undefined : r.namespace });
    return;
  }
  for (const [ref, name, ns] of memberObjects(r)) await deleteIfPresent(member, ref, name, ns, where, deleted, progress);
  if (!memberNs || isHost) return;
  // Another join of this member (another host, or kubefedctl) keeps its credential in the
  // same namespace: deleting the namespace would delete that token too.
  const others = await otherServiceAccounts(member, r);
  if (others.length > 0) {
    progress(1, { step: 'kept-namespace', namespace: r.namespace, where, serviceAccounts: others });
    return;
  }
  await deleteIfPresent(member, NAMESPACES, r.namespace, undefined, where, deleted, progress);
}

async function otherServiceAccounts(member: ClusterClient, r: ResolvedTarget): Promise<string[]> {
  const list = await member.dynamic.list(SERVICE_ACCOUNTS, { namespace: r.namespace });
  return list.items.map((sa) => sa.metadata.name ?? '').filter((n) => n !== r.names.serviceAccount && n !== 'default').sort();
}

export async function unjoinCluster(o: UnjoinOptions): Promise<UnjoinResult> {
  const started = performance.now();
  const progress: ProgressFn = o.progress ?? (() => undefined);
  const r = resolveTargetForUnjoin(o);
  const deleted: JoinStep[] = [];
  const warnings: string[] = [];
  const host = await connect(o, r.hostContext, `host ${r.hostContext}`);
  let member: ClusterClient | undefined;
  try {
    const cluster = await host.dynamic.getIfExists<KubeFedCluster>(KUBEFED_CLUSTERS, r.name, { namespace: r.namespace });
    if (!cluster && !o.force) throw new JoinError(`KubeFedCluster ${r.namespace}/${r.name} not found in the host cluster (${r.hostContext})`);
    try {
      member = r.clusterContext ? await connect(o, r.clusterContext, `member ${r.clusterContext}`) : undefined;
      if (!member) throw new JoinError(`context ${JSON.stringify(o.clusterContext || r.name)} not found in the kubeconfig`);
      await cleanMember(member, host, r, o.dryRun ?? false, deleted, progress);
    } catch (err) {
      if (!o.force) throw new JoinError(`clean up member ${r.clusterContext || r.name}: ${oneLine(err)} (use --force to remove it from the host anyway)`, { cause: err });
      const w = `member ${r.clusterContext || r.name} not cleaned up: ${oneLine(err)}`;
      warnings.push(w);
      progress(0, { step: 'warning', message: w });
    }
    if (o.dryRun) {
      progress(1, { step: 'would-unjoin', namespace: r.namespace, name: r.name, host: r.hostContext });
      return { deleted, warnings };
    }
    if (cluster) {
      const secret = cluster.spec?.secretRef?.name;
      if (secret) await deleteIfPresent(host, SECRETS, secret, r.namespace, `host ${r.hostContext}`, deleted, progress);
      await deleteIfPresent(host, KUBEFED_CLUSTERS, r.name, r.namespace, `host ${r.hostContext}`, deleted, progress);
    }
    if (o.registry) joinMetrics(o.registry).unjoin.observe((performance.now() - started) / 1000);
    return { deleted, warnings };
  } catch (err) {
    throw err instanceof JoinError ? new JoinError(`unjoin ${r.name}: ${err.message}`, { cause: err.cause }) : new JoinError(`unjoin ${r.name}: ${oneLine(err)}`, { cause: err });
  } finally {
    host.close();
    member?.close();
  }
}

/** As resolveTarget, but with --force an unknown member context is tolerated (clusterContext ''). */
function resolveTargetForUnjoin(o: UnjoinOptions): ResolvedTarget {
  if (!o.force) return resolveTarget(o);
  const memberContext = o.clusterContext || o.clusterName;
  try {
    describeKubeconfigContext(o.kubeconfig, memberContext);
    return resolveTarget(o);
  } catch {
    return { ...resolveTarget(o, { checkMemberContext: false }), clusterContext: '' };
  }
}
