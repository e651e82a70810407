// Orchestration: the Provider the publishing pipeline drives. It keeps, per zone, what
// it last read or wrote of each record set (the exact JSON, because a deletion must
// repeat it), turns the plan's endpoint changes into one exact change, and recovers a
// stale deletion by re-reading the record sets concerned and retrying once.
import { compareEndpoints, describeEndpoint, type Endpoint } from '../../src/dns/endpoint.js';
import { ProviderError, type AdjustResult, type Provider, type ProviderContext, type ProviderLimits, type ProviderZone, type ZoneChanges } from '../../src/dns/publish/provider.js';
import type { CloudDNSSpec } from '../../src/api/dns-provider.js';
import { changeBody, groupChanges, guessState, keyChange, rebase, rrsetKey, StaleRecordError, endpointsNamedIn, type KeyChange, type KeyChanges, type KeyState } from './change-set.js';
import { CloudDNSClient, type CallCounts } from './client.js';
import { companionName, companionOwner, isCompanion } from './companion.js';
import { authOptions } from './credentials.js';
import { toProviderError, type CallKind } from './errors.js';
import { HEALTH_CHECK_PROPERTY, unfold } from './fold.js';
import { decodeRouting } from '../../src/dns/routing.js';
import { BURST, changeQuota, changeSize, DEFAULT_QUOTA, REQUESTS_PER_SECOND, withinQuota, type ChangeQuota, type ChangeSize } from './limits.js';
import { fqdn, isEndpointType } from './rdata.js';
import { routingNotes } from './notes.js';
import type { ResourceRecordSet } from './types.js';
import { selectZones } from './zones.js';

export interface CloudDNSProviderOptions {
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Attempts per call when throttled (default 3). */
  throttleAttempts?: number;
  /** First backoff when Cloud DNS gives no Retry-After (default 250 ms, doubling). */
  backoffMs?: number;
  /** Page size of rrsets.list (default: Cloud DNS's). */
  pageSize?: number;
}

