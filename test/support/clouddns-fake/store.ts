// The state and the rules of the fake Cloud DNS: managed zones, record sets, and a
// change applied all or nothing with Cloud DNS's semantics (no upsert; a deletion must
// match the existing record set exactly; an addition of an existing one fails; per-change
// quotas). Errors are thrown as FakeApiError and rendered by the server in Google's
// error format.
import type { ChangeBody, ManagedZone, ProjectQuota, ResourceRecordSet } from '../../../providers/clouddns/types.js';

export class FakeApiError extends Error {
  constructor(readonly status: number, readonly reason: string, message: string) {
    super(message);
  }
}

export interface FakeZone {
  zone: ManagedZone;
  rrsets: Map<string, ResourceRecordSet>;
}

export const DEFAULT_FAKE_QUOTA: Required<Pick<ProjectQuota, 'rrsetAdditionsPerChange' | 'rrsetDeletionsPerChange' | 'totalRrdataSizePerChange' | 'resourceRecordsPerRrset' | 'rrsetsPerManagedZone' | 'itemsPerRoutingPolicy'>> = {
  rrsetAdditionsPerChange: 100,
  rrsetDeletionsPerChange: 100,
  totalRrdataSizePerChange: 10_000,
  resourceRecordsPerRrset: 100,
  rrsetsPerManagedZone: 100_000,
  itemsPerRoutingPolicy: 100,
};

const TYPES = new Set(['A', 'AAAA', 'CNAME', 'TXT', 'NS', 'SRV', 'MX', 'PTR', 'CAA', 'SOA', 'SPF', 'DS', 'HTTPS', 'SVCB']);

function key(name: string, type: string): string {
  return `${name}\u0000${type}`;
}

function sortedStrings(xs: readonly string[] | undefined): string[] {
  return [...(xs ?? [])].sort();
}

/** What must be equal for a deletion to match: Cloud DNS compares the whole record set. */
export function comparable(r: ResourceRecordSet): string {
  const geo = (g: { items: { location: string; rrdatas?: string[] }[]; enableFencing?: boolean } | undefined): unknown =>
    g ? { f: g.enableFencing ?? false, i: [...g.items].sort((a, b) => (a.location < b.location ? -1 : 1)).map((i) => [i.location, sortedStrings(i.rrdatas)]) } : null;
  const p = r.routingPolicy;
  return JSON.stringify([
    r.name,
    r.type,
    r.ttl ?? null,
    sortedStrings(r.rrdatas),
    p?.wrr ? p.wrr.items.map((i) => [i.weight, sortedStrings(i.rrdatas)]) : null,
    geo(p?.geo),
    p?.primaryBackup ? [sortedStrings(p.primaryBackup.primaryTargets.externalEndpoints), geo(p.primaryBackup.backupGeoTargets), p.primaryBackup.trickleTraffic ?? 0] : null,
  ]);
}

export function rrdataBytes(r: ResourceRecordSet): number {
  const sum = (xs: readonly string[] | undefined): number => (xs ?? []).reduce((n, x) => n + Buffer.byteLength(x), 0);
  const p = r.routingPolicy;
  let n = sum(r.rrdatas);
  for (const i of p?.wrr?.items ?? []) n += sum(i.rrdatas);
  for (const i of p?.geo?.items ?? []) n += sum(i.rrdatas);
  if (p?.primaryBackup) {
    n += sum(p.primaryBackup.primaryTargets.externalEndpoints);
    for (const i of p.primaryBackup.backupGeoTargets.items) n += sum(i.rrdatas);
  }
  return n;
}

function validate(r: ResourceRecordSet, zone: ManagedZone, where: string, quota: typeof DEFAULT_FAKE_QUOTA): void {
  const bad = (message: string): never => {
    throw new FakeApiError(400, 'invalid', `Invalid value for '${where}': ${message}`);
  };
  if (typeof r.name !== 'string' || !r.name.endsWith('.')) bad('name must be a fully qualified name');
  if (r.name !== zone.dnsName && !r.name.endsWith(`.${zone.dnsName}`)) bad(`${r.name} is not in zone ${zone.dnsName}`);
  if (!TYPES.has(r.type)) bad(`unknown type ${r.type}`);
  if (typeof r.ttl !== 'number' || !Number.isInteger(r.ttl) || r.ttl < 0) bad('ttl is required');
  const hasData = (r.rrdatas?.length ?? 0) > 0;
  const p = r.routingPolicy;
  if (hasData === (p !== undefined)) bad('a record set holds either rrdatas or a routingPolicy');
  if ((r.rrdatas?.length ?? 0) > quota.resourceRecordsPerRrset) throw new FakeApiError(403, 'quotaExceeded', `Quota exceeded: resourceRecordsPerRrset (${quota.resourceRecordsPerRrset})`);
  if (r.rrdatas && new Set(r.rrdatas).size !== r.rrdatas.length) bad('duplicate rrdatas');
  if (!p) return;
  const kinds = [p.geo, p.wrr, p.primaryBackup].filter((x) => x !== undefined).length;
  if (kinds !== 1) bad('exactly one of geo, wrr, primaryBackup');
  const items = p.geo?.items ?? p.wrr?.items ?? p.primaryBackup?.backupGeoTargets.items ?? [];
  if (items.length === 0) bad('routing policy without items');
  if (items.length > quota.itemsPerRoutingPolicy) throw new FakeApiError(403, 'quotaExceeded', `Quota exceeded: itemsPerRoutingPolicy (${quota.itemsPerRoutingPolicy})`);
  for (const i of items) if ((i.rrdatas?.length ?? 0) === 0 && !i.healthCheckedTargets) bad('routing item without data');
  const locations = (p.geo?.items ?? p.primaryBackup?.backupGeoTargets.items ?? []).map((i) => i.location);
  if (new Set(locations).size !== locations.length) bad('multiple items with the same location');
  if (p.wrr?.items.some((i) => typeof i.weight !== 'number' || i.weight < 0)) bad('weights must be non-negative numbers');
  if (p.primaryBackup) {
    if (r.type !== 'A' && r.type !== 'AAAA') bad('primaryBackup is for A and AAAA record sets');
    const t = p.primaryBackup.primaryTargets;
    if ((t.externalEndpoints?.length ?? 0) + (t.internalLoadBalancers?.length ?? 0) === 0) bad('primaryTargets is empty');
    // External endpoints are checked only by a Compute health check the policy names.
    if ((t.externalEndpoints?.length ?? 0) > 0 && !p.healthCheck) bad('routingPolicy.healthCheck is required for health-checked external endpoints');
  }
}

