// Route53 health checks that kfed creates for weighted and failover record sets: one
// per target (IP address, or hostname for a CNAME), and for several targets a
// CALCULATED parent that is healthy while any child is. Each is tagged with the owner,
// zone and record, which is how kfed recognizes its own: a check without our owner tag
// is never changed or deleted. Checks of ours that no record set of their zone refers
// to any more are deleted (after a batch that dropped them, and by the sweep in records()).
import { randomUUID } from 'node:crypto';
import type { HealthCheck, HealthCheckConfig, Tag } from '@aws-sdk/client-route-53';
import type { Endpoint } from '../../src/dns/endpoint.js';
import { canonicalTargets, describeEndpoint } from '../../src/dns/endpoint.js';
import { classifyTarget } from '../../src/dns/naming.js';
import type { ProviderLogger } from '../../src/dns/publish/provider.js';
import type { Route53Api } from './client.js';
import { sameHealthSpec, type HealthSpec } from './health-spec.js';

export const OWNER_TAG = 'kfed.io/owner';
export const ZONE_TAG = 'kfed.io/zone';
export const RECORD_TAG = 'kfed.io/record';

/** A health check kfed owns, as far as this process knows it. */
interface OwnedCheck {
  zoneId: string;
  spec: HealthSpec;
  /** Canonical targets it covers (its own, or its children's). */
  targets: string[];
  children: string[];
}

export class HealthChecks {
  private readonly owned = new Map<string, OwnedCheck>();
  /** Ids whose tags said they are not ours: never looked at again. */
  private readonly foreign = new Set<string>();
  /** Created for a batch that has not committed yet: the sweep leaves them alone. */
  private readonly pending = new Set<string>();

  constructor(
    private readonly api: Route53Api,
    private readonly ownerId: string,
    private readonly logger: ProviderLogger,
  ) {}

  /** The spec of one of our checks, for records() to turn into properties. */
  specOf(id: string): HealthSpec | undefined {
    return this.owned.get(id)?.spec;
  }

  isOwned(id: string): boolean {
    return this.owned.has(id);
  }

  /** A check of ours that already covers exactly these targets with this spec. */
  reusable(id: string | undefined, targets: readonly string[], spec: HealthSpec): boolean {
    const c = id ? this.owned.get(id) : undefined;
    return c !== undefined && sameHealthSpec(c.spec, spec) && c.targets.join(',') === canonicalTargets(targets).join(',');
  }

  /** Learns every health check in the account: which are ours, and their specs. */
  async refresh(signal: AbortSignal): Promise<void> {
    const all = await this.api.listHealthChecks(signal);
    const seen = new Set(all.map((c) => c.Id ?? ''));
    for (const id of [...this.owned.keys()]) if (!seen.has(id)) this.owned.delete(id);
    await this.learn(all, signal);
  }

  /** Makes sure these ids (read from record sets) are classified as ours or not. */
  async learnIds(ids: readonly string[], signal: AbortSignal): Promise<void> {
    const unknown = [...new Set(ids)].filter((id) => !this.owned.has(id) && !this.foreign.has(id));
    const checks: HealthCheck[] = [];
    for (const id of unknown) {
      const c = await this.api.getHealthCheck(id, signal);
      if (c) checks.push(c);
    }
    await this.learn(checks, signal);
  }

  private async learn(checks: readonly HealthCheck[], signal: AbortSignal): Promise<void> {
    const unknown = checks.filter((c) => c.Id && !this.owned.has(c.Id) && !this.foreign.has(c.Id));
    if (unknown.length === 0) return;
    const tags = await this.api.healthCheckTags(unknown.map((c) => c.Id as string), signal);
    const byId = new Map(checks.map((c) => [c.Id ?? '', c]));
    const ours = unknown.filter((c) => tagValue(tags.get(c.Id as string), OWNER_TAG) === this.ownerId);
    for (const c of unknown) if (!ours.includes(c)) this.foreign.add(c.Id as string);
    // Children first, so that a CALCULATED parent can take its spec and targets from them.
    for (const c of [...ours].sort((a, b) => Number(a.HealthCheckConfig?.Type === 'CALCULATED') - Number(b.HealthCheckConfig?.Type === 'CALCULATED'))) {
      const zoneId = tagValue(tags.get(c.Id as string), ZONE_TAG) ?? '';
      const cfg = c.HealthCheckConfig ?? ({} as HealthCheckConfig);
      if (cfg.Type === 'CALCULATED') {
        const children = cfg.ChildHealthChecks ?? [];
        const first = children.map((id) => this.owned.get(id) ?? configOwned(byId.get(id)?.HealthCheckConfig, zoneId)).find((x) => x !== undefined);
        if (!first) continue;
        const targets = canonicalTargets(children.flatMap((id) => this.owned.get(id)?.targets ?? []));
        this.owned.set(c.Id as string, { zoneId, spec: first.spec, targets, children });
      } else {
        const o = configOwned(cfg, zoneId);
        if (o) this.owned.set(c.Id as string, o);
      }
    }
  }

