import { describe, expect, it } from 'vitest';
import { adjustEndpoints } from '../../../../providers/route53/adjust.js';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { encodeRouting, ROUTING, type RoutingInput } from '../../../../src/dns/routing.js';

function routed(targets: string[], r: RoutingInput, extra: { name: string; value: string }[] = []): Endpoint {
  return { dnsName: 'app.example.com', recordType: 'A', recordTTL: 60, targets, setIdentifier: r.cluster, providerSpecific: [...(encodeRouting(r) ?? []), ...extra] };
}

const props = (e: Endpoint | undefined): Record<string, string> => Object.fromEntries((e?.providerSpecific ?? []).map((p) => [p.name, p.value]));

describe('route53 adjust', () => {
  it('keeps what Route53 stores: drops zones, and regions outside latency', () => {
    const { endpoints } = adjustEndpoints([routed(['192.0.2.1'], { policy: 'weighted', cluster: 'eu', region: 'eu-west-1', zones: ['eu-west-1a'], weight: 2 })], { healthChecks: true });
    expect(props(endpoints[0])).toEqual({ [ROUTING.policy]: 'weighted', [ROUTING.cluster]: 'eu', [ROUTING.weight]: '2' });
  });

  it('latency: maps regions and merges clusters of one AWS region', () => {
    const { endpoints, notes } = adjustEndpoints([
      routed(['192.0.2.1'], { policy: 'latency', cluster: 'b', region: 'westeurope' }),
      routed(['192.0.2.2'], { policy: 'latency', cluster: 'a', region: 'eu-central-1' }),
      routed(['192.0.2.3'], { policy: 'latency', cluster: 'c', region: 'asia-south1' }),
    ], { healthChecks: true });
    expect(endpoints.map((e) => [e.setIdentifier, props(e)[ROUTING.region], e.targets])).toEqual([
      ['a+b', 'eu-central-1', ['192.0.2.1', '192.0.2.2']],
      ['c', 'ap-south-1', ['192.0.2.3']],
    ]);
    expect(notes.join()).toContain('clusters a, b share one Route53 latency set');
  });

  it('failover: one set per role', () => {
    const { endpoints } = adjustEndpoints([
      routed(['192.0.2.1'], { policy: 'failover', cluster: 'p', failover: 'primary' }),
      routed(['198.51.100.1'], { policy: 'failover', cluster: 's1' }),
      routed(['198.51.100.2'], { policy: 'failover', cluster: 's2' }),
    ], { healthChecks: true });
    expect(endpoints.map((e) => [e.setIdentifier, props(e)[ROUTING.cluster], props(e)[ROUTING.failover], e.targets])).toEqual([
      ['primary', 'primary', 'primary', ['192.0.2.1']],
      ['secondary', 'secondary', 'secondary', ['198.51.100.1', '198.51.100.2']],
    ]);
  });

  it('geo: a location goes to the first cluster in name order', () => {
    const { endpoints, notes } = adjustEndpoints([
      routed(['192.0.2.1'], { policy: 'geo', cluster: 'b', geo: ['continent:EU', 'country:FR'] }),
      routed(['192.0.2.2'], { policy: 'geo', cluster: 'a', geo: ['continent:EU'] }),
      routed(['192.0.2.3'], { policy: 'geo', cluster: 'c', geo: ['continent:EU'] }),
    ], { healthChecks: true });
    expect(endpoints.map((e) => [e.setIdentifier, props(e)[ROUTING.geo]])).toEqual([
      ['a', 'continent:EU'],
      ['b', 'country:FR'],
    ]);
    expect(notes).toHaveLength(2);
  });

  it('health-check settings: kept for weighted and failover address records when managed, defaults dropped', () => {
    const hc = [{ name: ROUTING.healthCheckProtocol, value: 'tcp' }, { name: ROUTING.healthCheckPort, value: '80' }, { name: ROUTING.healthCheckPath, value: '/x' }];
    const w = routed(['192.0.2.1'], { policy: 'weighted', cluster: 'a' }, [{ name: ROUTING.healthCheckProtocol, value: 'https' }, { name: ROUTING.healthCheckPath, value: 'ready' }]);
    expect(props(adjustEndpoints([w], { healthChecks: true }).endpoints[0])).toMatchObject({ [ROUTING.healthCheckProtocol]: 'HTTPS', [ROUTING.healthCheckPath]: '/ready' });
    expect(Object.keys(props(adjustEndpoints([routed(['192.0.2.1'], { policy: 'weighted', cluster: 'a' }, hc)], { healthChecks: true }).endpoints[0])).some((k) => k.includes('health'))).toBe(false);
    expect(Object.keys(props(adjustEndpoints([w], { healthChecks: false }).endpoints[0])).some((k) => k.includes('health'))).toBe(false);
    const lat = routed(['192.0.2.1'], { policy: 'latency', cluster: 'a', region: 'us-east-1' }, [{ name: ROUTING.healthCheckProtocol, value: 'HTTP' }]);
    expect(Object.keys(props(adjustEndpoints([lat], { healthChecks: true }).endpoints[0])).some((k) => k.includes('health'))).toBe(false);
  });

  it('aliases lose their TTL; running adjust twice changes nothing', () => {
    const input = [
      { dnsName: 'lb.example.com', recordType: 'CNAME' as const, recordTTL: 60, targets: ['a-1.elb.us-west-2.amazonaws.com'] },
      routed(['192.0.2.1'], { policy: 'failover', cluster: 'p', failover: 'primary' }),
      routed(['192.0.2.2'], { policy: 'latency', cluster: 'x', region: 'us-west1' }),
      routed(['192.0.2.3'], { policy: 'latency', cluster: 'y', region: 'us-west-2' }),
      routed(['192.0.2.4'], { policy: 'geo', cluster: 'g', geo: ['*', 'country:US'] }),
    ];
    const once = adjustEndpoints(input, { healthChecks: true }).endpoints;
    expect(once.find((e) => e.dnsName === 'lb.example.com')?.recordTTL).toBeUndefined();
    expect(adjustEndpoints(once, { healthChecks: true }).endpoints).toEqual(once);
  });
});
