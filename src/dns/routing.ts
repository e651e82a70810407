// kfed's provider-neutral routing, carried in an endpoint's `providerSpecific` as the
// `kfed.io/*` properties of ROUTING. This is the one place they are written and read:
// the renderer encodes them, and the embedded DNS server and every provider adapter
// decode them into a RoutingInfo and map that to their native form (a Route53 record
// set with Region/GeoLocation/Weight/Failover, a Cloud DNS routing item, a plain set).
//
// A routed endpoint has a set identifier (the cluster name) and a known policy; anything
// else is a plain record set. external-dns's own Route53 properties (`aws/weight`,
// `aws/failover`, `aws/geolocation-*`, `aws/region` next to a set identifier) decode into
// the same model, so kfed serves and publishes external-dns's records the way Route53
// would answer them; `kfed.io/*` properties win where both are present. Decoding never throws: values it cannot use are reported
// through `warn` and replaced by the documented default (weight 1, failover secondary,
// unknown geo codes dropped), so one bad property cannot stop a zone from being served.
import { ROUTING, type Endpoint, type ProviderSpecificProperty, type RoutingPolicy } from '../api/multiclusterdns.js';
import { isContinent, type Continent } from './continents.js';
import { propertyOf } from './endpoint.js';
import { compareText } from './naming.js';

export { ROUTING } from '../api/multiclusterdns.js';

export type RoutedPolicy = Exclude<RoutingPolicy, 'simple'>;

export const ROUTED_POLICIES: readonly RoutedPolicy[] = ['latency', 'geo', 'weighted', 'failover'];

export type FailoverRole = 'primary' | 'secondary';

/** Where a geo-routed set answers: continents, ISO 3166-1 countries, and/or the default (`*`). */
export interface GeoCodes {
  continents: Continent[];
  countries: string[];
  /** `*`: clients no other set of the name matches. */
  isDefault: boolean;
}

/** The routing of one routed endpoint (one cluster's record set under a shared name). */
export interface RoutingInfo {
  policy: RoutedPolicy;
  /** The member cluster behind the set (also its set identifier). */
  cluster: string;
  /** The cluster's cloud region, e.g. eu-west-1. */
  region?: string;
  /** The cluster's zones, sorted. */
  zones: string[];
  /** 0..255; 1 when unset. Meaningful for `weighted`. */
  weight: number;
  /** Meaningful for `failover`; `secondary` when unset. */
  failover: FailoverRole;
  /** Meaningful for `geo`. */
  geo: GeoCodes;
}

/** external-dns's AWS provider-specific properties (external-dns provider/aws). */
export const AWS_ROUTING = {
  weight: 'aws/weight',
  failover: 'aws/failover',
  continent: 'aws/geolocation-continent-code',
  country: 'aws/geolocation-country-code',
  subdivision: 'aws/geolocation-subdivision-code',
  region: 'aws/region',
} as const;

export function isRoutedPolicy(value: string | undefined): value is RoutedPolicy {
  return value !== undefined && (ROUTED_POLICIES as readonly string[]).includes(value);
}

export interface RoutingInput {
  policy: RoutedPolicy;
  cluster: string;
  region?: string | undefined;
  zones?: readonly string[] | undefined;
  weight?: number | undefined;
  failover?: FailoverRole | undefined;
  /** Geo codes as written in a RoutingSpec: `continent:EU`, `country:DE`, `*`. */
  geo?: readonly string[] | undefined;
}

/**
 * The `kfed.io/*` properties of a routed endpoint, sorted by name. Only the properties
 * the policy uses are written (plus cluster, region and zones, which every policy
 * carries for providers that map regions). Returns undefined for a geo set with no
 * codes: such a cluster has no place in a geo-routed name.
 */
export function encodeRouting(r: RoutingInput): ProviderSpecificProperty[] | undefined {
  const props: ProviderSpecificProperty[] = [
    { name: ROUTING.policy, value: r.policy },
    { name: ROUTING.cluster, value: r.cluster },
  ];
  const region = r.region?.trim();
  if (region) props.push({ name: ROUTING.region, value: region });
  const zones = uniqueSorted(r.zones ?? []);
  if (zones.length > 0) props.push({ name: ROUTING.zone, value: zones.join(',') });
  if (r.policy === 'weighted') props.push({ name: ROUTING.weight, value: String(r.weight ?? 1) });
  if (r.policy === 'failover') props.push({ name: ROUTING.failover, value: r.failover ?? 'secondary' });
  if (r.policy === 'geo') {
    const codes = uniqueSorted(r.geo ?? []);
    if (codes.length === 0) return undefined;
    props.push({ name: ROUTING.geo, value: codes.join(',') });
  }
  return props.sort((a, b) => compareText(a.name, b.name));
}

