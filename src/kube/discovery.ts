// API discovery: which groups and resources a server offers, and resolution of the
// names users type (kind, plural, singular, short name, `plural.group`,
// `plural.version.group`, `Kind.group`) to a ResourceRef. Cached with a TTL and
// refreshed once on a miss, because CRDs appear at run time.
import { groupVersionPath, type ResourceRef } from './resource.js';
import type { RestClient } from './rest-client.js';

export interface ApiResourceInfo extends ResourceRef {
  kind: string;
  singularName: string;
  shortNames: string[];
  verbs: string[];
  categories: string[];
  /** Subresources served, e.g. ['status', 'scale']. */
  subresources: string[];
  /** True when this version is the group's preferred version. */
  preferred: boolean;
}

export interface ApiGroupInfo {
  name: string;
  versions: string[];
  preferredVersion: string;
}

export interface ServerVersion {
  major: string;
  minor: string;
  gitVersion: string;
  platform?: string;
}

interface RawResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
}

export class Discovery {
  private cache: { at: number; resources: ApiResourceInfo[]; groups: ApiGroupInfo[] } | undefined;
  private loading: Promise<{ resources: ApiResourceInfo[]; groups: ApiGroupInfo[] }> | undefined;

  constructor(
    private readonly rest: RestClient,
    private readonly ttlMs = 60_000,
  ) {}

  invalidate(): void {
    this.cache = undefined;
  }

  serverVersion(signal?: AbortSignal): Promise<ServerVersion> {
    return this.rest.request<ServerVersion>({ method: 'GET', path: '/version', ...(signal ? { signal } : {}) });
  }

  async serverGroups(): Promise<ApiGroupInfo[]> {
    return (await this.load()).groups;
  }

  /** Every resource of every served group version (not only preferred ones). */
  async serverResources(): Promise<ApiResourceInfo[]> {
    return (await this.load()).resources;
  }

  /** Resources of one group version, fetched fresh. */
  async resourcesFor(group: string, version: string): Promise<ApiResourceInfo[]> {
    return this.fetchGroupVersion(group, version, true);
  }

  /** The resource serving `kind` in `apiVersion`. */
  async resourceFor(apiVersion: string, kind: string): Promise<ApiResourceInfo> {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    const find = (all: ApiResourceInfo[]): ApiResourceInfo | undefined =>
      all.find((r) => r.group === group && r.version === version && r.kind === kind);
    const hit = find((await this.load()).resources) ?? find((await this.load(true)).resources);
    if (!hit) throw new Error(`discovery: no resource for kind ${kind} in ${apiVersion} on cluster ${this.rest.cluster}`);
    return hit;
  }

  /**
   * Resolves a user-typed name. Among several matches the preferred version wins, then
   * the core group, then groups in the server's order (as kubectl does).
   */
  async resolve(name: string): Promise<ApiResourceInfo> {
    const hit = pick(name, (await this.load()).resources) ?? pick(name, (await this.load(true)).resources);
    if (!hit) throw new Error(`discovery: the server does not have a resource type "${name}" (cluster ${this.rest.cluster})`);
    return hit;
  }

  private async load(force = false): Promise<{ resources: ApiResourceInfo[]; groups: ApiGroupInfo[] }> {
    if (!force && this.cache && Date.now() - this.cache.at < this.ttlMs) return this.cache;
    this.loading ??= this.fetchAll().finally(() => (this.loading = undefined));
    const result = await this.loading;
    this.cache = { at: Date.now(), ...result };
    return result;
  }

  private async fetchAll(): Promise<{ resources: ApiResourceInfo[]; groups: ApiGroupInfo[] }> {
    const core = await this.rest.request<{ versions: string[] }>({ method: 'GET', path: '/api' });
    const apis = await this.rest.request<{
      groups?: { name: string; versions: { groupVersion: string; version: string }[]; preferredVersion?: { version: string } }[];
    }>({ method: 'GET', path: '/apis' });
    const groups: ApiGroupInfo[] = [{ name: '', versions: core.versions, preferredVersion: core.versions[0] ?? 'v1' }];
    for (const g of apis.groups ?? []) {
      const versions = g.versions.map((v) => v.version);
      groups.push({ name: g.name, versions, preferredVersion: g.preferredVersion?.version ?? versions[0] ?? '' });
    }
    const perVersion = await Promise.all(
      groups.flatMap((g) =>
        g.versions.map((v) =>
          // An unavailable aggregated API must not hide every other group.
          this.fetchGroupVersion(g.name, v, v === g.preferredVersion).catch(() => [] as ApiResourceInfo[]),
        ),
      ),
    );
    return { groups, resources: perVersion.flat() };
  }

  private async fetchGroupVersion(group: string, version: string, preferred: boolean): Promise<ApiResourceInfo[]> {
    const list = await this.rest.request<{ resources?: RawResource[] }>({ method: 'GET', path: groupVersionPath(group, version) });
    const raw = list.resources ?? [];
    const subs = new Map<string, string[]>();
    for (const r of raw) {
      const slash = r.name.indexOf('/');
      if (slash < 0) continue;
      const parent = r.name.slice(0, slash);
      subs.set(parent, [...(subs.get(parent) ?? []), r.name.slice(slash + 1)]);
    }
    return raw
      .filter((r) => !r.name.includes('/'))
      .map((r) => ({
        group,
        version,
        resource: r.name,
        namespaced: r.namespaced,
        kind: r.kind,
        singularName: r.singularName || r.kind.toLowerCase(),
        shortNames: r.shortNames ?? [],
        verbs: r.verbs ?? [],
        categories: r.categories ?? [],
        subresources: subs.get(r.name) ?? [],
        preferred,
      }));
  }
}

function pick(input: string, all: ApiResourceInfo[]): ApiResourceInfo | undefined {
  const name = input.trim();
  const lower = name.toLowerCase();
  const candidates: ApiResourceInfo[] = [];
  const matchesName = (r: ApiResourceInfo, n: string): boolean =>
    r.resource === n || r.singularName === n || r.kind.toLowerCase() === n || r.shortNames.includes(n);
  for (const r of all) {
    if (matchesName(r, lower)) candidates.push(r);
  }
  if (candidates.length === 0) {
    // `plural.group`, `Kind.group` or `plural.version.group`
    const dot = lower.indexOf('.');
    if (dot > 0) {
      const head = lower.slice(0, dot);
      const rest = lower.slice(dot + 1);
      for (const r of all) {
        if (!matchesName(r, head)) continue;
        if (r.group === rest || `${r.version}.${r.group}` === rest) candidates.push(r);
      }
    }
  }
  if (candidates.length === 0) return undefined;
  const groupOrder = new Map<string, number>();
  for (const r of all) if (!groupOrder.has(r.group)) groupOrder.set(r.group, groupOrder.size);
  candidates.sort(
    (a, b) =>
      Number(b.preferred) - Number(a.preferred) ||
      Number(b.group === '') - Number(a.group === '') ||
      (groupOrder.get(a.group) ?? 0) - (groupOrder.get(b.group) ?? 0),
  );
  return candidates[0];
}
