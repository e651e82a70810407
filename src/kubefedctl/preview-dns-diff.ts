// The readable form of `kfed preview --dns`: the DNSEndpoint's records as a table (name, type,
// TTL, targets, routing with its set identifier), then the records that would change against
// the DNSEndpoint on the host now, one line per record set.
import { isDeepStrictEqual } from 'node:util';
import type { Endpoint } from '../api/multiclusterdns.js';
import { compareEndpoints } from '../dns/endpoint.js';
import { formatGeoCodes, decodeRouting } from '../dns/routing.js';
import type { DNSPreview } from './preview-dns.js';
import { lineDiff } from './preview-diff.js';

/** `set <id>: <policy> ...` for a routed record set; `-` for a plain one. */
export function routingText(e: Endpoint): string {
  const r = decodeRouting(e);
  if (!r) return e.setIdentifier ? `set ${e.setIdentifier}` : '-';
  const where = [r.region, ...r.zones].filter(Boolean).join(' ');
  const detail = r.policy === 'weighted' ? `weight ${r.weight}` : r.policy === 'failover' ? r.failover : r.policy === 'geo' ? formatGeoCodes(r.geo).join(',') || '-' : where;
  return `set ${e.setIdentifier ?? r.cluster}: ${r.policy}${detail ? ` ${detail}` : ''}`;
}

function rows(endpoints: readonly Endpoint[]): string[][] {
  return [...endpoints].sort(compareEndpoints).map((e) => [e.dnsName, e.recordType, String(e.recordTTL ?? ''), e.targets.join(','), routingText(e)]);
}

function align(table: readonly string[][]): string[] {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** One line per record set, in canonical order (name, type, set identifier). */
export function endpointLines(endpoints: readonly Endpoint[]): string[] {
  const body = rows(endpoints);
  return body.length === 0 ? ['(no records)'] : align([['NAME', 'TYPE', 'TTL', 'TARGETS', 'ROUTING'], ...body]);
}

/** Record sets removed (-) and added or changed (+) against the DNSEndpoint now. */
export function endpointChanges(current: readonly Endpoint[], want: readonly Endpoint[]): string[] {
  const line = (r: string[]): string => r.join(' ');
  return lineDiff(rows(current).map(line), rows(want).map(line)).filter((l) => !l.startsWith('  '));
}

/** The DNS section of the default output, unindented. */
export function dnsLines(d: DNSPreview): string[] {
  const head = `DNS: ${d.recordKind} ${d.namespace}/${d.name} -> DNSEndpoint ${d.dnsEndpoint}`;
  const out: string[] = [];
  if (d.endpoint && d.source !== 'default') {
    const same = d.current !== undefined && isDeepStrictEqual(d.current.spec, d.endpoint.spec);
    out.push(`${head}${d.source === 'file' ? ' (record from the file)' : ''}: ${same ? 'unchanged' : d.current ? 'would be updated' : 'would be created'}`);
    out.push(...endpointLines(d.endpoint.spec.endpoints).map((l) => `  ${l}`));
    if (!same && d.current) {
      out.push('  changes against the DNSEndpoint now:');
      out.push(...endpointChanges(d.current.spec.endpoints ?? [], d.endpoint.spec.endpoints).map((l) => `  ${l}`));
    }
  } else {
    out.push(`${head}: nothing would be written: ${d.problem ?? 'no record'}`);
    if (d.endpoint) out.push(...endpointLines(d.endpoint.spec.endpoints).map((l) => `  ${l}`));
    if (d.current) out.push(`  the DNSEndpoint now holds ${d.current.spec.endpoints?.length ?? 0} record set(s)`);
  }
  for (const s of d.skipped) out.push(`  left out: ${s.dnsName} (${s.reason}): ${s.message}`);
  for (const n of d.notes) out.push(`  note: ${n}`);
  return out;
}
