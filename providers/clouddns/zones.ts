// Which managed zones a DNSProvider writes: those of the wanted visibility that can hold
// records (peering, forwarding, reverse-lookup and Service Directory zones answer from
// elsewhere), and per domain the most specific public zone plus, for private
// visibility, every private zone of the most specific name (one name may have several
// private zones bound to different networks).
import type { ProviderZone } from '../../src/dns/publish/provider.js';
import { normalizeDNSName } from '../../src/dns/naming.js';
import { relativeName } from './rdata.js';
import type { ManagedZone } from './types.js';

export type ZoneVisibility = 'public' | 'private' | 'any';

export function writable(z: ManagedZone): boolean {
  return !z.peeringConfig && !z.forwardingConfig && !z.reverseLookupConfig && !z.serviceDirectoryConfig;
}

function visibilityOf(z: ManagedZone): 'public' | 'private' {
  return z.visibility === 'private' ? 'private' : 'public';
}

function covers(zoneName: string, domain: string): boolean {
  return domain === zoneName || domain.endsWith(`.${zoneName}`);
}

function toProviderZone(z: ManagedZone): ProviderZone {
  return { id: z.name, name: relativeName(z.dnsName), visibility: visibilityOf(z) };
}

/** The zones to write for these domains (all writable zones of the visibility when no domain is given). */
export function selectZones(all: readonly ManagedZone[], domains: readonly string[], visibility: ZoneVisibility): ProviderZone[] {
  const usable = all.filter((z) => writable(z) && (visibility === 'any' || visibilityOf(z) === visibility));
  if (domains.length === 0) return usable.map(toProviderZone);
  const chosen = new Map<string, ManagedZone>();
  for (const raw of domains) {
    const domain = normalizeDNSName(raw);
    for (const vis of ['public', 'private'] as const) {
      const candidates = usable.filter((z) => visibilityOf(z) === vis && covers(relativeName(z.dnsName), domain));
      const longest = Math.max(-1, ...candidates.map((z) => relativeName(z.dnsName).length));
      const best = candidates.filter((z) => relativeName(z.dnsName).length === longest).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      // Two public zones of one name cannot both be delegated: take the first by name.
      for (const z of vis === 'public' ? best.slice(0, 1) : best) chosen.set(z.name, z);
    }
  }
  return [...chosen.values()].map(toProviderZone);
}
