// Validation of Domain, ServiceDNSRecord and IngressDNSRecord specs. Pure: returns the
// problems, and the controller turns them into the record's `Valid` condition instead of
// writing a half DNSEndpoint. The CRD schemas check only types (and required fields):
// value rules live here so that a bad value shows up as a condition on the record, which
// is what users see with `kubectl describe`, rather than as an admission error on apply
// for some rules and a silent skip for others.
//
// Condition contract (see `validCondition`):
//   type: Valid; status True, reason SpecValid (warnings, if any, in the message);
//   status False with reason DomainNotFound | InvalidDomain | InvalidSpec.
// When Valid is False the controller must leave the existing DNSEndpoint as it is (no
// partial rewrite) and not retry until the record or its Domain changes.
//
// TTL: 0 or unset means Kubefed's default (180 s), as in external-dns where 0 is "not
// set"; otherwise an integer 1..2147483647 (RFC 2181 section 8, and the bound of
// external-dns's CRD). Above one day is allowed but warned about, because resolvers keep
// a dead cluster's address that long after failover.
import { domainZoneProblems } from '../../api/domain-validation.js';
import type { Condition } from '../../api/meta.js';
import type { DomainObject, IngressDNSRecord, RoutingPolicy, RoutingSpec, ServiceDNSRecord } from '../../api/multiclusterdns.js';
import {
  classifyTarget,
  fitsDNSLimits,
  globalServiceName,
  isDNS1123Label,
  isDNS1123Subdomain,
  isDNSHostname,
  normalizeDNSName,
  prefixName,
  serviceNameParts,
} from '../naming.js';

export type ProblemSeverity = 'error' | 'warning';

/** What kind of failure: decides the condition reason. */
export type ProblemCode = 'DomainNotFound' | 'InvalidDomain' | 'InvalidSpec';

export interface ValidationProblem {
  /** JSON-path-like location, e.g. `spec.routing.weights["cluster-2"]`. */
  field: string;
  severity: ProblemSeverity;
  code: ProblemCode;
  message: string;
}

export interface ValidationContext {
  /** Joined cluster names; when given, routing entries naming other clusters are warned about. */
  knownClusters?: readonly string[];
}

export const MAX_TTL = 2_147_483_647;
export const LONG_TTL_WARNING = 86_400;
export const MAX_WEIGHT = 255;
export const ROUTING_POLICIES: readonly RoutingPolicy[] = ['simple', 'latency', 'geo', 'weighted', 'failover'];
export const CONTINENT_CODES: readonly string[] = ['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA'];

// ISO 3166-1 alpha-2 officially assigned codes, plus XK (Kosovo, user-assigned), which
// GeoIP databases such as GeoLite2 return and which clients can therefore be matched on.
const COUNTRY_CODES = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
    'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ ' +
    'UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK'
  ).split(' '),
);

/** True for `continent:XX` (7 continents), `country:XX` (ISO 3166-1 alpha-2, uppercase) or `*`. */
export function isGeoCode(code: string): boolean {
  if (code === '*') return true;
  const m = /^(continent|country):([A-Z]{2})$/.exec(code);
  if (!m) return false;
  return m[1] === 'continent' ? CONTINENT_CODES.includes(m[2] ?? '') : COUNTRY_CODES.has(m[2] ?? '');
}

