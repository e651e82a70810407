// Checks a DNSProvider's spec before an adapter is built from it. The CRD's schema
// catches shapes; this catches what a schema cannot say (the section matching the
// type, a host:port that parses, an ownerId external-dns can store), so a bad spec is
// answered with Ready=False and a message naming the field, never a crash or a retry loop.
import type { DNSProviderSpec } from '../../api/dns-provider.js';
import { selectorError } from '../../kube/label-selector.js';
import { isDNSHostname, normalizeDNSName } from '../naming.js';

const TYPES = ['rfc2136', 'route53', 'clouddns'] as const;
const POLICIES = ['sync', 'upsert-only', 'create-only'];
const TSIG = ['hmac-sha256', 'hmac-sha384', 'hmac-sha512', 'hmac-sha1'];

/** Problems with the spec, each naming its field; empty when it is usable. */
export function validateProviderSpec(spec: DNSProviderSpec | undefined): string[] {
  if (!spec || typeof spec !== 'object') return ['spec: required'];
  const errs: string[] = [];
  if (!(TYPES as readonly string[]).includes(spec.type)) errs.push(`spec.type: must be one of ${TYPES.join(', ')} (got ${JSON.stringify(spec.type)})`);
  if (spec.policy !== undefined && !POLICIES.includes(spec.policy)) errs.push(`spec.policy: must be one of ${POLICIES.join(', ')}`);
  if (spec.ownerId !== undefined && !/^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/.test(spec.ownerId)) {
    errs.push('spec.ownerId: 1-63 letters, digits, "-", "_" or "." (it is written into TXT records), starting with a letter or digit');
  }
  for (const [i, d] of (spec.domains ?? []).entries()) {
    if (typeof d !== 'string' || !isDNSHostname(normalizeDNSName(d))) errs.push(`spec.domains[${i}]: ${JSON.stringify(d)} is not a DNS name`);
  }
  if (spec.endpointSelector !== undefined) {
    const bad = typeof spec.endpointSelector === 'object' && spec.endpointSelector !== null ? selectorError(spec.endpointSelector) : 'must be a label selector';
    if (bad) errs.push(`spec.endpointSelector: ${bad}`);
  }
  if (spec.resyncSeconds !== undefined && !(Number.isInteger(spec.resyncSeconds) && spec.resyncSeconds >= 10)) errs.push('spec.resyncSeconds: an integer of at least 10');
  const section = { rfc2136: spec.rfc2136, route53: spec.route53, clouddns: spec.cloudDNS }[spec.type];
  const field = spec.type === 'clouddns' ? 'cloudDNS' : spec.type;
  if (spec.type === 'rfc2136' && !section) errs.push('spec.rfc2136: required for type rfc2136');
  if (spec.type === 'clouddns' && !section) errs.push('spec.cloudDNS: required for type clouddns');
  if (spec.rfc2136 && spec.type === 'rfc2136') {
    const r = spec.rfc2136;
    if (typeof r.server !== 'string' || !/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/.test(r.server)) errs.push('spec.rfc2136.server: host:port (IPv6 as [addr]:port)');
    else if (Number(r.server.slice(r.server.lastIndexOf(':') + 1)) > 65535) errs.push('spec.rfc2136.server: port above 65535');
    if (r.zone !== undefined && !isDNSHostname(normalizeDNSName(r.zone))) errs.push('spec.rfc2136.zone: not a DNS name');
    if (r.tsigAlgorithm !== undefined && !TSIG.includes(r.tsigAlgorithm)) errs.push(`spec.rfc2136.tsigAlgorithm: one of ${TSIG.join(', ')}`);
    if ((r.tsigKeyName === undefined) !== (r.tsigSecretRef === undefined)) errs.push('spec.rfc2136: tsigKeyName and tsigSecretRef go together');
  }
  if (spec.cloudDNS && spec.type === 'clouddns' && (typeof spec.cloudDNS.project !== 'string' || spec.cloudDNS.project === '')) errs.push('spec.cloudDNS.project: required');
  const hc = spec.cloudDNS?.healthCheck;
  if (hc !== undefined && !/^https:\/\/(www|compute)\.googleapis\.com\/compute\/v1\/projects\/[^/]+\/(global|regions\/[^/]+)\/healthChecks\/[^/]+$/.test(hc)) {
    errs.push('spec.cloudDNS.healthCheck: a Compute health check URL, https://www.googleapis.com/compute/v1/projects/P/global/healthChecks/H');
  }
  for (const [name, s] of Object.entries({ rfc2136: spec.rfc2136, route53: spec.route53, cloudDNS: spec.cloudDNS })) {
    if (s && name !== field) errs.push(`spec.${name}: set, but spec.type is ${spec.type}`);
  }
  return errs;
}

/** Secret names a spec refers to (a change to one of them rebuilds the adapter). */
export function referencedSecrets(spec: DNSProviderSpec): string[] {
  const refs = [spec.rfc2136?.tsigSecretRef?.name, spec.route53?.credentialsSecretRef?.name, spec.cloudDNS?.credentialsSecretRef?.name];
  return [...new Set(refs.filter((r): r is string => typeof r === 'string' && r !== ''))].sort();
}
