// An in-memory DNS provider for component tests of the publishing pipeline. It keeps the
// rules every real provider enforces and that the pipeline must respect: a create of a
// record set that exists and a delete or update of one that does not (or differs) are
// rejected, a CNAME cannot share its name, a batch is all or nothing. Tests can make it
// reject any record holding a given target, throttle the next N calls, and count calls.
import { endpointKey } from '../../src/dns/endpoint.js';
import { ProviderError, type AdjustResult, type Provider, type ProviderZone, type ZoneChanges } from '../../src/dns/publish/provider.js';
import type { Endpoint } from '../../src/api/multiclusterdns.js';

export class MemoryProvider implements Provider {
  readonly type = 'rfc2136' as const;
  readonly zoneList: ProviderZone[];
  readonly store = new Map<string, Map<string, Endpoint>>();
  calls = { zones: 0, records: 0, apply: 0 };
  /** Records with this target are rejected. */
  poison = new Set<string>();
  /** The next N apply calls answer `throttled`. */
  throttleNext = 0;
  maxChanges = 1000;
  readonly limits = {
    fits: (c: ZoneChanges): boolean => c.create.length + c.updateNew.length * 2 + c.delete.length <= this.maxChanges,
    requestsPerSecond: 1000,
    burst: 1000,
  };

  constructor(zones: string[]) {
    this.zoneList = zones.map((z) => ({ id: `zone-${z}`, name: z }));
    for (const z of this.zoneList) this.store.set(z.id, new Map());
  }

  async zones(domains: readonly string[]): Promise<ProviderZone[]> {
    this.calls.zones++;
    return this.zoneList.filter((z) => domains.some((d) => d === z.name || d.endsWith(`.${z.name}`)));
  }

  async records(zone: ProviderZone): Promise<Endpoint[]> {
    this.calls.records++;
    return [...this.zoneStore(zone).values()].map((e) => structuredClone(e));
  }

  async apply(zone: ProviderZone, changes: ZoneChanges): Promise<void> {
    this.calls.apply++;
    if (this.throttleNext > 0) {
      this.throttleNext--;
      throw new ProviderError('throttled', 'Rate exceeded', { retryAfterMs: 1 });
    }
    const next = new Map(this.zoneStore(zone));
    const reject = (m: string): never => {
      throw new ProviderError('rejected', m);
    };
    for (const e of [...changes.delete, ...changes.updateOld]) {
      const cur = next.get(endpointKey(e));
      if (!cur || JSON.stringify(cur.targets) !== JSON.stringify(e.targets)) reject(`Tried to delete ${endpointKey(e)} but it was not found`);
      next.delete(endpointKey(e));
    }
    for (const e of [...changes.create, ...changes.updateNew]) {
      if (e.targets.some((t) => this.poison.has(t))) reject(`Invalid record ${e.dnsName}`);
      if (next.has(endpointKey(e))) reject(`Tried to create ${endpointKey(e)} but it already exists`);
      const clash = [...next.values()].some((o) => o.dnsName === e.dnsName && (o.recordType === 'CNAME') !== (e.recordType === 'CNAME'));
      if (clash) reject(`RRSet of type CNAME with DNS name ${e.dnsName} conflicts`);
      const { labels: _l, ...stored } = e;
      next.set(endpointKey(e), structuredClone(stored));
    }
    this.store.set(zone.id, next);
  }

  adjust(desired: readonly Endpoint[]): AdjustResult {
    return { endpoints: [...desired], notes: [] };
  }

  async close(): Promise<void> {}

  private zoneStore(zone: ProviderZone): Map<string, Endpoint> {
    const s = this.store.get(zone.id);
    if (!s) throw new ProviderError('config', `zone ${zone.id} does not exist`);
    return s;
  }
}
