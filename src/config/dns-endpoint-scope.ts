// Where external-dns's DNSEndpoints (externaldns.k8s.io) are read beyond the default scope
// of src/dns/ownership.ts (the KubeFed namespace and the namespaces of kfed's records):
// `--dns-endpoint-namespaces` (a list, `*` for every namespace) and
// `--dns-endpoint-selector` (labels, in kubectl's equality form). Both are off by default:
// widening the scope lets those namespaces publish names too, first come first served.
import type { LabelSelector, LabelSelectorRequirement } from '../api/meta.js';

export interface DnsEndpointScopeConfig {
  externalDNSNamespaces: string[];
  externalDNSSelector?: LabelSelector;
}

export class DnsEndpointScopeError extends Error {
  override readonly name = 'ConfigError';
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// A label key: optional DNS-subdomain prefix and a name of up to 63 characters.
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** `a,b` or `*`; each a namespace name. */
export function parseEndpointNamespaces(value: string | undefined): string[] {
  const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const ns of items) {
    if (ns !== '*' && (ns.length > 63 || !NAMESPACE.test(ns))) {
      throw new DnsEndpointScopeError(`dns endpoint namespaces ${JSON.stringify(value)}: ${JSON.stringify(ns)} is not a namespace name (or * for every namespace)`);
    }
  }
  return [...new Set(items)].sort();
}

/** `k=v,k2!=v2,k3,!k4` (kubectl's equality-based form), or undefined when empty. */
export function parseEndpointSelector(value: string | undefined): LabelSelector | undefined {
  const text = (value ?? '').trim();
  if (text === '') return undefined;
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const raw of text.split(',').map((s) => s.trim())) {
    const bad = (why: string): never => {
      throw new DnsEndpointScopeError(`dns endpoint selector ${JSON.stringify(value)}: ${JSON.stringify(raw)} ${why} (want key=value, key!=value, key or !key, comma-separated)`);
    };
    const m = /^(!?)([^=!]+?)\s*(?:(==|=|!=)\s*(.*))?$/.exec(raw);
    if (!m) return bad('is not understood');
    const [, not = '', key = '', op, val = ''] = m;
    if (!LABEL_KEY.test(key)) return bad('has an invalid label key');
    if (op !== undefined && (not || !LABEL_VALUE.test(val))) return bad(not ? 'mixes ! with a value' : 'has an invalid label value');
    if (op === undefined) matchExpressions.push({ key, operator: not ? 'DoesNotExist' : 'Exists' });
    else if (op === '!=') matchExpressions.push({ key, operator: 'NotIn', values: [val] });
    else matchLabels[key] = val;
  }
  return { ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}), ...(matchExpressions.length > 0 ? { matchExpressions } : {}) };
}

export function parseDnsEndpointScope(flags: { dnsEndpointNamespaces?: string | undefined; dnsEndpointSelector?: string | undefined }): DnsEndpointScopeConfig {
  const selector = parseEndpointSelector(flags.dnsEndpointSelector);
  return { externalDNSNamespaces: parseEndpointNamespaces(flags.dnsEndpointNamespaces), ...(selector ? { externalDNSSelector: selector } : {}) };
}
