// The multiclusterdns CRDs: structural, printable, accepting what kfed writes, and the
// externaldns.k8s.io copy matching external-dns's published DNSEndpoint CRD.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../src/api/meta.js';
import type { ClusterDNS, DNSEndpoint } from '../../../src/api/multiclusterdns.js';
import { buildDNSEndpoint, renderIngressEndpoints, renderServiceEndpoints } from '../../../src/dns/records/render-endpoints.js';
import { computeServiceClusterDNS } from '../../../src/dns/records/service-dns-status.js';
import { cdns, domain, ELB1, ingressRecord, LB1, LB2, LB3, LB6A, serviceRecord } from './fixtures.js';
import { flatten, loadCRD, structuralProblems, validate, type CRD, type Schema } from './structural-schema.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const crd = (file: string): CRD => loadCRD(join(ROOT, 'crds/multiclusterdns', file));
const schemaOf = (c: CRD): Schema => {
  const v = c.spec.versions[0];
  if (!v) throw new Error(`CRD ${c.metadata.name} has no version`);
  return v.schema.openAPIV3Schema;
};

const FILES = {
  domain: 'domains.multiclusterdns.kubefed.io.yaml',
  service: 'servicednsrecords.multiclusterdns.kubefed.io.yaml',
  ingress: 'ingressdnsrecords.multiclusterdns.kubefed.io.yaml',
  endpoint: 'dnsendpoints.multiclusterdns.kubefed.io.yaml',
  externaldns: 'dnsendpoints.externaldns.k8s.io.yaml',
} as const;

// external-dns's published DNSEndpoint CRD (config/crd/standard/dnsendpoints.externaldns.k8s.io.yaml),
// written out field by field without descriptions; its x-kubernetes-validations (CEL) are
// deliberately not part of kfed's copy.
const NAME_PATTERN = '^(\\*\\.)?([a-zA-Z0-9_]([-a-zA-Z0-9_]{0,61}[a-zA-Z0-9_])?\\.)*[a-zA-Z0-9_]([-a-zA-Z0-9_]{0,61}[a-zA-Z0-9_])?\\.?$';
const EXTERNAL_DNS_SCHEMA: Record<string, Record<string, unknown>> = {
  '.': { type: 'object' },
  '.apiVersion': { type: 'string' },
  '.kind': { type: 'string' },
  '.metadata': { type: 'object' },
  '.spec': { type: 'object' },
  '.spec.endpoints': { type: 'array', maxItems: 1000 },
  '.spec.endpoints[]': { type: 'object', required: ['dnsName', 'recordType'] },
  '.spec.endpoints[].dnsName': { type: 'string', minLength: 1, maxLength: 254, pattern: NAME_PATTERN },
  '.spec.endpoints[].labels': { type: 'object' },
  '.spec.endpoints[].labels.*': { type: 'string' },
  '.spec.endpoints[].providerSpecific': { type: 'array', maxItems: 100 },
  '.spec.endpoints[].providerSpecific[]': { type: 'object', required: ['name'] },
  '.spec.endpoints[].providerSpecific[].name': { type: 'string', minLength: 1, maxLength: 253 },
  '.spec.endpoints[].providerSpecific[].value': { type: 'string', maxLength: 4096 },
  '.spec.endpoints[].recordTTL': { type: 'integer', format: 'int64', minimum: 0, maximum: 2147483647 },
  '.spec.endpoints[].recordType': { type: 'string', enum: ['A', 'AAAA', 'CNAME', 'DNAME', 'MX', 'NAPTR', 'NS', 'PTR', 'SRV', 'TLSA', 'TXT'] },
  '.spec.endpoints[].setIdentifier': { type: 'string', maxLength: 255 },
  '.spec.endpoints[].targets': { type: 'array', maxItems: 1000 },
  '.spec.endpoints[].targets[]': { type: 'string', minLength: 1, maxLength: 4096 },
  '.status': { type: 'object' },
  '.status.observedGeneration': { type: 'integer', format: 'int64' },
};