/** Geo codes from their comma-separated form; codes that are not understood go to `warn`. */
export function parseGeoCodes(raw: string | undefined, warn: (message: string) => void = () => {}): GeoCodes {
  const geo: GeoCodes = { continents: [], countries: [], isDefault: false };
  for (const code of (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const colon = code.indexOf(':');
    const kind = colon < 0 ? code : code.slice(0, colon);
    const value = colon < 0 ? '' : code.slice(colon + 1).toUpperCase();
    if (kind === '*' && colon < 0) geo.isDefault = true;
    else if (kind === 'continent' && isContinent(value)) geo.continents.push(value);
    else if (kind === 'country' && /^[A-Z]{2}$/.test(value)) geo.countries.push(value);
    else warn(`geo code "${code}" not understood (want continent:XX, country:XX or *)`);
  }
  return geo;
}

/** Geo codes back in their written form, sorted. */
export function formatGeoCodes(geo: GeoCodes): string[] {
  const codes = [...geo.continents.map((c) => `continent:${c}`), ...geo.countries.map((c) => `country:${c}`)];
  if (geo.isDefault) codes.push('*');
  return codes.sort(compareText);
}

/**
 * The routed policy of an endpoint, or undefined for a plain record set: `kfed.io/routing-policy`
 * when set (an unknown value is plain), else, with a set identifier, the policy external-dns's
 * `aws/*` properties select as Route53 would (weight, then region, failover, geolocation).
 */
export function routedPolicyOf(e: Pick<Endpoint, 'setIdentifier' | 'providerSpecific'>): RoutedPolicy | undefined {
  if (!e.setIdentifier) return undefined;
  const own = propertyOf(e, ROUTING.policy);
  if (own !== undefined) return isRoutedPolicy(own) ? own : undefined;
  if (propertyOf(e, AWS_ROUTING.weight) !== undefined) return 'weighted';
  if (propertyOf(e, AWS_ROUTING.region) !== undefined) return 'latency';
  if (propertyOf(e, AWS_ROUTING.failover) !== undefined) return 'failover';
  if ([AWS_ROUTING.continent, AWS_ROUTING.country, AWS_ROUTING.subdivision].some((n) => propertyOf(e, n) !== undefined)) return 'geo';
  return undefined;
}

/**
 * The routing of an endpoint, or undefined when it is a plain record set (no set
 * identifier, or no known routed policy). `warn` receives problems with the values.
 */
export function decodeRouting(e: Pick<Endpoint, 'setIdentifier' | 'providerSpecific'>, warn: (message: string) => void = () => {}): RoutingInfo | undefined {
  const policy = routedPolicyOf(e);
  if (!e.setIdentifier || !policy) return undefined;
  const aws = propertyOf(e, ROUTING.policy) === undefined;
  const wRaw = propertyOf(e, ROUTING.weight) ?? (aws ? propertyOf(e, AWS_ROUTING.weight) : undefined);
  let weight = 1;
  if (wRaw !== undefined) {
    const w = Number(wRaw);
    if (wRaw.trim() !== '' && Number.isInteger(w) && w >= 0 && w <= 255) weight = w;
    else warn(`weight "${wRaw}" is not an integer 0..255; using 1`);
  }
  const fRaw = propertyOf(e, ROUTING.failover) ?? (aws ? propertyOf(e, AWS_ROUTING.failover)?.toLowerCase() : undefined);
  if (fRaw !== undefined && fRaw !== 'primary' && fRaw !== 'secondary') warn(`failover "${fRaw}" is neither primary nor secondary; using secondary`);
  const region = (propertyOf(e, ROUTING.region) ?? (aws ? propertyOf(e, AWS_ROUTING.region) : undefined))?.trim();
  const info: RoutingInfo = {
    policy,
    cluster: propertyOf(e, ROUTING.cluster) ?? e.setIdentifier,
    zones: uniqueSorted((propertyOf(e, ROUTING.zone) ?? '').split(',')),
    weight,
    failover: fRaw === 'primary' ? 'primary' : 'secondary',
    geo: aws && policy === 'geo' ? awsGeoCodes(e, warn) : parseGeoCodes(propertyOf(e, ROUTING.geo), warn),
  };
  if (region) info.region = region;
  return info;
}

/**
 * Route53 geolocation of an external-dns endpoint: a continent, a country (`*` is the
 * default location), or a subdivision, which kfed matches as its whole country.
 */
function awsGeoCodes(e: Pick<Endpoint, 'providerSpecific'>, warn: (message: string) => void): GeoCodes {
  const continent = propertyOf(e, AWS_ROUTING.continent)?.trim().toUpperCase();
  const country = propertyOf(e, AWS_ROUTING.country)?.trim().toUpperCase();
  const subdivision = propertyOf(e, AWS_ROUTING.subdivision)?.trim().toUpperCase();
  const codes: string[] = [];
  if (continent) codes.push(`continent:${continent}`);
  if (country === '*') codes.push('*');
  else if (country) codes.push(`country:${country}`);
  if (subdivision) {
    // Route53 subdivisions are US states (and a few others) under a country, US by default.
    const of = country && country !== '*' ? country : 'US';
    warn(`geolocation subdivision "${subdivision}" is answered for all of ${of} (kfed locates clients by country)`);
    if (!codes.includes(`country:${of}`)) codes.push(`country:${of}`);
  }
  return parseGeoCodes(codes.join(','), warn);
}

/** True when the endpoint carries any `kfed.io/` routing property. */
export function hasRoutingProperties(e: Pick<Endpoint, 'providerSpecific'>): boolean {
  return (e.providerSpecific ?? []).some((p) => p.name.startsWith('kfed.io/'));
}

function uniqueSorted(values: readonly string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter((v) => v.length > 0))].sort(compareText);
}
