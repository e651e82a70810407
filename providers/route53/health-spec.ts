// What a Route53 health check of one record set checks, read from and written back to
// the `kfed.io/health-check-*` properties. Defaults are left out of the properties in
// both directions (adjust strips them, records() never emits them), so an endpoint
// that names the default and one that names nothing compare equal.
import type { Endpoint, ProviderSpecificProperty } from '../../src/dns/endpoint.js';
import { propertyOf } from '../../src/dns/endpoint.js';
import { ROUTING } from '../../src/dns/routing.js';

export type HealthProtocol = 'HTTP' | 'HTTPS' | 'TCP';

export interface HealthSpec {
  protocol: HealthProtocol;
  port: number;
  /** HTTP(S) only; starts with `/`. */
  path?: string;
}

export const DEFAULT_PROTOCOL: HealthProtocol = 'TCP';
export const HEALTH_KEYS: readonly string[] = [ROUTING.healthCheckProtocol, ROUTING.healthCheckPort, ROUTING.healthCheckPath];

function defaultPort(protocol: HealthProtocol): number {
  return protocol === 'HTTPS' ? 443 : 80;
}

/** The health check an endpoint asks for; unusable values fall back to the defaults through `warn`. */
export function healthSpecOf(e: Pick<Endpoint, 'providerSpecific'>, warn: (message: string) => void = () => {}): HealthSpec {
  const rawProto = propertyOf(e, ROUTING.healthCheckProtocol)?.trim().toUpperCase();
  let protocol = DEFAULT_PROTOCOL;
  if (rawProto === 'HTTP' || rawProto === 'HTTPS' || rawProto === 'TCP') protocol = rawProto;
  else if (rawProto !== undefined) warn(`health-check protocol "${rawProto}" is not HTTP, HTTPS or TCP; using ${DEFAULT_PROTOCOL}`);
  const rawPort = propertyOf(e, ROUTING.healthCheckPort)?.trim();
  let port = defaultPort(protocol);
  if (rawPort !== undefined) {
    const n = Number(rawPort);
    if (rawPort !== '' && Number.isInteger(n) && n >= 1 && n <= 65535) port = n;
    else warn(`health-check port "${rawPort}" is not 1..65535; using ${port}`);
  }
  const spec: HealthSpec = { protocol, port };
  if (protocol !== 'TCP') {
    const raw = propertyOf(e, ROUTING.healthCheckPath)?.trim();
    spec.path = raw ? (raw.startsWith('/') ? raw : `/${raw}`) : '/';
  }
  return spec;
}

/** The properties that describe `spec`, defaults left out. */
export function healthProps(spec: HealthSpec): ProviderSpecificProperty[] {
  const props: ProviderSpecificProperty[] = [];
  if (spec.protocol !== DEFAULT_PROTOCOL) props.push({ name: ROUTING.healthCheckProtocol, value: spec.protocol });
  if (spec.port !== defaultPort(spec.protocol)) props.push({ name: ROUTING.healthCheckPort, value: String(spec.port) });
  if (spec.path !== undefined && spec.path !== '/') props.push({ name: ROUTING.healthCheckPath, value: spec.path });
  return props;
}

export function sameHealthSpec(a: HealthSpec, b: HealthSpec): boolean {
  return a.protocol === b.protocol && a.port === b.port && (a.path ?? '') === (b.path ?? '');
}
