// The fake's data: hosted zones with their record sets, health checks and their tags,
// and ChangeResourceRecordSets applied all-or-nothing with Route53's validation.
import { checkSet, describeSet, kindOf, sameSet, setKey, type FakeRecordSet } from './record-set.js';

export class FakeError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messages: string[],
  ) {
    super(`${code}: ${messages.join('; ')}`);
  }
}

export interface FakeZone {
  id: string;
  name: string;
  private: boolean;
  callerRef: string;
  sets: Map<string, FakeRecordSet>;
  /** Bumped by every change: the server caches the sorted list per version. */
  version: number;
}

export interface FakeHealthCheck {
  id: string;
  callerRef: string;
  type: string;
  ip?: string;
  fqdn?: string;
  port?: number;
  path?: string;
  children: string[];
  threshold?: number;
  interval?: number;
  failureThreshold?: number;
}

export type ChangeAction = 'CREATE' | 'DELETE' | 'UPSERT';

/** Route53's quotas on one ChangeResourceRecordSets request. */
export const MAX_BATCH_RECORDS = 1000;
export const MAX_BATCH_CHARS = 32_000;

export class FakeState {
  readonly zones = new Map<string, FakeZone>();
  readonly healthChecks = new Map<string, FakeHealthCheck>();
  readonly tags = new Map<string, Map<string, string>>();
  private seq = 0;

  nextId(prefix: string): string {
    this.seq++;
    return `${prefix}${this.seq.toString(36).toUpperCase().padStart(12, '0')}`;
  }

  createZone(name: string, opts: { private?: boolean; callerRef?: string } = {}): FakeZone {
    const zname = name.toLowerCase().endsWith('.') ? name.toLowerCase() : `${name.toLowerCase()}.`;
    const zone: FakeZone = { id: this.nextId('Z'), name: zname, private: opts.private ?? false, callerRef: opts.callerRef ?? this.nextId('ref'), sets: new Map(), version: 0 };
    // Route53 creates the apex SOA and NS records with every zone.
    const soa: FakeRecordSet = { name: zname, type: 'SOA', ttl: 900, values: [`ns-1.awsdns.example. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`] };
    const ns: FakeRecordSet = { name: zname, type: 'NS', ttl: 172800, values: ['ns-1.awsdns.example.', 'ns-2.awsdns.example.'] };
    zone.sets.set(setKey(soa), soa);
    zone.sets.set(setKey(ns), ns);
    this.zones.set(zone.id, zone);
    return zone;
  }

