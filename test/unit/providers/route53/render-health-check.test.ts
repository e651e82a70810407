// spec.healthCheck of a ServiceDNSRecord reaches the endpoints as kfed.io/health-check-*
// properties (weighted and failover only), which the Route53 adapter turns into checks.
import { describe, expect, it } from 'vitest';
import type { ClusterDNS, HealthCheckSpec, RoutingSpec } from '../../../../src/api/multiclusterdns.js';
import { ROUTING } from '../../../../src/api/multiclusterdns.js';
import { propertyOf } from '../../../../src/dns/endpoint.js';
import { renderServiceEndpoints } from '../../../../src/dns/records/render-endpoints.js';
import { cdns, domain, LB1, LB2, serviceRecord } from '../../dns/fixtures.js';

const FED = domain('myfed', 'example.com');
const G = 'go-app.go-app.myfed.svc.example.com';
const DNS: ClusterDNS[] = [cdns('cluster-1', 'us-east-1', ['us-east-1a'], [LB1]), cdns('cluster-2', 'eu-west-1', ['eu-west-1a'], [LB2])];

function render(routing: RoutingSpec, healthCheck?: HealthCheckSpec) {
  const spec = { domainRef: 'myfed', routing, ...(healthCheck ? { healthCheck } : {}) };
  return renderServiceEndpoints(serviceRecord('go-app', 'go-app', spec), FED, DNS).endpoints.filter((e) => e.dnsName === G);
}

describe('render: spec.healthCheck', () => {
  it('weighted and failover endpoints carry the settings, sorted with the routing properties', () => {
    for (const policy of ['weighted', 'failover'] as const) {
      const eps = render({ policy }, { protocol: 'HTTPS', port: 8443, path: '/ready' });
      expect(eps).toHaveLength(2);
      for (const e of eps) {
        expect(propertyOf(e, ROUTING.healthCheckProtocol)).toBe('HTTPS');
        expect(propertyOf(e, ROUTING.healthCheckPort)).toBe('8443');
        expect(propertyOf(e, ROUTING.healthCheckPath)).toBe('/ready');
        const names = (e.providerSpecific ?? []).map((p) => p.name);
        expect(names).toEqual([...names].sort());
      }
    }
  });

  it('latency and geo endpoints, and records without healthCheck, carry none', () => {
    const none = (eps: ReturnType<typeof render>) => eps.every((e) => !(e.providerSpecific ?? []).some((p) => p.name.startsWith('kfed.io/health-check')));
    expect(none(render({ policy: 'latency' }, { protocol: 'HTTP' }))).toBe(true);
    expect(none(render({ policy: 'geo', geo: { 'cluster-1': ['*'], 'cluster-2': ['continent:EU'] } }, { protocol: 'HTTP' }))).toBe(true);
    expect(none(render({ policy: 'weighted' }))).toBe(true);
  });
});