/** Above this many record sets, a stale change re-reads the whole zone instead of each set. */
const REREAD_WHOLE_ZONE = 25;

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    const onAbort = (): void => (clearTimeout(t), reject(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class CloudDNSProvider implements Provider {
  readonly type = 'clouddns' as const;
  readonly limits: ProviderLimits;
  private readonly zoneStates = new Map<string, Map<string, KeyState>>();
  private quota: ChangeQuota = DEFAULT_QUOTA;
  private quotaRead = false;
  private clientPromise: Promise<CloudDNSClient> | undefined;
  private client_: CloudDNSClient | undefined;
  /** Zones whose record sets were all read: a record set missing there is known to be absent. */
  private readonly readZones = new Set<string>();
  /** Bumped whenever the known state changes, so that remembered sizes expire. */
  private stateVersion = 0;
  private readonly sizeMemo = new Map<string, ChangeSize | undefined>();
  private readonly endpointIds = new WeakMap<Endpoint, number>();
  private nextEndpointId = 1;
  private readonly opts: { timeoutMs: number; throttleAttempts: number; backoffMs: number; pageSize: number | undefined };

  constructor(private readonly spec: CloudDNSSpec, private readonly ctx: ProviderContext, options: CloudDNSProviderOptions = {}) {
    if (!spec.project) throw new ProviderError('config', 'cloudDNS.project is required');
    this.opts = { timeoutMs: options.timeoutMs ?? 30_000, throttleAttempts: options.throttleAttempts ?? 3, backoffMs: options.backoffMs ?? 250, pageSize: options.pageSize };
    this.limits = { fits: (c) => this.fits(c), requestsPerSecond: REQUESTS_PER_SECOND, burst: BURST };
  }

  /** Calls made so far (zero before the first call). */
  get calls(): CallCounts {
    return this.client_?.calls ?? { managedZonesList: 0, rrsetsList: 0, changesCreate: 0, projectsGet: 0 };
  }

  /** The change quota in force (the default until projects.get was read). */
  get changeQuota(): ChangeQuota {
    return this.quota;
  }

  private client(): Promise<CloudDNSClient> {
    this.clientPromise ??= (async () => {
      const ref = this.spec.credentialsSecretRef;
      let json: string | undefined;
      if (ref) {
        const key = ref.key ?? 'credentials.json';
        const data = await this.ctx.readSecret(ref.name);
        json = data[key];
        if (json === undefined) throw new ProviderError('config', `secret ${ref.name} has no key ${key}`);
      }
      this.client_ = new CloudDNSClient({ project: this.spec.project, endpoint: this.spec.endpoint, auth: authOptions(json), timeoutMs: this.opts.timeoutMs });
      return this.client_;
    })().catch((err: unknown) => {
      this.clientPromise = undefined; // a fixed Secret is picked up on the next call
      throw err;
    });
    return this.clientPromise;
  }

  /** One call, retried while throttled (honouring Retry-After), errors mapped once. */
  private async call<T>(what: string, kind: CallKind, signal: AbortSignal, f: (c: CloudDNSClient) => Promise<T>): Promise<T> {
    const c = await this.client();
    for (let attempt = 1; ; attempt++) {
      try {
        return await abortable(f(c), signal);
      } catch (err) {
        if (signal.aborted) throw err;
        const pe = toProviderError(err, what, kind);
        if (pe.kind !== 'throttled' || attempt >= this.opts.throttleAttempts) throw pe;
        const wait = pe.retryAfterMs ?? this.opts.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
        this.ctx.logger.debug({ what, attempt, waitMs: wait }, 'cloud DNS throttled the call; retrying');
        await sleep(Math.min(wait, 30_000), signal);
      }
    }
  }

  private async readQuota(signal: AbortSignal): Promise<void> {
    if (this.quotaRead) return;
    const project = await this.call(`get project ${this.spec.project}`, 'read', signal, (c) => c.getProject());
    this.quota = changeQuota(project.quota);
    this.quotaRead = true;
  }

  async zones(domains: readonly string[], signal: AbortSignal): Promise<ProviderZone[]> {
    await this.readQuota(signal);
    const all = [];
    let token: string | undefined;
    do {
      const page = await this.call('list managed zones', 'read', signal, (c) => c.listZones(token));
      all.push(...page.items);
      token = page.nextPageToken;
    } while (token);
    return selectZones(all, domains, this.spec.zoneVisibility ?? 'public');
  }

  private async listAll(zone: ProviderZone, signal: AbortSignal, query: { name?: string; type?: string } = {}): Promise<ResourceRecordSet[]> {
    const out: ResourceRecordSet[] = [];
    let token: string | undefined;
    do {
      const q: { pageToken?: string; maxResults?: number; name?: string; type?: string } = { ...query };
      if (token) q.pageToken = token;
      if (this.opts.pageSize) q.maxResults = this.opts.pageSize;
      const page = await this.call(`list record sets of zone ${zone.id}`, 'read', signal, (c) => c.listRrsets(zone.id, q));
      out.push(...page.items);
      token = page.nextPageToken;
    } while (token);
    return out;
  }

  /** Record sets read, as key states: companions are consumed, not returned. */
  private statesOf(rrsets: readonly ResourceRecordSet[]): Map<string, KeyState> {
    const companions = new Map<string, ResourceRecordSet>();
    const rest: ResourceRecordSet[] = [];
    for (const r of rrsets) {
      const owner = isCompanion(r) ? companionOwner(r.name) : undefined;
      if (owner && isEndpointType(owner.type)) companions.set(rrsetKey(owner.dnsName, owner.type), r);
      else rest.push(r);
    }
    const states = new Map<string, KeyState>();
    for (const r of rest) {
      if (!isEndpointType(r.type)) continue; // SOA and types kfed's endpoints cannot carry
      const key = rrsetKey(r.name, r.type);
      const companion = companions.get(key);
      const { endpoints, foreign } = unfold(r, r.type, companion);
      const s: KeyState = { rrset: r, endpoints, known: true };
      if (companion) s.companion = companion;
      if (foreign) s.foreign = true;
      states.set(key, s);
    }
    // A companion left without its record set is kept so that the next change there removes it.
    for (const [key, companion] of companions) if (!states.has(key)) states.set(key, { companion, endpoints: [], known: true });
    return states;
  }

  async records(zone: ProviderZone, signal: AbortSignal): Promise<Endpoint[]> {
    const states = this.statesOf(await this.listAll(zone, signal));
    this.zoneStates.set(zone.id, states);
    this.readZones.add(zone.id);
    this.stateVersion++;
    return [...states.values()].flatMap((s) => s.endpoints).sort(compareEndpoints);
  }

  private stateOf(zoneId: string | undefined, key: string, kc: KeyChanges): KeyState {
    const states = zoneId !== undefined ? this.zoneStates.get(zoneId) : undefined;
    if (states) {
      const hit = states.get(key);
      if (hit) return hit;
      return zoneId !== undefined && this.readZones.has(zoneId) ? { endpoints: [], known: true } : guessState(kc);
    }
    for (const s of this.zoneStates.values()) {
      const hit = s.get(key);
      if (hit) return hit;
    }
    return guessState(kc);
  }

  private build(zoneId: string | undefined, grouped: Map<string, KeyChanges>): KeyChange[] {
    const parts: KeyChange[] = [];
    for (const [key, kc] of grouped) {
      const state = this.stateOf(zoneId, key, kc);
      if (state.foreign) {
        // Re-reading cannot help until someone fixes or deletes the record set: reject it,
        // so that the pipeline isolates these records, reports them and publishes the rest.
        const [name = '', type = ''] = key.split('\u0000');
        const named = [...kc.create, ...kc.updateNew, ...kc.delete];
        throw new ProviderError('rejected', `${name} ${type}: the routed record set was not written by kfed or was edited by hand (its companion no longer matches); kfed does not change it`, { rejected: named });
      }
      let endpoints: Endpoint[];
      try {
        endpoints = rebase(state, kc);
      } catch (err) {
        if (err instanceof StaleRecordError) throw new ProviderError('conflict', err.message, { cause: err });
        throw err;
      }
      try {
        parts.push(keyChange(key, state, endpoints));
      } catch (err) {
        const named = [...kc.create, ...kc.updateNew];
        throw new ProviderError('rejected', `${named.map(describeEndpoint).join(', ')}: ${(err as Error).message}`, { cause: err, rejected: named });
      }
    }
    return parts;
  }

  /**
   * The pipeline packs greedily, asking about a growing batch once per endpoint, so the
   * size of each record set's part is remembered by its endpoints (object identity) and
   * the adapter's state version: a batch costs one fold per record set, not one per call.
   */
  private partSize(key: string, kc: KeyChanges): ChangeSize | undefined {
    const ids = [kc.create, kc.updateOld, kc.updateNew, kc.delete].map((l) => l.map((e) => this.endpointId(e)).join(',')).join('|');
    const memoKey = `${this.stateVersion}\u0001${key}\u0001${ids}`;
    const hit = this.sizeMemo.get(memoKey);
    if (hit !== undefined || this.sizeMemo.has(memoKey)) return hit;
    let size: ChangeSize | undefined;
    try {
      const part = this.build(undefined, new Map([[key, kc]]))[0];
      size = part ? changeSize(part.additions, part.deletions) : undefined;
    } catch {
      size = undefined; // apply reports the problem with the records named
    }
    if (this.sizeMemo.size > 50_000) this.sizeMemo.clear();
    this.sizeMemo.set(memoKey, size);
    return size;
  }

  private endpointId(e: Endpoint): number {
    let id = this.endpointIds.get(e);
    if (id === undefined) this.endpointIds.set(e, (id = this.nextEndpointId++));
    return id;
  }

  private fits(changes: ZoneChanges): boolean {
    const grouped = groupChanges(changes);
    if (grouped.size <= 1) return true; // one record set cannot be split further: let Cloud DNS judge it
    const total: ChangeSize = { additions: 0, deletions: 0, rrdataBytes: 0 };
    for (const [key, kc] of grouped) {
      const size = this.partSize(key, kc);
      if (!size) continue;
      total.additions += size.additions;
      total.deletions += size.deletions;
      total.rrdataBytes += size.rrdataBytes;
    }
    return withinQuota(total, this.quota);
  }

  /** Re-reads the record sets (and companions) a change touches. */
  private async reread(zone: ProviderZone, keys: readonly string[], signal: AbortSignal): Promise<void> {
    if (keys.length > REREAD_WHOLE_ZONE || !this.readZones.has(zone.id)) {
      await this.records(zone, signal);
      return;
    }
    const states = this.zoneStates.get(zone.id) as Map<string, KeyState>;
    this.stateVersion++;
    for (const key of keys) {
      const [name = '', type = ''] = key.split('\u0000');
      const found = [
        ...(await this.listAll(zone, signal, { name: fqdn(name), type })),
        ...(isEndpointType(type) ? await this.listAll(zone, signal, { name: companionName(name, type), type: 'TXT' }) : []),
      ].filter((r) => r.type === type || (r.type === 'TXT' && r.name === (isEndpointType(type) ? companionName(name, type) : '')));
      const fresh = this.statesOf(found).get(key);
      if (fresh) states.set(key, fresh);
      else states.set(key, { endpoints: [], known: true });
    }
  }

  /**
   * Record-set parts packed into changes within the quota. limits.fits estimates before
   * earlier batches ran; a record set an earlier batch created (a routed name split over
   * two batches) costs a deletion more than estimated, so an oversized change is sent as
   * several, each record set still changed atomically. One record set over the quota on
   * its own is sent as it is, for Cloud DNS to reject and the pipeline to report.
   */
  private chunk(parts: readonly KeyChange[]): KeyChange[][] {
    const out: KeyChange[][] = [];
    let cur: KeyChange[] = [];
    for (const p of parts) {
      if (p.additions.length + p.deletions.length === 0) continue;
      const next = [...cur, p];
      const body = changeBody(next);
      if (cur.length > 0 && !withinQuota(changeSize(body.additions, body.deletions), this.quota)) {
        out.push(cur);
        cur = [p];
      } else cur = next;
    }
    if (cur.length > 0) out.push(cur);
    return out;
  }

  async apply(zone: ProviderZone, changes: ZoneChanges, signal: AbortSignal): Promise<void> {
    const pending = groupChanges(changes);
    for (let attempt = 1; ; attempt++) {
      const built = this.build(zone.id, pending);
      // Nothing to change (the record sets already hold it): no call at all, not even for the quota.
      if (built.every((p) => p.additions.length + p.deletions.length === 0)) return;
      if (!this.quotaRead) await this.readQuota(signal);
      const chunks = this.chunk(built);
      let parts: KeyChange[] = [];
      try {
        for (parts of chunks) {
          const body = changeBody(parts);
          const done = await this.call(`change zone ${zone.id}`, 'change', signal, (c) => c.createChange(zone.id, body));
          this.remember(zone.id, parts, done.additions ?? []);
          for (const p of parts) pending.delete(p.key);
          this.ctx.logger.debug({ zone: zone.id, ...changeSize(body.additions, body.deletions) }, 'cloud DNS change applied');
        }
        return;
      } catch (err) {
        const pe = toProviderError(err, `change zone ${zone.id}`, 'change');
        if (pe.kind === 'rejected') {
          const kcs = parts.map((p) => pending.get(p.key) ?? { create: [], updateOld: [], updateNew: [], delete: [] });
          let named = endpointsNamedIn(pe.message, parts, kcs);
          // A change of one record set names itself.
          if (named.length === 0 && kcs.length === 1 && kcs[0]) named = [...kcs[0].create, ...kcs[0].updateNew, ...kcs[0].delete];
          throw new ProviderError('rejected', pe.message, { cause: pe, rejected: named });
        }
        if (pe.kind !== 'conflict' || attempt >= 2) throw pe;
        this.ctx.logger.info({ zone: zone.id, recordSets: pending.size }, 'cloud DNS change was stale; re-reading its record sets');
        await this.reread(zone, [...pending.keys()], signal);
      }
    }
  }

  /** The record sets as written (Cloud DNS's own echo when it gave one) become the known state. */
  private remember(zoneId: string, parts: readonly KeyChange[], echoed: readonly ResourceRecordSet[]): void {
    this.stateVersion++;
    let states = this.zoneStates.get(zoneId);
    if (!states) this.zoneStates.set(zoneId, (states = new Map()));
    const echo = new Map(echoed.map((r) => [rrsetKey(r.name, r.type), r] as const));
    for (const p of parts) {
      if (!p.next) {
        states.delete(p.key);
        continue;
      }
      const s: KeyState = { rrset: echo.get(rrsetKey(p.next.rrset.name, p.next.rrset.type)) ?? p.next.rrset, endpoints: p.endpoints, known: true };
      if (p.next.companion) s.companion = echo.get(rrsetKey(p.next.companion.name, 'TXT')) ?? p.next.companion;
      states.set(p.key, s);
    }
  }

  adjust(desired: readonly Endpoint[]): AdjustResult {
    // Every policy is stored (see fold.ts); the notes say how. Failover sets carry the
    // health check their external endpoints are checked with, when one is configured.
    const hc = this.spec.healthCheck;
    const endpoints = hc
      ? desired.map((e) => (decodeRouting(e)?.policy === 'failover' ? { ...e, providerSpecific: [...(e.providerSpecific ?? []).filter((p) => p.name !== HEALTH_CHECK_PROPERTY), { name: HEALTH_CHECK_PROPERTY, value: hc }].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) } : e))
      : [...desired];
    return { endpoints, notes: routingNotes(endpoints) };
  }

  async close(): Promise<void> {
    this.zoneStates.clear();
    this.sizeMemo.clear();
    this.readZones.clear();
  }
}