describe('CRD files', () => {
  it.each(Object.values(FILES))('%s is structural, has a status subresource and valid printer columns', (file) => {
    const c = crd(file);
    expect(c.spec.versions).toHaveLength(1);
    const v = c.spec.versions[0];
    expect(v?.name).toBe('v1alpha1');
    expect(v?.subresources?.status).toEqual({});
    expect(structuralProblems(schemaOf(c))).toEqual([]);
    const props = flatten(schemaOf(c));
    for (const col of v?.additionalPrinterColumns ?? []) {
      // `.a.b[?(@.type=="X")].c` -> `.a.b[].c`
      const path = col.jsonPath.replace(/\[\?\(@[^\]]*\)\]/g, '[]');
      expect(Object.keys(props).some((p) => p === path || path.startsWith('.metadata.')), `${file}: column ${col.name} ${col.jsonPath}`).toBe(true);
    }
    expect(c.metadata.name).toBe(`${c.spec.names.plural}.${c.spec.group}`);
  });

  it('uses one group per file name and distinct short names', () => {
    const short = Object.values(FILES).flatMap((f) => crd(f).spec.names.shortNames ?? []);
    expect(new Set(short).size).toBe(short.length);
    expect(crd(FILES.externaldns).spec.group).toBe('externaldns.k8s.io');
  });

  it('Domain keeps Kubefed\'s top-level domain and nameServer (no spec), plus kfed\'s top-level zone fields', () => {
    const s = schemaOf(crd(FILES.domain));
    expect(s.required).toEqual(['domain']);
    expect(Object.keys(s.properties ?? {}).sort()).toEqual(['apiVersion', 'domain', 'kind', 'metadata', 'nameServer', 'nameServerAddresses', 'nameServers', 'soa', 'status']);
    expect(Object.keys(s.properties?.['soa']?.properties ?? {}).sort()).toEqual(['expire', 'minimum', 'mname', 'refresh', 'retry', 'rname']);
  });
});

describe('externaldns.k8s.io DNSEndpoint copy', () => {
  it("matches external-dns's published CRD field by field", () => {
    expect(flatten(schemaOf(crd(FILES.externaldns)))).toEqual(EXTERNAL_DNS_SCHEMA);
  });

  it('the multiclusterdns DNSEndpoint has the same endpoint schema, plus CAA and status conditions', () => {
    const ours = flatten(schemaOf(crd(FILES.endpoint)));
    for (const [path, constraints] of Object.entries(EXTERNAL_DNS_SCHEMA)) {
      if (path === '.spec.endpoints[].recordType') expect(ours[path]).toEqual({ ...constraints, enum: [...(constraints['enum'] as string[]), 'CAA'] });
      else expect(ours[path], path).toEqual(constraints);
    }
    expect(ours['.status.conditions[]']).toEqual({ type: 'object', required: ['status', 'type'] });
  });
});

/** Rendered DNSEndpoints covering every shape kfed produces. */
function renderedObjects(): DNSEndpoint[] {
  const fed = domain('myfed', 'example.com');
  const dns: ClusterDNS[] = [
    cdns('cluster-1', 'us-east-1', ['us-east-1a'], [LB1, LB6A]),
    cdns('cluster-2', 'eu-west-1', ['eu-west-1a'], [LB2]),
    cdns('cluster-3', 'eu-west-1', ['eu-west-1b']),
    cdns('cluster-4', 'ap-south-1', ['ap-south-1a'], [ELB1]),
  ];
  const out: DNSEndpoint[] = [];
  for (const routing of [undefined, { policy: 'latency' as const }, { policy: 'weighted' as const, weights: { 'cluster-1': 3 } }, { policy: 'failover' as const, primary: ['cluster-1'] }, { policy: 'geo' as const, geo: { 'cluster-1': ['continent:NA'], 'cluster-2': ['*'] } }]) {
    const rec = serviceRecord('go-app', 'go-app', { domainRef: 'myfed', recordTTL: 30, dnsPrefix: 'go', ...(routing ? { routing } : {}) });
    out.push(buildDNSEndpoint('service', rec, renderServiceEndpoints(rec, fed, dns).endpoints));
  }
  const ing = ingressRecord(['web.example.com', '*.apps.example.com'], [cdns('c1', 'us', undefined, [LB1]), cdns('c2', 'eu', undefined, [LB3])]);
  out.push(buildDNSEndpoint('ingress', ing, renderIngressEndpoints(ing).endpoints));
  return out;
}