  /**
   * A check (a parent for several targets) for the record set of `e`, created and
   * tagged now. The ids are pending until commit() or discard().
   */
  async create(zoneId: string, e: Endpoint, spec: HealthSpec, signal: AbortSignal): Promise<string[]> {
    const targets = canonicalTargets(e.targets);
    const record = describeEndpoint(e);
    const created: string[] = [];
    try {
      const children: string[] = [];
      for (const t of targets) {
        const id = await this.api.createHealthCheck(randomUUID(), targetConfig(t, spec, e.dnsName), signal);
        created.push(id);
        this.pending.add(id);
        await this.api.tagHealthCheck(id, this.tags(zoneId, record, t), signal);
        this.owned.set(id, { zoneId, spec, targets: [canonicalTargets([t])[0] ?? t], children: [] });
        children.push(id);
      }
      if (children.length > 1) {
        const id = await this.api.createHealthCheck(randomUUID(), { Type: 'CALCULATED', ChildHealthChecks: children, HealthThreshold: 1 }, signal);
        created.push(id);
        this.pending.add(id);
        await this.api.tagHealthCheck(id, this.tags(zoneId, record, 'any'), signal);
        this.owned.set(id, { zoneId, spec, targets, children });
      }
      return created;
    } catch (err) {
      await this.discard(created, signal).catch(() => undefined);
      throw err;
    }
  }

  /** The check a record set refers to, after create(): the last id (the parent when there are several). */
  static attachId(created: readonly string[]): string | undefined {
    return created[created.length - 1];
  }

  commit(ids: readonly string[]): void {
    for (const id of ids) this.pending.delete(id);
  }

  /** Deletes checks of ours (parents before children: Route53 refuses to delete a child in use). */
  async discard(ids: readonly string[], signal: AbortSignal): Promise<number> {
    const all = new Set<string>();
    for (const id of ids) {
      const c = this.owned.get(id);
      if (!c) continue;
      all.add(id);
      for (const child of c.children) all.add(child);
    }
    const order = [...all].sort((a, b) => (this.owned.get(b)?.children.length ?? 0) - (this.owned.get(a)?.children.length ?? 0));
    for (const id of order) {
      await this.api.deleteHealthCheck(id, signal);
      this.owned.delete(id);
      this.pending.delete(id);
    }
    return order.length;
  }

  /** Deletes our checks of `zoneId` that none of `referenced` (record sets' ids) needs. */
  async sweep(zoneId: string, referenced: ReadonlySet<string>, signal: AbortSignal): Promise<number> {
    const keep = new Set<string>();
    for (const id of referenced) {
      keep.add(id);
      for (const child of this.owned.get(id)?.children ?? []) keep.add(child);
    }
    const orphans = [...this.owned].filter(([id, c]) => c.zoneId === zoneId && !keep.has(id) && !this.pending.has(id)).map(([id]) => id);
    if (orphans.length === 0) return 0;
    const n = await this.discard(orphans, signal);
    this.logger.info({ zone: zoneId, deleted: n }, 'deleted health checks no record refers to');
    return n;
  }

  private tags(zoneId: string, record: string, target: string): Tag[] {
    return [
      { Key: OWNER_TAG, Value: this.ownerId },
      { Key: ZONE_TAG, Value: zoneId },
      { Key: RECORD_TAG, Value: record.slice(0, 256) },
      { Key: 'Name', Value: `kfed ${record} ${target}`.slice(0, 256) },
    ];
  }
}

function tagValue(tags: readonly Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

function targetConfig(target: string, spec: HealthSpec, host: string): HealthCheckConfig {
  const t = classifyTarget(target);
  const cfg: HealthCheckConfig = { Type: spec.protocol, Port: spec.port, RequestInterval: 30, FailureThreshold: 3 };
  if (t.kind === 'ipv4' || t.kind === 'ipv6') {
    cfg.IPAddress = t.value;
    // The Host header (and TLS SNI) an HTTP(S) check sends: the record's own name.
    if (spec.protocol !== 'TCP') cfg.FullyQualifiedDomainName = host;
  } else cfg.FullyQualifiedDomainName = t.value;
  if (spec.path !== undefined) cfg.ResourcePath = spec.path;
  return cfg;
}

function configOwned(cfg: HealthCheckConfig | undefined, zoneId: string): OwnedCheck | undefined {
  if (!cfg || (cfg.Type !== 'HTTP' && cfg.Type !== 'HTTPS' && cfg.Type !== 'TCP')) return undefined;
  const spec: HealthSpec = { protocol: cfg.Type, port: cfg.Port ?? (cfg.Type === 'HTTPS' ? 443 : 80) };
  if (cfg.Type !== 'TCP') spec.path = cfg.ResourcePath ?? '/';
  const target = cfg.IPAddress ?? cfg.FullyQualifiedDomainName ?? '';
  return { zoneId, spec, targets: canonicalTargets([target]), children: [] };
}
