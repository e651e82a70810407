// Discovery documents: /api, /apis, /apis/<group>, and per-version resource lists.
import type { ResourceRegistry } from '../resources/registry.js';
import { gvString, type ResourceDef } from '../resources/types.js';

export function coreVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupDoc(group: string, versions: string[]): unknown {
  const vs = versions.map((v) => ({ groupVersion: gvString(group, v), version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(reg: ResourceRegistry): unknown {
  const groups = [...reg.groups().entries()].filter(([g]) => g !== '').sort(([a], [b]) => a.localeCompare(b));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(([g, vs]) => groupDoc(g, vs)) };
}

export function apiGroup(reg: ResourceRegistry, group: string): unknown | undefined {
  const vs = reg.groups().get(group);
  if (!vs) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...(groupDoc(group, vs) as object) };
}

function resourceEntries(d: ResourceDef): unknown[] {
  const main = {
    name: d.plural,
    singularName: d.singular,
    namespaced: d.namespaced,
    kind: d.kind,
    verbs: d.verbs,
    ...(d.shortNames.length ? { shortNames: d.shortNames } : {}),
    ...(d.categories.length ? { categories: d.categories } : {}),
    storageVersionHash: Buffer.from(`${d.group}/${d.storageVersion}/${d.kind}`).toString('base64').slice(0, 11),
  };
  const out: unknown[] = [main];
  if (d.statusSubresource) out.push({ name: `${d.plural}/status`, singularName: '', namespaced: d.namespaced, kind: d.kind, verbs: ['get', 'patch', 'update'] });
  if (d.scale) out.push({ name: `${d.plural}/scale`, singularName: '', namespaced: d.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
  if (d.group === '' && d.plural === 'serviceaccounts') out.push({ name: 'serviceaccounts/token', singularName: '', namespaced: true, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
  if (d.group === '' && d.plural === 'namespaces') out.push({ name: 'namespaces/finalize', singularName: '', namespaced: false, kind: 'Namespace', verbs: ['update'] });
  return out;
}

export function apiResourceList(reg: ResourceRegistry, group: string, version: string): unknown | undefined {
  const defs = reg.all().filter((d) => d.group === group && d.versions.includes(version));
  if (defs.length === 0) return undefined;
  defs.sort((a, b) => a.plural.localeCompare(b.plural));
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gvString(group, version), resources: defs.flatMap(resourceEntries) };
}
