// Shared setup: a fake Cloud DNS on loopback with one public zone, and the adapter
// talking to it through the real @google-cloud/dns with a service-account key made now.
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { encodeRouting, type RoutingInput } from '../../../../src/dns/routing.js';
import { ProviderError, type ProviderContext, type ProviderZone } from '../../../../src/dns/publish/provider.js';
import { CloudDNSProvider, type CloudDNSProviderOptions } from '../../../../providers/clouddns/index.js';
import { serviceAccountKey } from '../../../support/clouddns-fake/credentials.js';
import { FakeCloudDNS, type FakeCloudDNSOptions } from '../../../support/clouddns-fake/server.js';

export const signal = new AbortController().signal;

/** The Compute health check the test DNSProviders name for failover. */
export const HEALTH_CHECK = 'https://www.googleapis.com/compute/v1/projects/kfed-test/global/healthChecks/kfed-fo';

export function context(secrets: Record<string, Record<string, string>>): ProviderContext {
  const quiet = (): void => {};
  return {
    providerName: 'gcp',
    ownerId: 'kfed-test',
    readSecret: async (name) => {
      const s = secrets[name];
      if (!s) throw new ProviderError('config', `secret ${name} not found`);
      return s;
    },
    logger: { debug: quiet, info: quiet, warn: quiet },
  };
}

export interface Harness {
  fake: FakeCloudDNS;
  provider: CloudDNSProvider;
  zone: ProviderZone;
}

export async function startHarness(opts: { fake?: FakeCloudDNSOptions; provider?: CloudDNSProviderOptions } = {}): Promise<Harness> {
  const fake = await new FakeCloudDNS(opts.fake).start();
  fake.addZone({ name: 'example-com', dnsName: 'example.com.', visibility: 'public' });
  const key = serviceAccountKey(fake);
  const provider = new CloudDNSProvider(
    { project: fake.project, endpoint: fake.url, credentialsSecretRef: { name: 'gcp-creds', key: 'credentials.json' }, healthCheck: HEALTH_CHECK },
    context({ 'gcp-creds': { 'credentials.json': key } }),
    { backoffMs: 10, ...opts.provider },
  );
  return { fake, provider, zone: { id: 'example-com', name: 'example.com', visibility: 'public' } };
}

/** A routed endpoint as the renderer writes it. */
export function routed(dnsName: string, targets: string[], r: RoutingInput, recordType: Endpoint['recordType'] = 'A'): Endpoint {
  const props = encodeRouting(r);
  if (!props) throw new Error('no routing properties');
  return { dnsName, recordType, recordTTL: 180, targets, setIdentifier: r.cluster, providerSpecific: props };
}

export function plain(dnsName: string, targets: string[], recordType: Endpoint['recordType'] = 'A'): Endpoint {
  return { dnsName, recordType, recordTTL: 180, targets };
}

export const none = { create: [], updateOld: [], updateNew: [], delete: [] };