describe('rendered DNSEndpoints validate against the CRD schemas', () => {
  const objects = renderedObjects();

  it('covers A, AAAA, CNAME, set identifiers and providerSpecific', () => {
    const all = objects.flatMap((o) => o.spec.endpoints);
    expect(new Set(all.map((e) => e.recordType))).toEqual(new Set(['A', 'AAAA', 'CNAME']));
    expect(all.some((e) => e.setIdentifier && e.providerSpecific?.length)).toBe(true);
  });

  it.each(objects.map((o, i) => [i, o] as const))("object %i is valid for external-dns's DNSEndpoint schema", (_i, obj) => {
    const asExternal = { ...obj, apiVersion: 'externaldns.k8s.io/v1alpha1' };
    expect(validate(schemaOf(crd(FILES.externaldns)), asExternal)).toEqual([]);
    expect(validate(schemaOf(crd(FILES.endpoint)), obj)).toEqual([]);
  });

  it('the validator is not vacuous: it rejects wrong types, missing fields, unknown fields and bad names', () => {
    const s = schemaOf(crd(FILES.externaldns));
    const bad = {
      apiVersion: 'externaldns.k8s.io/v1alpha1',
      kind: 'DNSEndpoint',
      metadata: { name: 'x' },
      spec: {
        endpoints: [
          { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: '30' },
          { dnsName: 'b.example.com', targets: ['192.0.2.1'] },
          { dnsName: 'c.example.com', recordType: 'A', targets: ['192.0.2.1'], weight: 3 },
          { dnsName: 'bad name.example.com', recordType: 'A', targets: ['192.0.2.1'] },
          { dnsName: 'd.example.com', recordType: 'CAA', targets: [''], recordTTL: -1, providerSpecific: [{ value: 'v' }] },
        ],
      },
    };
    expect(validate(s, bad)).toEqual([
      'spec.endpoints[0].recordTTL: expected integer, got string',
      'spec.endpoints[1]: missing required field recordType',
      'spec.endpoints[2].weight: unknown field (the API server would prune it)',
      expect.stringMatching(/^spec\.endpoints\[3\]\.dnsName: .* does not match/),
      expect.stringMatching(/^spec\.endpoints\[4\]\.recordType: "CAA" not in enum/),
      'spec.endpoints[4].targets[0]: shorter than 1',
      'spec.endpoints[4].recordTTL: below minimum 0',
      'spec.endpoints[4].providerSpecific[0]: missing required field name',
    ]);
  });
});

// The DNS part of the shared go-app example manifest, verbatim.
const GO_APP_DNS = `
apiVersion: multiclusterdns.kubefed.io/v1alpha1
kind: Domain
metadata:
  name: myfed
  namespace: kube-federation-system
domain: example.com
---
apiVersion: multiclusterdns.kubefed.io/v1alpha1
kind: ServiceDNSRecord
metadata:
  name: go-app
  namespace: go-app
spec:
  domainRef: myfed
  recordTTL: 30
  dnsPrefix: go
`;

describe('records and domains validate against their CRDs', () => {
  it('the go-app example (Domain, ServiceDNSRecord) is accepted', () => {
    const docs = parseAllDocuments(GO_APP_DNS).map((d) => d.toJS() as KubeObject);
    const dom = docs.find((d) => d.kind === 'Domain');
    const sdr = docs.find((d) => d.kind === 'ServiceDNSRecord');
    expect(dom && validate(schemaOf(crd(FILES.domain)), dom)).toEqual([]);
    expect(sdr && validate(schemaOf(crd(FILES.service)), sdr)).toEqual([]);
  });

  it('a ServiceDNSRecord with routing and computed status is accepted', () => {
    const rec = serviceRecord('go-app', 'go-app', { domainRef: 'myfed', allowServiceWithoutEndpoints: true, externalName: 'web', routing: { policy: 'geo', weights: { a: 1 }, primary: ['a'], geo: { a: ['continent:EU'] } } });
    rec.status = {
      observedGeneration: 1,
      domain: 'example.com',
      dns: computeServiceClusterDNS([{ cluster: 'a', ready: true, region: 'eu', zones: ['eu-a'], service: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'go-app' }, status: { loadBalancer: { ingress: [{ ip: LB1 }, { hostname: ELB1 }] } } }, endpointSlices: [] }], true),
      conditions: [{ type: 'Valid', status: 'True', reason: 'SpecValid', message: 'spec is valid', lastTransitionTime: '2024-05-01T10:00:00Z', observedGeneration: 1 }],
    };
    expect(validate(schemaOf(crd(FILES.service)), rec)).toEqual([]);
  });

  it('an IngressDNSRecord with status is accepted', () => {
    const rec = ingressRecord(['web.example.com'], [cdns('c1', 'us', ['us-1'], [LB1])], { recordTTL: 60, routing: { policy: 'weighted', weights: { c1: 2 } } });
    expect(validate(schemaOf(crd(FILES.ingress)), rec)).toEqual([]);
  });

  it('Kubefed guide objects are accepted unchanged', () => {
    const kubefedDomain = { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'Domain', metadata: { name: 'test-domain', namespace: 'kube-federation-system' }, domain: 'your.domain.name' };
    const kubefedRecord = { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'ServiceDNSRecord', metadata: { name: 'test-service', namespace: 'test-namespace' }, spec: { domainRef: 'test-domain', recordTTL: 300 } };
    const kubefedIngress = { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'IngressDNSRecord', metadata: { name: 'test-ingress', namespace: 'test-namespace' }, spec: { hosts: ['ingress.example.com'], recordTTL: 300 } };
    expect(validate(schemaOf(crd(FILES.domain)), kubefedDomain)).toEqual([]);
    expect(validate(schemaOf(crd(FILES.service)), kubefedRecord)).toEqual([]);
    expect(validate(schemaOf(crd(FILES.ingress)), kubefedIngress)).toEqual([]);
  });
});
