// RFC2136 provider: publishes to any DNS server that takes TSIG-signed dynamic updates
// (BIND, Knot, PowerDNS, Windows DNS). Reads a zone by AXFR, writes one UPDATE per
// batch with prerequisites (see update-message.ts), checks zones by SOA query. Routing
// is folded into plain record sets by `adjust` (see adjust.ts and docs/providers/rfc2136.md).
import dnsPacket from 'dns-packet';
import type { RFC2136Spec } from '../../src/api/dns-provider.js';
import { endpointKey, type Endpoint, type RecordType } from '../../src/dns/endpoint.js';
import { ProviderError, changeCount, isProviderError, type AdjustResult, type ProviderErrorKind, type Provider, type ProviderContext, type ProviderZone, type ZoneChanges } from '../../src/dns/publish/provider.js';
import { foldRoutedEndpoints } from './adjust.js';
import { DNSClient, type Answer } from './client.js';
import { queryRcodeKind, updateRcodeKind } from './errors.js';
import { rfc2136Limits } from './limits.js';
import { WRITABLE_TYPES, decodeTarget, encodeRdata, txtStrings } from './rdata.js';
import { parseServer, type ServerAddress } from './tcp.js';
import { tsigKey, type TSIGKey } from './tsig.js';
import { buildUpdate } from './update-message.js';

export { foldRoutedEndpoints } from './adjust.js';

export interface RFC2136Options {
  /** Per request (a whole zone transfer counts as one). Default 10 s. */
  timeoutMs?: number;
}

