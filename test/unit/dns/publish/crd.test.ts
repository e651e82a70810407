// The DNSProvider CRD ('dnsproviders.dns.kfed.io.yaml') against src/api/dns-provider.ts:
// structural, accepting every field the types declare (spec and status), rejecting
// what the enums exclude, and the printer columns `kubectl get dnsproviders` shows.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DNSProvider } from '../../../../src/api/dns-provider.js';
import type { DNSEndpoint } from '../../../../src/api/multiclusterdns.js';
import type { EndpointStatusWithProviders } from '../../../../src/dns/publish/endpoint-status.js';
import { loadCRD, structuralProblems, validate, type Schema } from '../structural-schema.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const crd = loadCRD(join(ROOT, 'crds/dns', 'dnsproviders.dns.kfed.io.yaml'));
const schema = crd.spec.versions[0]?.schema.openAPIV3Schema as Schema;

const full: DNSProvider = {
  apiVersion: 'dns.kfed.io/v1alpha1',
  kind: 'DNSProvider',
  metadata: { name: 'bind', namespace: 'kube-federation-system' },
  spec: {
    type: 'rfc2136',
    domains: ['example.com'],
    endpointSelector: { matchLabels: { team: 'web' }, matchExpressions: [{ key: 'kfed.io/instance', operator: 'DoesNotExist' }] },
    policy: 'sync',
    ownerId: 'prod-eu',
    resyncSeconds: 60,
    rfc2136: { server: '127.0.0.1:53', zone: 'example.com', tsigKeyName: 'kfed-key', tsigAlgorithm: 'hmac-sha256', tsigSecretRef: { name: 'bind-tsig', key: 'secret' } },
    route53: { endpoint: 'http://127.0.0.1:5000', region: 'us-east-1', credentialsSecretRef: { name: 'aws-creds' }, zoneType: 'public', zoneIds: ['Z1'], healthChecks: 'managed' },
    cloudDNS: { project: 'p', endpoint: 'http://127.0.0.1:8089', credentialsSecretRef: { name: 'gcp', key: 'credentials.json' }, zoneVisibility: 'any', healthCheck: 'https://www.googleapis.com/compute/v1/projects/p/global/healthChecks/go' },
  },
  status: {
    observedGeneration: 2,
    records: 12,
    notes: ['failover: the healthy primaries are published'],
    zones: [{ zone: 'example.com', records: 12, lastSync: '2026-12-04T00:00:00Z', lastError: 'x' }],
    conditions: [{ type: 'Ready', status: 'True', reason: 'Available', message: 'm', lastTransitionTime: '2026-12-04T00:00:00Z', observedGeneration: 2 }],
  },
};

describe('DNSProvider CRD', () => {
  it('is structural and accepts every field of the API types', () => {
    expect(structuralProblems(schema)).toEqual([]);
    expect(validate(schema, full)).toEqual([]);
  });

  it('rejects an unknown type and policy', () => {
    const bad = structuredClone(full) as unknown as { spec: Record<string, unknown> };
    bad.spec.type = 'powerdns';
    bad.spec.policy = 'everything';
    expect(validate(schema, bad).length).toBe(2);
  });

  it('an invalid endpointSelector is a spec problem naming the field', async () => {
    const { validateProviderSpec } = await import('../../../../src/dns/publish/validate-provider.js');
    const { route53: _r, cloudDNS: _c, ...rest } = full.spec;
    const spec = { ...rest, endpointSelector: { matchExpressions: [{ key: 'team', operator: 'In' as const, values: [] }] } };
    expect(validateProviderSpec(spec)).toEqual([expect.stringMatching(/^spec\.endpointSelector: matchExpressions\[0\]/)]);
  });

  it('prints TYPE, READY, RECORDS and AGE', () => {
    const cols = (crd.spec.versions[0] as unknown as { additionalPrinterColumns: { name: string }[] }).additionalPrinterColumns.map((c) => c.name.toUpperCase());
    expect(cols).toEqual(['TYPE', 'READY', 'RECORDS', 'AGE']);
  });

  it("kfed's DNSEndpoint CRD accepts status.providers[] as the publisher writes it", () => {
    const ep = loadCRD(join(ROOT, 'crds/multiclusterdns', 'dnsendpoints.multiclusterdns.kubefed.io.yaml'));
    const status: EndpointStatusWithProviders = {
      providers: [{ name: 'bind', programmed: true, observedGeneration: 3, records: 4, lastPublished: '2026-12-04T00:00:00Z' }, { name: 'r53', programmed: false, records: 0, message: 'go.example.com A: OwnedByOther' }],
      conditions: [{ type: 'Programmed', status: 'False', reason: 'Conflict', message: 'r53: ...', observedGeneration: 3, lastTransitionTime: '2026-12-04T00:00:00Z' }],
    };
    const obj: DNSEndpoint = { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'DNSEndpoint', metadata: { name: 'service-x' }, spec: { endpoints: [] }, status };
    expect(validate(ep.spec.versions[0]?.schema.openAPIV3Schema as Schema, obj)).toEqual([]);
  });
});

describe('examples/dnsproviders.yaml', () => {
  it('holds one valid DNSProvider per type, each accepted by the CRD and by the controller', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseAllDocuments } = await import('yaml');
    const { validateProviderSpec } = await import('../../../../src/dns/publish/validate-provider.js');
    const docs = parseAllDocuments(readFileSync(join(ROOT, 'examples/dnsproviders.yaml'), 'utf8')).map((d) => d.toJS() as DNSProvider).filter(Boolean);
    expect(docs.map((d) => d.spec.type).sort()).toEqual(['clouddns', 'rfc2136', 'route53']);
    for (const d of docs) {
      expect(validate(schema, d), d.metadata.name).toEqual([]);
      expect(validateProviderSpec(d.spec), d.metadata.name).toEqual([]);
    }
  });
});