export function hasErrors(problems: readonly ValidationProblem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

class Problems {
  readonly list: ValidationProblem[] = [];
  error(field: string, message: string, code: ProblemCode = 'InvalidSpec'): void {
    this.list.push({ field, severity: 'error', code, message });
  }
  warn(field: string, message: string, code: ProblemCode = 'InvalidSpec'): void {
    this.list.push({ field, severity: 'warning', code, message });
  }
}

const q = (s: string): string => JSON.stringify(s);

/** Domain: `domain` a DNS-1123 subdomain (one trailing dot tolerated) that is not a public suffix, `nameServer` a hostname or IP, and the zone fields (src/api/domain-validation.ts). */
export function validateDomain(domain: DomainObject): ValidationProblem[] {
  const p = new Problems();
  checkDomain(p, domain, '');
  return p.list;
}

function checkDomain(p: Problems, domain: DomainObject, prefix: string): void {
  const field = `${prefix}domain`;
  const value: unknown = domain.domain;
  if (typeof value !== 'string' || value.trim() === '') {
    p.error(field, 'domain is required', 'InvalidDomain');
  } else {
    const d = value.endsWith('.') ? value.slice(0, -1) : value;
    if (!isDNS1123Subdomain(d)) {
      p.error(field, `${q(value)} is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', labels of 1..63, at most 253 characters)`, 'InvalidDomain');
    }
  }
  const ns: unknown = domain.nameServer;
  if (ns !== undefined && ns !== '') {
    const kind = typeof ns === 'string' ? classifyTarget(ns).kind : 'invalid';
    if (kind === 'invalid') p.error(`${prefix}nameServer`, `${q(String(ns))} is not a hostname or IP address`, 'InvalidDomain');
  }
  for (const x of domainZoneProblems(domain, prefix)) p.error(x.field, x.message, 'InvalidDomain');
}

/** `recordTTL`: unset/0 = default; else an integer 1..2147483647; warning above one day. */
export function validateRecordTTL(ttl: unknown, field = 'spec.recordTTL'): ValidationProblem[] {
  const p = new Problems();
  if (ttl === undefined || ttl === null || ttl === 0) return p.list;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl)) p.error(field, `recordTTL must be an integer number of seconds, got ${q(String(ttl))}`);
  else if (ttl < 0) p.error(field, `recordTTL must not be negative, got ${ttl}`);
  else if (ttl > MAX_TTL) p.error(field, `recordTTL must be at most ${MAX_TTL} (RFC 2181), got ${ttl}`);
  else if (ttl > LONG_TTL_WARNING) p.warn(field, `recordTTL ${ttl} s is over one day: resolvers keep a failed cluster's address that long`);
  return p.list;
}

/** `routing`: known policy, weights 0..255, failover primaries, geo codes (each code on one cluster). */
export function validateRouting(routing: RoutingSpec | undefined, ctx: ValidationContext = {}, field = 'spec.routing'): ValidationProblem[] {
  const p = new Problems();
  if (routing === undefined || routing === null) return p.list;
  if (typeof routing !== 'object' || Array.isArray(routing)) {
    p.error(field, 'routing must be an object');
    return p.list;
  }
  const policy: unknown = routing.policy ?? 'simple';
  if (typeof policy !== 'string' || !ROUTING_POLICIES.includes(policy as RoutingPolicy)) {
    p.error(`${field}.policy`, `unknown routing policy ${q(String(policy))}; expected one of ${ROUTING_POLICIES.join(', ')}`);
  }
  const known = ctx.knownClusters ? new Set(ctx.knownClusters) : undefined;
  const checkCluster = (f: string, name: string): void => {
    if (!isDNS1123Subdomain(name)) p.error(f, `${q(name)} is not a cluster name`);
    else if (known && !known.has(name)) p.warn(f, `cluster ${q(name)} is not joined`);
  };

  checkWeights(p, routing.weights, policy, field, checkCluster, known);
  checkPrimary(p, routing.primary, policy, field, checkCluster, known);
  checkGeo(p, routing.geo, policy, field, checkCluster, known);
  return p.list;
}

type ClusterCheck = (field: string, name: string) => void;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkWeights(p: Problems, weights: unknown, policy: unknown, field: string, checkCluster: ClusterCheck, known: Set<string> | undefined): void {
  if (weights === undefined) return;
  const f = `${field}.weights`;
  if (!isPlainObject(weights)) {
    p.error(f, 'weights must be a map of cluster name to weight');
    return;
  }
  if (policy !== 'weighted' && Object.keys(weights).length > 0) p.warn(f, `weights are ignored by policy ${q(String(policy))}`);
  for (const [cluster, w] of Object.entries(weights)) {
    const wf = `${f}[${q(cluster)}]`;
    checkCluster(wf, cluster);
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > MAX_WEIGHT) {
      p.error(wf, `weight must be an integer 0..${MAX_WEIGHT}, got ${q(String(w))}`);
    }
  }
  if (policy === 'weighted' && known && known.size > 0 && [...known].every((c) => weights[c] === 0)) {
    p.warn(f, 'every joined cluster has weight 0');
  }
}

