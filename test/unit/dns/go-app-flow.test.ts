// The go-app example through the whole pure pipeline the DNS controllers run:
// member facts -> status.dns -> endpoints -> plan against what was published.
// It mirrors the sandbox scenario of issue 5: cluster-2 goes offline and comes back.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import type { Endpoint } from '../../../src/api/multiclusterdns.js';
import { calculatePlan, hasChanges } from '../../../src/dns/plan.js';
import { renderServiceEndpoints } from '../../../src/dns/records/render-endpoints.js';
import { computeServiceClusterDNS, type ServiceClusterFacts } from '../../../src/dns/records/service-dns-status.js';
import { validateServiceDNSRecord } from '../../../src/dns/records/validate.js';
import { domain, serviceRecord } from './fixtures.js';

const FED = domain('myfed', 'example.com');
const RECORD = serviceRecord('go-app', 'go-app', { domainRef: 'myfed', recordTTL: 30, dnsPrefix: 'go' });
const N = 'go-app.go-app.myfed.svc';

const CLUSTERS = [
  { name: 'cluster-1', region: 'us-east-1', zone: 'us-east-1a', ip: '192.0.2.11' },
  { name: 'cluster-2', region: 'eu-west-1', zone: 'eu-west-1a', ip: '198.51.100.12' },
  { name: 'cluster-3', region: 'eu-west-1', zone: 'eu-west-1b', ip: '203.0.113.13' },
];

function facts(over: Record<string, Partial<ServiceClusterFacts>> = {}): ServiceClusterFacts[] {
  return CLUSTERS.map((c) => {
    const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'go-app', namespace: 'go-app' }, status: { loadBalancer: { ingress: [{ ip: c.ip }] } } };
    const slice: KubeObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `go-app-${c.name}`, namespace: 'go-app', labels: { 'kubernetes.io/service-name': 'go-app' } },
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
    };
    return { cluster: c.name, ready: true, region: c.region, zones: [c.zone], service, endpointSlices: [slice], ...over[c.name] };
  });
}

function render(f: ServiceClusterFacts[]): Endpoint[] {
  return renderServiceEndpoints(RECORD, FED, computeServiceClusterDNS(f, false)).endpoints;
}

const show = (eps: Endpoint[]) => eps.map((e) => `${e.dnsName} ${e.recordType} ${e.targets.join(',')}`);

describe('go-app example', () => {
  it('is valid', () => {
    expect(validateServiceDNSRecord(RECORD, FED)).toEqual([]);
  });

  it('renders the expected DNSEndpoint with all clusters healthy', () => {
    expect(show(render(facts()))).toEqual([
      `${N}.eu-west-1.example.com A 198.51.100.12,203.0.113.13`,
      `${N}.eu-west-1a.eu-west-1.example.com A 198.51.100.12`,
      `${N}.eu-west-1b.eu-west-1.example.com A 203.0.113.13`,
      `${N}.example.com A 192.0.2.11,198.51.100.12,203.0.113.13`,
      `${N}.us-east-1.example.com A 192.0.2.11`,
      `${N}.us-east-1a.us-east-1.example.com A 192.0.2.11`,
      'go.example.com CNAME go-app.go-app.myfed.svc.example.com',
    ]);
    expect(render(facts()).every((e) => e.recordTTL === 30)).toBe(true);
  });

  it('cluster-2 offline: its zone becomes a CNAME, its address leaves the region and global names; back online restores', () => {
    const owner = 'kfed-test';
    const healthy = render(facts());
    const published = calculatePlan({ desired: healthy, current: [], ownerId: owner }).create;
    expect(hasChanges(calculatePlan({ desired: healthy, current: published, ownerId: owner }))).toBe(false);

    const offline = render(facts({ 'cluster-2': { ready: false } }));
    expect(show(offline)).toContain(`${N}.eu-west-1a.eu-west-1.example.com CNAME ${N}.eu-west-1.example.com`);
    expect(show(offline)).toContain(`${N}.eu-west-1.example.com A 203.0.113.13`);
    expect(show(offline)).toContain(`${N}.example.com A 192.0.2.11,203.0.113.13`);

    const down = calculatePlan({ desired: offline, current: published, ownerId: owner });
    expect(show(down.updateNew)).toEqual([`${N}.eu-west-1.example.com A 203.0.113.13`, `${N}.example.com A 192.0.2.11,203.0.113.13`]);
    expect(show(down.create)).toEqual([`${N}.eu-west-1a.eu-west-1.example.com CNAME ${N}.eu-west-1.example.com`]);
    expect(show(down.delete)).toEqual([`${N}.eu-west-1a.eu-west-1.example.com A 198.51.100.12`]);

    const afterDown = [...published.filter((p) => !down.delete.includes(p) && !down.updateOld.includes(p)), ...down.create, ...down.updateNew];
    const up = calculatePlan({ desired: healthy, current: afterDown, ownerId: owner });
    expect(show(up.create)).toEqual([`${N}.eu-west-1a.eu-west-1.example.com A 198.51.100.12`]);
    expect(show(up.delete)).toEqual([`${N}.eu-west-1a.eu-west-1.example.com CNAME ${N}.eu-west-1.example.com`]);
    expect(up.updateNew).toHaveLength(2);
  });

  it('zero ready replicas in one member has the same effect as the cluster going offline', () => {
    const noEndpoints = render(facts({ 'cluster-2': { endpointSlices: [] } }));
    expect(noEndpoints).toEqual(render(facts({ 'cluster-2': { ready: false } })));
  });

  it('every cluster down: no global record, the CNAME chain stays', () => {
    const eps = render(facts(Object.fromEntries(CLUSTERS.map((c) => [c.name, { ready: false }]))));
    expect(eps.every((e) => e.recordType === 'CNAME')).toBe(true);
    expect(eps.find((e) => e.dnsName === `${N}.example.com`)).toBeUndefined();
  });
});
