import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../src/api/meta.js';
import {
  clusterDNSEqual,
  computeIngressClusterDNS,
  computeServiceClusterDNS,
  hasReadyEndpoint,
  loadBalancerIngress,
  type ServiceClusterFacts,
} from '../../../../src/dns/records/service-dns-status.js';
import { ELB1, LB1, LB2, LB6A } from '../fixtures.js';

function service(ingress: Record<string, unknown>[], extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'go-app', namespace: 'go-app', ...extra },
    spec: { type: 'LoadBalancer' },
    status: { loadBalancer: { ingress } },
  };
}

function slice(endpoints: { ready?: boolean; addresses?: string[] }[], serviceName = 'go-app', name = 'go-app-abcde'): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'go-app', labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({ addresses: e.addresses ?? ['10.0.0.1'], ...(e.ready === undefined ? {} : { conditions: { ready: e.ready } }) })),
  };
}

const READY = [slice([{ ready: true }])];

function facts(cluster: string, over: Partial<ServiceClusterFacts> = {}): ServiceClusterFacts {
  return { cluster, ready: true, region: 'eu', zones: ['eu-a'], service: service([{ ip: LB1 }]), endpointSlices: READY, ...over };
}

describe('computeServiceClusterDNS', () => {
  const cases: { name: string; f: ServiceClusterFacts; allow?: boolean; lb: string[] }[] = [
    { name: 'ready cluster, ready endpoint: LB listed', f: facts('c1'), lb: [LB1] },
    { name: 'unready cluster: listed with empty LB', f: facts('c1', { ready: false }), lb: [] },
    { name: 'no ready endpoint: empty LB', f: facts('c1', { endpointSlices: [slice([{ ready: false }])] }), lb: [] },
    { name: 'no EndpointSlices at all: empty LB', f: facts('c1', { endpointSlices: [] }), lb: [] },
    { name: 'no endpoints but allowServiceWithoutEndpoints', f: facts('c1', { endpointSlices: [] }), allow: true, lb: [LB1] },
    { name: 'allowServiceWithoutEndpoints does not override an unready cluster', f: facts('c1', { ready: false, endpointSlices: [] }), allow: true, lb: [] },
    { name: 'service missing in the member: empty LB', f: facts('c1', { service: undefined }), allow: true, lb: [] },
    { name: 'service being deleted: empty LB', f: facts('c1', { service: service([{ ip: LB1 }], { deletionTimestamp: '2024-01-01T00:00:00Z' }) }), lb: [] },
    { name: 'ready condition absent means ready (EndpointSlice v1)', f: facts('c1', { endpointSlices: [slice([{}])] }), lb: [LB1] },
    { name: 'endpoint without addresses does not count', f: facts('c1', { endpointSlices: [slice([{ ready: true, addresses: [] }])] }), lb: [] },
    { name: 'one ready endpoint among unready ones is enough', f: facts('c1', { endpointSlices: [slice([{ ready: false }]), slice([{ ready: false }, { ready: true }], 'go-app', 's2')] }), lb: [LB1] },
    { name: "another Service's slice is ignored", f: facts('c1', { endpointSlices: [slice([{ ready: true }], 'other')] }), lb: [] },
  ];
  it.each(cases)('$name', ({ f, allow, lb }) => {
    const [entry] = computeServiceClusterDNS([f], allow ?? false);
    expect(entry?.cluster).toBe('c1');
    expect(entry?.region).toBe('eu');
    expect(entry?.zones).toEqual(['eu-a']);
    expect((entry?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname)).toEqual(lb);
  });

  it('lists every cluster sorted by name, with deterministic zones and ingress', () => {
    const dns = computeServiceClusterDNS(
      [
        facts('cluster-3', { ready: false }),
        facts('cluster-1', { zones: ['b', 'a', 'a', ' '], service: service([{ hostname: ELB1 }, { ip: LB2 }, { ip: LB1 }, { ip: LB1 }, {}]) }),
        facts('cluster-2', { region: undefined, zones: undefined, service: service([{ ip: LB6A }]) }),
      ],
      false,
    );
    expect(dns).toEqual([
      { cluster: 'cluster-1', region: 'eu', zones: ['a', 'b'], loadBalancer: { ingress: [{ hostname: ELB1 }, { ip: LB1 }, { ip: LB2 }] } },
      { cluster: 'cluster-2', loadBalancer: { ingress: [{ ip: LB6A }] } },
      { cluster: 'cluster-3', region: 'eu', zones: ['eu-a'], loadBalancer: {} },
    ]);
  });

  it('serializes identically for the same facts in any order', () => {
    const fs = [facts('a'), facts('b', { ready: false }), facts('c', { service: service([{ ip: LB2 }, { ip: LB1 }]) })];
    expect(JSON.stringify(computeServiceClusterDNS([...fs].reverse(), false))).toBe(JSON.stringify(computeServiceClusterDNS(fs, false)));
  });
});

describe('computeIngressClusterDNS', () => {
  const ingress = (lb: Record<string, unknown>[]): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'web' },
    status: { loadBalancer: { ingress: lb } },
  });
  it('uses the Ingress load balancer of ready clusters only', () => {
    expect(
      computeIngressClusterDNS([
        { cluster: 'c2', ready: false, ingress: ingress([{ ip: LB2 }]) },
        { cluster: 'c1', ready: true, region: 'us', ingress: ingress([{ ip: LB1 }]) },
        { cluster: 'c3', ready: true },
      ]),
    ).toEqual([
      { cluster: 'c1', region: 'us', loadBalancer: { ingress: [{ ip: LB1 }] } },
      { cluster: 'c2', loadBalancer: {} },
      { cluster: 'c3', loadBalancer: {} },
    ]);
  });
});

describe('helpers', () => {
  it('loadBalancerIngress tolerates odd shapes', () => {
    expect(loadBalancerIngress(undefined)).toEqual([]);
    expect(loadBalancerIngress({ apiVersion: 'v1', kind: 'Service', metadata: {}, status: { loadBalancer: { ingress: 'nope' } } })).toEqual([]);
    expect(loadBalancerIngress(service([{ ip: ` ${LB1} `, ports: [{ port: 80 }] }, null as unknown as Record<string, unknown>]))).toEqual([{ ip: LB1 }]);
  });

  it('hasReadyEndpoint skips slices being deleted', () => {
    const s = slice([{ ready: true }]);
    s.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
    expect(hasReadyEndpoint('go-app', [s])).toBe(false);
  });

  it('clusterDNSEqual ignores order but not content', () => {
    const x = computeServiceClusterDNS([facts('a'), facts('b')], false);
    expect(clusterDNSEqual(x, [...x].reverse())).toBe(true);
    expect(clusterDNSEqual(x, computeServiceClusterDNS([facts('a'), facts('b', { ready: false })], false))).toBe(false);
    expect(clusterDNSEqual(undefined, [])).toBe(true);
  });
});
