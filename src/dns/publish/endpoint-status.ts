// `status.providers[]` and the `Programmed` condition of kfed's DNSEndpoints: one entry
// per DNSProvider that publishes any of the DNSEndpoint's records, from the last pass of
// each. `Programmed` is True only when every such provider accepted the records of the
// DNSEndpoint's current generation (never for records merely seen), with that
// generation as observedGeneration. external-dns's DNSEndpoints are published but their
// status is external-dns's, so it is not written.
import type { DNSEndpointProviderStatus } from '../../api/dns-provider.js';
import type { Condition } from '../../api/meta.js';
import type { DNSEndpoint, DNSEndpointStatus } from '../../api/multiclusterdns.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { Informer } from '../../kube/informer.js';
import type { Logger } from '../../observability/logger.js';
import type { Registry } from '../../observability/metrics.js';
import type { EventRecorder } from '../../clusters/events.js';
import type { Clock } from '../../runtime/clock.js';
import { Controller } from '../../runtime/controller.js';
import { mergeCondition } from '../records/record-status.js';
import { DNS_ENDPOINTS } from '../../api/multiclusterdns.js';
import type { PassResult } from './provider-state.js';

export type EndpointStatusWithProviders = DNSEndpointStatus & { providers?: DNSEndpointProviderStatus[] };

export interface EndpointStatusOptions {
  host: ClusterClient;
  /** kfed's DNSEndpoints. */
  endpoints: Informer<DNSEndpoint>;
  /** Last pass per DNSProvider name, shared with the publishing controller. */
  results: ReadonlyMap<string, PassResult>;
  clock: Clock;
  /** Events on DNSEndpoints when a conflict or a rejection appears (or changes). */
  events?: EventRecorder | undefined;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
}

export class EndpointStatusController {
  readonly controller: Controller<string>;
  private readonly o: EndpointStatusOptions;

  constructor(o: EndpointStatusOptions) {
    this.o = o;
    this.controller = new Controller<string>({
      name: 'dns-endpoint-status',
      workers: 2,
      reconcile: async (id, signal) => {
        await this.reconcile(id, signal);
      },
      logger: o.logger,
      registry: o.registry,
    });
  }

  /** Key: the resource id of the source (`dnsendpoint/<ns>/<name>`). */
  enqueue(id: string): void {
    if (id.startsWith('dnsendpoint/')) this.controller.enqueue(id);
  }

  private async reconcile(id: string, signal: AbortSignal): Promise<void> {
    const [, namespace = '', name = ''] = id.split('/');
    const obj = this.o.endpoints.getByName(namespace, name);
    if (!obj || obj.metadata.deletionTimestamp) return;
    const entries: DNSEndpointProviderStatus[] = [];
    for (const result of this.o.results.values()) {
      const r = result.resources.get(id);
      if (r) entries.push({ ...r.status });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const prev = (obj.status ?? {}) as EndpointStatusWithProviders;
    if (entries.length === 0 && !prev.providers) return;
    const generation = obj.metadata.generation ?? 0;
    const next: EndpointStatusWithProviders = { ...prev, observedGeneration: generation, providers: entries };
    if (entries.length === 0) {
      next.conditions = (prev.conditions ?? []).filter((c) => c.type !== 'Programmed');
    } else {
      const done = entries.every((e) => e.programmed && e.observedGeneration === generation);
      const failing = entries.filter((e) => !e.programmed);
      const condition: Condition = done
        ? { type: 'Programmed', status: 'True', reason: 'Programmed', message: `accepted by ${entries.map((e) => e.name).join(', ')}`, observedGeneration: generation }
        : { type: 'Programmed', status: 'False', reason: failing.some((e) => e.message?.includes('OwnedByOther') || e.message?.includes('DuplicateDesired')) ? 'Conflict' : failing.some((e) => e.message?.includes('rejected')) ? 'Rejected' : 'Pending', message: failing.map((e) => `${e.name}: ${e.message ?? 'pending'}`).join('; ').slice(0, 1000), observedGeneration: generation };
      next.conditions = mergeCondition(prev.conditions, condition, () => new Date(this.o.clock.now()));
    }
    if (JSON.stringify(comparable(prev)) === JSON.stringify(comparable(next))) return;
    const was = prev.conditions?.find((c) => c.type === 'Programmed');
    const now = next.conditions?.find((c) => c.type === 'Programmed');
    if (now && now.status === 'False' && (now.reason === 'Conflict' || now.reason === 'Rejected') && (was?.reason !== now.reason || was?.message !== now.message)) {
      this.o.events?.record(obj, 'Warning', now.reason === 'Conflict' ? 'PublishConflict' : 'PublishRejected', now.message ?? '');
    }
    await this.o.host.dynamic.patch(DNS_ENDPOINTS, name, { status: { observedGeneration: generation, providers: next.providers, conditions: next.conditions ?? [] } }, {
      namespace, type: 'merge', subresource: 'status', fieldManager: 'kfed-dns-publishing', signal,
    });
  }
}

function comparable(s: EndpointStatusWithProviders): unknown {
  return { observedGeneration: s.observedGeneration ?? null, providers: s.providers ?? [], conditions: [...(s.conditions ?? [])].sort((a, b) => (a.type < b.type ? -1 : 1)) };
}
