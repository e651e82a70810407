// The publishing pipeline on a sandbox host for end-to-end tests: a Secret and a
// DNSProvider created in the KubeFed namespace, and a PublishingController (with the
// composition root's provider factories) running until `stop()`.
import type { DNSProvider } from '../../src/api/dns-provider.js';
import type { KubeObject } from '../../src/api/meta.js';
import { DNS_PROVIDER_FACTORIES } from '../../src/app/dns-providers.js';
import { createEventRecorder } from '../../src/clusters/events.js';
import { PublishingController, type PublishingOptions } from '../../src/dns/publish/publishing-controller.js';
import { DNS_PROVIDERS } from '../../src/api/dns-provider.js';
import { SECRETS as SECRETS_REF } from '../../src/api/kubernetes.js';
import type { ClusterClient } from '../../src/kube/cluster-client.js';
import { installCrds } from './crds.js';

export const KUBEFED_NS = 'kube-federation-system';

export interface RunningPublisher {
  controller: PublishingController;
  stop(): Promise<void>;
}

/** A Secret in the KubeFed namespace with these string values. */
export function secretOf(name: string, values: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: KUBEFED_NS }, data: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) };
}

/** A DNSProvider in the KubeFed namespace. */
export function providerOf(name: string, spec: DNSProvider['spec']): DNSProvider {
  return { apiVersion: 'dns.kfed.io/v1alpha1', kind: 'DNSProvider', metadata: { name, namespace: KUBEFED_NS }, spec };
}

/** Installs the DNSProvider CRD, creates the objects, and starts a publishing controller. */
export async function startPublishing(host: ClusterClient, objects: { secrets?: KubeObject[]; providers?: DNSProvider[] }, options: Partial<PublishingOptions> = {}): Promise<RunningPublisher> {
  await installCrds(host, 'crds/dns');
  for (const s of objects.secrets ?? []) await host.dynamic.create(SECRETS_REF, s);
  for (const p of objects.providers ?? []) await host.dynamic.create(DNS_PROVIDERS, p);
  const events = createEventRecorder({ client: host.dynamic, component: 'dns-publishing' });
  const controller = new PublishingController({ host, kubefedNamespace: KUBEFED_NS, factories: DNS_PROVIDER_FACTORIES, resyncMs: 60_000, events, ...options });
  const abort = new AbortController();
  const running = controller.start(abort.signal);
  return {
    controller,
    async stop() {
      abort.abort();
      await running;
      await events.flush();
    },
  };
}
