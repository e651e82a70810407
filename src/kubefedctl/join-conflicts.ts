// Preflight checks of `kfed join` against what other joins left behind. Two joins of one
// member share the member's KubeFed namespace and may share RBAC names; without these
// checks a second join silently rebinds the first one's ClusterRoleBinding, unjoining
// either copy removes the other's credential, and a binding of kfed's name that points at
// another role makes join report success while every write of the member gets 403.
import type { KubeFedCluster } from '../api/core.js';
import type { KubeObject } from '../api/meta.js';
import type { DynamicClient } from '../kube/dynamic-client.js';
import type { ResourceRef } from '../kube/resource.js';
import { JoinError } from './join-steps.js';
import { KUBEFED_CLUSTERS } from '../api/core.js';

/** Canonical endpoint: scheme and host lower-case, default port and trailing slash dropped. */
export function canonicalEndpoint(server: string): string {
  const withScheme = /^https?:\/\//i.test(server) ? server : `https://${server}`;
  try {
    const u = new URL(withScheme);
    const port = u.port && !(u.protocol === 'https:' && u.port === '443') && !(u.protocol === 'http:' && u.port === '80') ? `:${u.port}` : '';
    return `${u.protocol}//${u.hostname.toLowerCase()}${port}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return withScheme.replace(/\/+$/, '').toLowerCase();
  }
}

/** Another KubeFedCluster of this host with the same endpoint and CA: refuse to join a member twice. */
export async function refuseDuplicateEndpoint(host: DynamicClient, namespace: string, name: string, server: string, caData: string | undefined, signal?: AbortSignal): Promise<void> {
  const list = await host.list<KubeFedCluster>(KUBEFED_CLUSTERS, { namespace, ...(signal ? { signal } : {}) });
  const want = canonicalEndpoint(server);
  for (const c of list.items) {
    if (c.metadata.name === name || canonicalEndpoint(c.spec.apiEndpoint) !== want) continue;
    if ((c.spec.caBundle ?? '') !== (caData ?? '') && caData !== undefined && c.spec.caBundle !== undefined) continue;
    throw new JoinError(`member ${server} is already joined as KubeFedCluster ${namespace}/${c.metadata.name ?? ''}; a second join would share its credentials and RBAC (unjoin it first, or re-run join with the name ${c.metadata.name ?? ''})`);
  }
}

interface Binding extends KubeObject {
  roleRef?: { apiGroup?: string; kind?: string; name?: string };
  subjects?: { kind?: string; name?: string; namespace?: string }[];
}

/**
 * A binding of join's name that already exists must point at join's role (roleRef cannot
 * be changed) and may not bind some other ServiceAccount (another join's, which join would
 * otherwise take over). `where` names the member for the message.
 */
export async function refuseForeignBinding(member: DynamicClient, ref: ResourceRef, want: KubeObject, where: string, signal?: AbortSignal): Promise<void> {
  const w = want as Binding;
  const name = w.metadata.name ?? '';
  const ns = w.metadata.namespace;
  const existing = await member.getIfExists<Binding>(ref, name, { ...(ns ? { namespace: ns } : {}), ...(signal ? { signal } : {}) });
  if (!existing) return;
  const label = `${ref.kind ?? ref.resource} ${ns ? `${ns}/` : ''}${name} in ${where}`;
  const got = existing.roleRef ?? {};
  const exp = w.roleRef ?? {};
  if (got.kind !== exp.kind || got.name !== exp.name || (got.apiGroup ?? '') !== (exp.apiGroup ?? '')) {
    throw new JoinError(`${label} already exists with roleRef ${got.kind ?? '?'} ${got.name ?? '?'}, not ${exp.kind ?? ''} ${exp.name ?? ''}; a roleRef cannot be changed and the joined credential would be refused (403): delete that binding or join with another --host-cluster-name`);
  }
  const mine = w.subjects?.[0];
  const others = (existing.subjects ?? []).filter((s) => s.kind === 'ServiceAccount' && !(s.name === mine?.name && s.namespace === mine?.namespace));
  if (others.length > 0) {
    const who = others.map((s) => `${s.namespace ?? ''}/${s.name ?? ''}`).join(', ');
    throw new JoinError(`${label} already binds ServiceAccount ${who} (another join of this member); join would take its permissions away: unjoin that copy first or join with another --host-cluster-name`);
  }
}