function checkPrimary(p: Problems, primary: unknown, policy: unknown, field: string, checkCluster: ClusterCheck, known: Set<string> | undefined): void {
  const f = `${field}.primary`;
  if (primary !== undefined && !Array.isArray(primary)) {
    p.error(f, 'primary must be a list of cluster names');
    return;
  }
  const list = (primary ?? []) as unknown[];
  if (policy === 'failover' && list.length === 0) p.error(f, 'policy failover needs at least one primary cluster');
  if (policy !== 'failover' && list.length > 0) p.warn(f, `primary is ignored by policy ${q(String(policy))}`);
  const seen = new Set<string>();
  list.forEach((c, i) => {
    if (typeof c !== 'string') return p.error(`${f}[${i}]`, 'cluster name must be a string');
    if (seen.has(c)) p.warn(`${f}[${i}]`, `cluster ${q(c)} listed twice`);
    seen.add(c);
    checkCluster(`${f}[${i}]`, c);
  });
  if (policy === 'failover' && known && known.size > 0 && [...known].every((c) => seen.has(c))) {
    p.warn(f, 'every joined cluster is primary: there is no secondary to fail over to');
  }
}

function checkGeo(p: Problems, geo: unknown, policy: unknown, field: string, checkCluster: ClusterCheck, known: Set<string> | undefined): void {
  const f = `${field}.geo`;
  if (geo !== undefined && !isPlainObject(geo)) {
    p.error(f, 'geo must be a map of cluster name to a list of geo codes');
    return;
  }
  const map = (geo ?? {}) as Record<string, unknown>;
  if (policy !== 'geo' && Object.keys(map).length > 0) p.warn(f, `geo is ignored by policy ${q(String(policy))}`);
  const owner = new Map<string, string>();
  let anyCode = false;
  for (const [cluster, codes] of Object.entries(map)) {
    const cf = `${f}[${q(cluster)}]`;
    checkCluster(cf, cluster);
    if (!Array.isArray(codes)) {
      p.error(cf, 'geo codes must be a list');
      continue;
    }
    if (codes.length === 0) p.warn(cf, `cluster ${q(cluster)} has no geo codes`);
    codes.forEach((code: unknown, i) => {
      const f2 = `${cf}[${i}]`;
      if (typeof code !== 'string' || !isGeoCode(code)) {
        p.error(f2, `${q(String(code))} is not a geo code: use continent:XX (${CONTINENT_CODES.join(' ')}), country:XX (ISO 3166-1 alpha-2, uppercase) or *`);
        return;
      }
      anyCode = true;
      const prev = owner.get(code);
      // One location maps to one answer set (Route53 and Cloud DNS reject duplicates).
      if (prev !== undefined && prev !== cluster) p.error(f2, `${q(code)} is already assigned to cluster ${q(prev)}`);
      else owner.set(code, cluster);
    });
  }
  if (policy === 'geo') {
    if (!anyCode) p.error(f, 'policy geo needs geo codes for at least one cluster');
    for (const c of known ?? []) {
      if (!(c in map)) p.warn(f, `cluster ${q(c)} has no geo codes: it is left out of the geo-routed name`);
    }
  }
}

/**
 * ServiceDNSRecord with its Domain (`undefined` when `spec.domainRef` names no Domain).
 * Checks the record's own fields, its Domain, and that the global and prefix names fit
 * DNS limits (region/zone names depend on clusters and are checked when rendering).
 */