function normalizeZone(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

function isWithin(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** RDATA of a record as the server holds it: TXT keeps its string boundaries, the rest re-encodes exactly. */
function rawRdata(type: RecordType, target: string, data: unknown): Buffer {
  if (type === 'TXT') {
    const strings = Array.isArray(data) ? (data as Buffer[]) : txtStrings(target);
    return Buffer.concat(strings.map((s) => Buffer.concat([Buffer.from([s.length]), s])));
  }
  return encodeRdata(type, target);
}

class RFC2136Provider implements Provider {
  readonly type = 'rfc2136' as const;
  readonly limits = rfc2136Limits();
  private readonly server: ServerAddress;
  private readonly timeoutMs: number;
  /** Per zone: RDATA as last read, by record-set key and target, so prerequisites match octet for octet. */
  private readonly readRdata = new Map<string, Map<string, Buffer>>();

  constructor(
    private readonly spec: RFC2136Spec,
    private readonly ctx: ProviderContext,
    opts: RFC2136Options,
  ) {
    try {
      this.server = parseServer(spec.server);
    } catch (err) {
      throw new ProviderError('config', `DNSProvider ${ctx.providerName}: ${(err as Error).message}`, { cause: err });
    }
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** The key is read on every operation, so that a corrected Secret takes effect without a restart. */
  private async key(): Promise<TSIGKey | undefined> {
    const ref = this.spec.tsigSecretRef;
    if (!ref) {
      if (this.spec.tsigKeyName) throw new ProviderError('config', `DNSProvider ${this.ctx.providerName}: tsigKeyName is set but tsigSecretRef is not`);
      return undefined;
    }
    if (!this.spec.tsigKeyName) throw new ProviderError('config', `DNSProvider ${this.ctx.providerName}: tsigSecretRef is set but tsigKeyName is not`);
    const field = ref.key ?? 'secret';
    const data = await this.ctx.readSecret(ref.name).catch((err: unknown) => {
      throw isProviderError(err) ? err : new ProviderError('unavailable', `DNSProvider ${this.ctx.providerName}: read Secret ${ref.name}: ${(err as Error).message}`, { cause: err });
    });
    const secret = data[field];
    if (secret === undefined) throw new ProviderError('config', `DNSProvider ${this.ctx.providerName}: Secret ${ref.name} has no key "${field}"`);
    try {
      return tsigKey(this.spec.tsigKeyName, this.spec.tsigAlgorithm ?? 'hmac-sha256', secret);
    } catch (err) {
      throw new ProviderError('config', `DNSProvider ${this.ctx.providerName}: ${(err as Error).message}`, { cause: err });
    }
  }

  private async client(): Promise<DNSClient> {
    return new DNSClient({ server: this.server, key: await this.key(), timeoutMs: this.timeoutMs });
  }

  async zones(domains: readonly string[], signal: AbortSignal): Promise<ProviderZone[]> {
    const client = await this.client();
    const zones = new Set<string>();
    if (this.spec.zone) {
      const zone = normalizeZone(this.spec.zone);
      if (domains.length > 0 && !domains.some((d) => isWithin(normalizeZone(d), zone))) return [];
      const apex = await this.enclosingZone(client, zone, signal);
      if (apex !== zone) throw new ProviderError('config', `zone ${zone} is not a zone at ${client.server}: its names belong to zone ${apex}`);
      zones.add(zone);
    } else {
      for (const d of domains) zones.add(await this.enclosingZone(client, normalizeZone(d), signal));
    }
    return [...zones].sort().map((z) => ({ id: z, name: z }));
  }

  /**
   * The apex of the zone the server holds `name` in, from the SOA of its answer (the
   * name is an apex) or of its authority section (a name inside a zone), as nsupdate
   * finds it. A server that does not hold it authoritatively is a configuration error.
   */
  private async enclosingZone(client: DNSClient, name: string, signal: AbortSignal): Promise<string> {
    const query = dnsPacket.encode({ type: 'query', id: 0, flags: 0, questions: [{ type: 'SOA', name, class: 'IN' }] });
    // A signature problem was already reported as `auth`; a signed REFUSED or NOTAUTH
    // here is a server that answers for other zones only (BIND without recursion).
    const kind = (rcode: number): ProviderErrorKind | undefined => (rcode === 3 ? undefined : rcode === 5 || rcode === 9 ? 'config' : queryRcodeKind(rcode));
    const answer = await client.request(`SOA query for ${name} (is its zone served there?)`, query, signal, kind);
    const soa = [...(answer.answers ?? []), ...(answer.authorities ?? [])].find((a) => a.type === 'SOA' && isWithin(name, normalizeZone(a.name)));
    if (!soa || !answer.flag_aa) throw new ProviderError('config', `no zone holding ${name} is served by ${client.server} (no authoritative SOA)`);
    return normalizeZone(soa.name);
  }

  async records(zone: ProviderZone, signal: AbortSignal): Promise<Endpoint[]> {
    const client = await this.client();
    const answers = await client.transfer(zone.name, signal);
    const sets = new Map<string, Endpoint>();
    const raw = new Map<string, Buffer>();
    let unmapped = 0;
    for (const a of answers) {
      const name = normalizeZone(a.name);
      if (a.type === 'SOA' || (a.type === 'NS' && name === zone.name)) continue;
      const type = a.type as RecordType;
      const target = WRITABLE_TYPES.includes(type) ? decodeTarget(type, (a as { data?: unknown }).data) : undefined;
      if (target === undefined) {
        unmapped++;
        continue;
      }
      const key = endpointKey({ dnsName: name, recordType: type });
      const ttl = (a as Answer & { ttl?: number }).ttl ?? 0;
      const set = sets.get(key);
      if (!set) sets.set(key, { dnsName: name, recordType: type, recordTTL: ttl, targets: [target] });
      else {
        if (!set.targets.includes(target)) set.targets.push(target);
        set.recordTTL = Math.min(set.recordTTL ?? ttl, ttl);
      }
      raw.set(`${key}\u0000${target}`, rawRdata(type, target, (a as { data?: unknown }).data));
    }
    if (unmapped > 0) this.ctx.logger.debug({ zone: zone.name, unmapped }, 'zone holds records of types kfed does not map (DNSSEC, SOA below the apex, ...)');
    this.readRdata.set(zone.name, raw);
    return [...sets.values()].map((e) => ({ ...e, targets: [...e.targets].sort() }));
  }

  async apply(zone: ProviderZone, changes: ZoneChanges, signal: AbortSignal): Promise<void> {
    if (changeCount(changes) === 0) return;
    const raw = this.readRdata.get(zone.name);
    const read = (e: Endpoint): Buffer[] | undefined => {
      if (!raw) return undefined;
      const key = endpointKey(e);
      const found = e.targets.map((t) => raw.get(`${key}\u0000${t}`));
      return found.every((b): b is Buffer => b !== undefined) && found.length > 0 ? found : undefined;
    };
    const message = buildUpdate(zone.name, changes, read);
    const client = await this.client();
    await client.request(`update of zone ${zone.name} (${changeCount(changes)} record sets)`, message, signal, updateRcodeKind, 'update');
    if (raw) this.forget(raw, [...changes.delete, ...changes.updateOld]);
    this.ctx.logger.debug({ zone: zone.name, create: changes.create.length, update: changes.updateNew.length, delete: changes.delete.length, bytes: message.length }, 'zone updated');
  }

  private forget(raw: Map<string, Buffer>, gone: readonly Endpoint[]): void {
    for (const e of gone) for (const t of e.targets) raw.delete(`${endpointKey(e)}\u0000${t}`);
  }

  adjust(desired: readonly Endpoint[]): AdjustResult {
    return foldRoutedEndpoints(desired);
  }

  close(): Promise<void> {
    // Nothing is held between operations: each opens and closes its own connection.
    this.readRdata.clear();
    return Promise.resolve();
  }
}

/** The RFC2136 provider for one DNSProvider. Throws ProviderError('config') for an unusable server address. */
export function createRFC2136Provider(spec: RFC2136Spec, ctx: ProviderContext, opts: RFC2136Options = {}): Provider {
  return new RFC2136Provider(spec, ctx, opts);
}
