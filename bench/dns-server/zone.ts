// The benchmark zone: 10,000 names, written once as a zone file for BIND9 and Knot and
// as DNSEndpoints for kfed (plain records, or one routed endpoint per cluster).
import type { Endpoint } from '../../src/api/multiclusterdns.js';

export const BENCH_ZONE = 'bench.example';

/** Address of name i (documentation ranges only). */
export function addr(i: number, cluster: number): string {
  return `${['192.0.2', '198.51.100', '203.0.113'][cluster] ?? '192.0.2'}.${(i % 250) + 1}`;
}

export function zoneFile(names: number): string {
  const lines = [
    `$ORIGIN ${BENCH_ZONE}.`, '$TTL 300',
    `@ IN SOA ns1.${BENCH_ZONE}. hostmaster.${BENCH_ZONE}. 1 3600 600 604800 30`,
    `@ IN NS ns1.${BENCH_ZONE}.`, 'ns1 IN A 192.0.2.53',
  ];
  for (let i = 0; i < names; i++) lines.push(`n${i} IN A ${addr(i, i % 3)}`);
  return `${lines.join('\n')}\n`;
}

/** Same content as the zone file, as plain endpoints. */
export function plainEndpoints(names: number): Endpoint[] {
  const eps: Endpoint[] = [{ dnsName: `ns1.${BENCH_ZONE}`, recordType: 'A', targets: ['192.0.2.53'] }];
  for (let i = 0; i < names; i++) eps.push({ dnsName: `n${i}.${BENCH_ZONE}`, recordType: 'A', targets: [addr(i, i % 3)] });
  return eps;
}

const CLUSTERS = [
  { id: 'eu', region: 'eu-west-1', geo: 'continent:EU' },
  { id: 'us', region: 'us-east-1', geo: 'continent:NA,*' },
  { id: 'ap', region: 'ap-northeast-1', geo: 'continent:AS' },
] as const;

/** Every name as three routed endpoints (one per cluster); answers carry one A record. */
export function routedEndpoints(names: number, policy: 'latency' | 'geo'): Endpoint[] {
  const eps: Endpoint[] = [{ dnsName: `ns1.${BENCH_ZONE}`, recordType: 'A', targets: ['192.0.2.53'] }];
  for (let i = 0; i < names; i++) {
    CLUSTERS.forEach((c, k) => eps.push({
      dnsName: `n${i}.${BENCH_ZONE}`, recordType: 'A', targets: [addr(i, k)], setIdentifier: c.id,
      providerSpecific: [
        { name: 'kfed.io/routing-policy', value: policy }, { name: 'kfed.io/region', value: c.region },
        { name: 'kfed.io/geo', value: c.geo }, { name: 'kfed.io/cluster', value: c.id },
      ],
    }));
  }
  return eps;
}

/** dnsperf input: every name once, shuffled with a fixed seed (dnsperf loops over it). */
export function queryFile(names: number): string {
  const idx = Array.from({ length: names }, (_, i) => i);
  let seed = 42;
  for (let i = idx.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return `${idx.map((i) => `n${i}.${BENCH_ZONE} A`).join('\n')}\n`;
}

/** dnsperf `-E` value of an ECS option for an IPv4 /24 (RFC 7871 wire form, hex). */
export function ecsOptionHex(ipv4: string): string {
  const b = ipv4.split('.').slice(0, 3).map((x) => Number(x).toString(16).padStart(2, '0')).join('');
  return `8:00011800${b}`;
}