  zone(id: string): FakeZone {
    const z = this.zones.get(id.replace(/^\/?hostedzone\//, ''));
    if (!z) throw new FakeError(404, 'NoSuchHostedZone', [`No hosted zone found with ID: ${id}`]);
    return z;
  }

  /** Applies a batch atomically; throws InvalidChangeBatch with every problem found. */
  change(zoneId: string, changes: readonly { action: ChangeAction; set: FakeRecordSet }[]): void {
    const zone = this.zone(zoneId);
    let records = 0;
    let chars = 0;
    for (const c of changes) {
      const factor = c.action === 'UPSERT' ? 2 : 1;
      records += c.set.values.length * factor;
      chars += c.set.values.reduce((n, v) => n + v.length, 0) * factor;
    }
    if (records > MAX_BATCH_RECORDS) throw new FakeError(400, 'InvalidChangeBatch', [`Number of records limit of ${MAX_BATCH_RECORDS} exceeded.`]);
    if (chars > MAX_BATCH_CHARS) throw new FakeError(400, 'InvalidChangeBatch', [`RDATA character limit of ${MAX_BATCH_CHARS} exceeded.`]);
    const work = new Map(zone.sets);
    const problems: string[] = [];
    const touched = new Set<string>();
    for (const { action, set } of changes) {
      touched.add(set.name);
      if (set.name !== zone.name && !set.name.endsWith(`.${zone.name}`)) {
        problems.push(`RRSet with DNS name ${set.name} is not permitted in zone ${zone.name}`);
        continue;
      }
      const key = setKey(set);
      const existing = work.get(key);
      if (action === 'DELETE') {
        if (!existing) problems.push(`Tried to delete resource record set ${describeSet(set)} but it was not found`);
        else if (!sameSet(existing, set)) problems.push(`Tried to delete resource record set ${describeSet(set)} but the values provided do not match the current values`);
        else work.delete(key);
        continue;
      }
      problems.push(...checkSet(set));
      if (action === 'CREATE' && existing) problems.push(`Tried to create resource record set ${describeSet(set)} but it already exists`);
      if (set.healthCheckId !== undefined && !this.healthChecks.has(set.healthCheckId)) problems.push(`Invalid request: health check ${set.healthCheckId} of ${describeSet(set)} does not exist`);
      work.set(key, set);
    }
    const byName = new Map<string, FakeRecordSet[]>();
    for (const set of work.values()) if (touched.has(set.name)) byName.set(set.name, [...(byName.get(set.name) ?? []), set]);
    for (const name of touched) problems.push(...this.checkName(zone, byName.get(name) ?? [], name));
    if (problems.length > 0) throw new FakeError(400, 'InvalidChangeBatch', problems);
    zone.sets = work;
    zone.version++;
  }

  /** Rules between the sets of one name (in Route53's wording where we know it). */
  private checkName(zone: FakeZone, at: readonly FakeRecordSet[], name: string): string[] {
    const out: string[] = [];
    const cname = at.find((s) => s.type === 'CNAME');
    const other = at.find((s) => s.type !== 'CNAME');
    if (cname && name === zone.name) out.push(`RRSet of type CNAME with DNS name ${name} is not permitted at apex in zone ${zone.name}`);
    else if (cname && other) out.push(`RRSet of type CNAME with DNS name ${name} is not permitted as it conflicts with other records with the same DNS name in zone ${zone.name}`);
    const byType = new Map<string, FakeRecordSet[]>();
    for (const s of at) byType.set(s.type, [...(byType.get(s.type) ?? []), s]);
    for (const [type, group] of byType) {
      const plain = group.filter((s) => s.setId === undefined);
      if (plain.length > 0 && group.length > plain.length) {
        out.push(`RRSet with DNS name ${name} and type ${type} cannot be created because a non-routed RRSet with the same name and type already exists`);
        continue;
      }
      const kinds = new Set(group.map(kindOf));
      if (kinds.size > 1) out.push(`RRSet with DNS name ${name}, type ${type} cannot mix routing policies (${[...kinds].sort().join(', ')})`);
      const dup = (label: string, key: (s: FakeRecordSet) => string | undefined): void => {
        const seen = new Set<string>();
        for (const s of group) {
          const k = key(s);
          if (k === undefined) continue;
          if (seen.has(k)) out.push(`RRSet with DNS name ${name}, type ${type} already has a set with ${label} ${k}`);
          seen.add(k);
        }
      };
      dup('failover', (s) => s.failover);
      // One latency set per region (ResourceRecordSet.Region in the API reference).
      dup('region', (s) => s.region);
      dup('location', (s) => (s.geo ? `${s.geo.continent ?? ''}/${s.geo.country ?? ''}/${s.geo.subdivision ?? ''}` : undefined));
    }
    return out;
  }

  createHealthCheck(hc: Omit<FakeHealthCheck, 'id'>): FakeHealthCheck {
    for (const c of this.healthChecks.values()) {
      if (c.callerRef === hc.callerRef) throw new FakeError(409, 'HealthCheckAlreadyExists', [`A health check with caller reference ${hc.callerRef} already exists`]);
    }
    const problems: string[] = [];
    const types = ['HTTP', 'HTTPS', 'TCP', 'HTTP_STR_MATCH', 'HTTPS_STR_MATCH', 'CALCULATED'];
    if (!types.includes(hc.type)) problems.push(`Invalid health check type ${hc.type}`);
    if (hc.type === 'CALCULATED') {
      if (hc.children.length === 0) problems.push('A CALCULATED health check needs ChildHealthChecks');
      for (const c of hc.children) if (!this.healthChecks.has(c)) problems.push(`Child health check ${c} does not exist`);
    } else {
      if (!hc.ip && !hc.fqdn) problems.push('A health check needs IPAddress or FullyQualifiedDomainName');
      if (hc.type === 'TCP' && hc.port === undefined) problems.push('A TCP health check needs Port');
      if (hc.port !== undefined && (hc.port < 1 || hc.port > 65535)) problems.push(`Invalid port ${hc.port}`);
    }
    if (problems.length > 0) throw new FakeError(400, 'InvalidInput', problems);
    const created: FakeHealthCheck = { ...hc, id: crypto.randomUUID() };
    this.healthChecks.set(created.id, created);
    return created;
  }

  deleteHealthCheck(id: string): void {
    if (!this.healthChecks.has(id)) throw new FakeError(404, 'NoSuchHealthCheck', [`A health check with id ${id} does not exist.`]);
    for (const z of this.zones.values()) {
      for (const s of z.sets.values()) if (s.healthCheckId === id) throw new FakeError(400, 'HealthCheckInUse', [`The health check ${id} is still referenced from ${describeSet(s)}.`]);
    }
    for (const c of this.healthChecks.values()) if (c.children.includes(id)) throw new FakeError(400, 'HealthCheckInUse', [`The health check ${id} is a child of ${c.id}.`]);
    this.healthChecks.delete(id);
    this.tags.delete(id);
  }

  healthCheck(id: string): FakeHealthCheck {
    const c = this.healthChecks.get(id);
    if (!c) throw new FakeError(404, 'NoSuchHealthCheck', [`A health check with id ${id} does not exist.`]);
    return c;
  }
}
