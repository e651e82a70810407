// Endpoints as kfed renders them (src/dns/records/render-endpoints.ts), for the Route53 tests.
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { encodeRouting, ROUTING, type RoutingInput } from '../../../../src/dns/routing.js';
import type { ZoneChanges } from '../../../../src/dns/publish/provider.js';

export function plain(dnsName: string, recordType: Endpoint['recordType'], targets: string[], ttl = 180): Endpoint {
  return { dnsName, recordType, recordTTL: ttl, targets };
}

export function routed(dnsName: string, recordType: Endpoint['recordType'], targets: string[], r: RoutingInput, extra: { name: string; value: string }[] = []): Endpoint {
  const props = encodeRouting(r);
  if (!props) throw new Error('fixture: routing encodes to nothing');
  return { dnsName, recordType, recordTTL: 60, targets, setIdentifier: r.cluster, providerSpecific: [...props, ...extra].sort((a, b) => (a.name < b.name ? -1 : 1)) };
}

export function health(protocol: string, port: number, path?: string): { name: string; value: string }[] {
  const p: { name: string; value: string }[] = [{ name: ROUTING.healthCheckProtocol, value: protocol }, { name: ROUTING.healthCheckPort, value: String(port) }];
  if (path) p.push({ name: ROUTING.healthCheckPath, value: path });
  return p;
}

export function creates(...create: Endpoint[]): ZoneChanges {
  return { create, updateOld: [], updateNew: [], delete: [] };
}

export const SIGNAL = new AbortController().signal;