export function validateServiceDNSRecord(record: ServiceDNSRecord, domain: DomainObject | undefined, ctx: ValidationContext = {}): ValidationProblem[] {
  const p = new Problems();
  const spec = record.spec ?? ({} as ServiceDNSRecord['spec']);
  const ref: unknown = spec.domainRef;
  if (typeof ref !== 'string' || ref === '') p.error('spec.domainRef', 'domainRef is required');
  else if (!isDNS1123Subdomain(ref)) p.error('spec.domainRef', `${q(ref)} is not a valid Domain name`);
  else if (domain === undefined) p.error('spec.domainRef', `Domain ${q(ref)} not found`, 'DomainNotFound');

  const ext: unknown = spec.externalName;
  if (ext !== undefined && ext !== '') {
    if (typeof ext !== 'string' || !isDNS1123Label(ext)) p.error('spec.externalName', `${q(String(ext))} is not a DNS-1123 label (it replaces the service label)`);
  } else if (!isDNS1123Label(record.metadata.name ?? '')) {
    p.error('metadata.name', `${q(record.metadata.name ?? '')} is not a DNS-1123 label; set spec.externalName`);
  }
  const prefix: unknown = spec.dnsPrefix;
  if (prefix !== undefined && prefix !== '' && (typeof prefix !== 'string' || !isDNS1123Subdomain(prefix))) {
    p.error('spec.dnsPrefix', `${q(String(prefix))} is not a DNS-1123 subdomain`);
  }
  const allow: unknown = spec.allowServiceWithoutEndpoints;
  if (allow !== undefined && typeof allow !== 'boolean') p.error('spec.allowServiceWithoutEndpoints', 'must be a boolean');
  p.list.push(...validateRecordTTL(spec.recordTTL));
  p.list.push(...validateRouting(spec.routing, ctx));

  if (domain !== undefined) {
    checkDomain(p, domain, `Domain[${q(domain.metadata.name ?? '')}].`);
    // Names built from invalid parts are meaningless to measure.
    if (!hasErrors(p.list)) checkNameLengths(p, record, domain);
  }
  return p.list;
}

function checkNameLengths(p: Problems, record: ServiceDNSRecord, domain: DomainObject): void {
  const global = globalServiceName(serviceNameParts(record, domain.domain));
  if (!fitsDNSLimits(global)) p.error('metadata.name', `global name ${q(global)} exceeds DNS limits (253 characters, 63 per label)`);
  const prefix = record.spec.dnsPrefix;
  if (prefix) {
    const name = prefixName(prefix, domain.domain);
    if (!fitsDNSLimits(name)) p.error('spec.dnsPrefix', `name ${q(name)} exceeds DNS limits`);
  }
}

/** IngressDNSRecord: hosts are DNS names (a leading `*.` allowed), TTL, routing. */
export function validateIngressDNSRecord(record: IngressDNSRecord, ctx: ValidationContext = {}): ValidationProblem[] {
  const p = new Problems();
  const hosts: unknown = record.spec?.hosts;
  if (hosts !== undefined && !Array.isArray(hosts)) {
    p.error('spec.hosts', 'hosts must be a list of host names');
  } else {
    const list = (hosts ?? []) as unknown[];
    if (list.length === 0) p.warn('spec.hosts', 'no hosts: nothing is published');
    const seen = new Set<string>();
    list.forEach((h, i) => {
      const f = `spec.hosts[${i}]`;
      if (typeof h !== 'string' || !isDNSHostname(normalizeDNSName(h), true)) return p.error(f, `${q(String(h))} is not a DNS host name`);
      const n = normalizeDNSName(h);
      if (seen.has(n)) p.warn(f, `host ${q(h)} listed twice`);
      seen.add(n);
    });
  }
  p.list.push(...validateRecordTTL(record.spec?.recordTTL));
  p.list.push(...validateRouting(record.spec?.routing, ctx));
  return p.list;
}

export type ValidReason = 'SpecValid' | ProblemCode;

/**
 * The `Valid` condition for a list of problems (without lastTransitionTime, which the
 * controller keeps from the previous condition unless the status flips). The reason is
 * the most fundamental error: DomainNotFound, then InvalidDomain, then InvalidSpec.
 */
export function validCondition(problems: readonly ValidationProblem[], observedGeneration?: number): Condition & { reason: ValidReason } {
  const errors = problems.filter((x) => x.severity === 'error');
  const warnings = problems.filter((x) => x.severity === 'warning');
  const text = (xs: readonly ValidationProblem[]): string => xs.map((x) => `${x.field}: ${x.message}`).join('; ');
  const base = observedGeneration === undefined ? {} : { observedGeneration };
  if (errors.length === 0) {
    return { type: 'Valid', status: 'True', reason: 'SpecValid', message: warnings.length ? `warnings: ${text(warnings)}` : 'spec is valid', ...base };
  }
  const order: ProblemCode[] = ['DomainNotFound', 'InvalidDomain', 'InvalidSpec'];
  const reason = order.find((c) => errors.some((e) => e.code === c)) ?? 'InvalidSpec';
  return { type: 'Valid', status: 'False', reason, message: text(errors), ...base };
}