export class FakeProject {
  readonly zones = new Map<string, FakeZone>();
  quota = { ...DEFAULT_FAKE_QUOTA };
  private changeId = 0;

  addZone(z: ManagedZone): FakeZone {
    const fz: FakeZone = { zone: { kind: 'dns#managedZone', visibility: 'public', ...z } as ManagedZone, rrsets: new Map() };
    this.zones.set(z.name, fz);
    if (!z.peeringConfig && !z.forwardingConfig) {
      // Like Cloud DNS, a new zone starts with its SOA and NS record sets.
      this.put(z.name, { name: z.dnsName, type: 'SOA', ttl: 21600, rrdatas: [`ns-cloud-a1.googledomains.com. cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300`] });
      this.put(z.name, { name: z.dnsName, type: 'NS', ttl: 21600, rrdatas: ['ns-cloud-a1.googledomains.com.', 'ns-cloud-a2.googledomains.com.'] });
    }
    return fz;
  }

  zone(name: string): FakeZone {
    const z = this.zones.get(name);
    if (!z) throw new FakeApiError(404, 'notFound', `The 'parameters.managedZone' resource named '${name}' does not exist.`);
    return z;
  }

  /** Writes a record set directly (another writer, a console edit). */
  put(zone: string, r: ResourceRecordSet): void {
    this.zone(zone).rrsets.set(key(r.name, r.type), { kind: 'dns#resourceRecordSet', ...structuredClone(r) });
  }

  get(zone: string, name: string, type: string): ResourceRecordSet | undefined {
    return this.zone(zone).rrsets.get(key(name, type));
  }

  remove(zone: string, name: string, type: string): void {
    this.zone(zone).rrsets.delete(key(name, type));
  }

  /** Record sets in Cloud DNS's listing order: by name, then type. */
  list(zone: string): ResourceRecordSet[] {
    return [...this.zone(zone).rrsets.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  }

  applyChange(zoneName: string, body: ChangeBody): { id: string; additions: ResourceRecordSet[]; deletions: ResourceRecordSet[] } {
    const fz = this.zone(zoneName);
    const additions = body.additions ?? [];
    const deletions = body.deletions ?? [];
    if (additions.length === 0 && deletions.length === 0) throw new FakeApiError(400, 'required', 'The change has no additions or deletions.');
    if (additions.length > this.quota.rrsetAdditionsPerChange) throw new FakeApiError(403, 'quotaExceeded', `Quota exceeded: rrsetAdditionsPerChange (${this.quota.rrsetAdditionsPerChange})`);
    if (deletions.length > this.quota.rrsetDeletionsPerChange) throw new FakeApiError(403, 'quotaExceeded', `Quota exceeded: rrsetDeletionsPerChange (${this.quota.rrsetDeletionsPerChange})`);
    const bytes = [...additions, ...deletions].reduce((n, r) => n + rrdataBytes(r), 0);
    if (bytes > this.quota.totalRrdataSizePerChange) throw new FakeApiError(403, 'quotaExceeded', `Quota exceeded: totalRrdataSizePerChange (${this.quota.totalRrdataSizePerChange})`);
    const next = new Map(fz.rrsets);
    deletions.forEach((d, i) => {
      const where = `entity.change.deletions[${i}]`;
      const cur = next.get(key(d.name, d.type));
      if (!cur) throw new FakeApiError(404, 'notFound', `The '${where}' resource named '${d.name} (${d.type})' does not exist.`);
      if (comparable(cur) !== comparable(d)) throw new FakeApiError(412, 'conditionNotMet', `Precondition not met for '${where}'`);
      next.delete(key(d.name, d.type));
    });
    additions.forEach((a, i) => {
      const where = `entity.change.additions[${i}]`;
      validate(a, fz.zone, where, this.quota);
      if (next.has(key(a.name, a.type))) throw new FakeApiError(409, 'alreadyExists', `The resource '${where}' named '${a.name} (${a.type})' already exists`);
      next.set(key(a.name, a.type), { kind: 'dns#resourceRecordSet', ...structuredClone(a) });
    });
    if (next.size > this.quota.rrsetsPerManagedZone) throw new FakeApiError(403, 'quotaExceeded', `Quota exceeded: rrsetsPerManagedZone (${this.quota.rrsetsPerManagedZone})`);
    fz.rrsets.clear();
    for (const [k, v] of next) fz.rrsets.set(k, v);
    this.changeId++;
    return { id: String(this.changeId), additions: additions.map((a) => ({ kind: 'dns#resourceRecordSet', ...a })), deletions };
  }
}
