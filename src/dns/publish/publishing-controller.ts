// The publishing controller (leader only): one key per DNSProvider. A pass builds or
// reuses the provider's adapter, finds its zones, and publishes every zone's desired
// records (see provider-state.ts and zone-publisher.ts); then it writes the
// DNSProvider's status and asks the endpoint-status controller to update the
// `status.providers[]` of each DNSEndpoint involved.
//
// Event-driven: a DNSEndpoint, Domain, DNSProvider or Secret change enqueues the
// providers it may concern, so an edit reaches the provider within a pass (the queue
// coalesces bursts); a periodic resync re-lists zones (records changed behind kfed's
// back). A provider that is down or misconfigured only affects its own key: it gets
// Ready=False with the reason, retries with backoff, and everything else keeps running.
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { DNSProvider, DNSProviderSpec, DNSProviderType } from '../../api/dns-provider.js';
import type { EventRecorder } from '../../clusters/events.js';
import type { KubeObject } from '../../api/meta.js';
import type { DNSEndpoint, DomainObject } from '../../api/multiclusterdns.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { Informer } from '../../kube/informer.js';
import { InformerFactory, type InformerScope } from '../../kube/informer-factory.js';
import type { ResourceRef } from '../../kube/resource.js';
import { selectorMatches } from '../../kube/label-selector.js';
import { recordNamespacesOf, type EndpointScope } from '../ownership.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { Registry } from '../../observability/metrics.js';
import { systemClock, type Clock } from '../../runtime/clock.js';
import type { ReconcileResult } from '../../runtime/controller.js';
import { ControllerBuilder, type ManagedController, type SourceEvent } from '../../runtime/controller-builder.js';
import { errorMessage } from '../../runtime/errors.js';
import type { Runnable } from '../../runtime/runnable.js';
import { hasErrors, validateDomain } from '../records/validate.js';
import { DNS_ENDPOINTS, DOMAINS, EXTERNALDNS_ENDPOINTS } from '../../api/multiclusterdns.js';
import { DNS_PROVIDERS } from '../../api/dns-provider.js';
import { SECRETS as SECRETS_REF } from '../../api/kubernetes.js';
import { EndpointStatusController } from './endpoint-status.js';
import { ProviderError, type Provider, type ProviderContext } from './provider.js';
import { ProviderState, type PassResult } from './provider-state.js';
import { providerStatus, writeProviderStatus } from './provider-status.js';
import { referencedSecrets, validateProviderSpec } from './validate-provider.js';

/**
 * Longest wait before a failed pass is retried. The queue's default (1000 s) suits keys that
 * fail for good; a provider fails for a while (throttled, unreachable) and then answers
 * again, and its next pass is what publishes every record changed meanwhile. Each provider
 * paces its own requests, so retrying at least this often cannot flood it.
 */
export const PUBLISH_RETRY_MAX_MS = 30_000;

export type ProviderFactory = (spec: DNSProviderSpec, ctx: ProviderContext) => Provider;

export interface PublishingOptions {
  host: ClusterClient;
  /** Where DNSProviders, their Secrets and the Domains live. */
  kubefedNamespace: string;
  /** Adapter factory per provider type (the composition root wires providers/*). */
  factories: Partial<Record<DNSProviderType, ProviderFactory>>;
  /** Also publish externaldns.k8s.io DNSEndpoints. Default false: external-dns publishes its own. */
  externalDNS?: boolean;
  /** Where external-dns's DNSEndpoints are read beyond the default scope (../ownership.ts). */
  endpointScope?: Omit<EndpointScope, 'kubefedNamespace' | 'recordNamespaces'> | undefined;
  /** Owner id when a DNSProvider sets none; default derived from the host's kube-system Namespace UID. */
  defaultOwnerId?: string;
  /** Events on DNSEndpoints (conflicts, rejections). */
  events?: EventRecorder;
  /** The process's shared informers (DNSEndpoints and Domains are also watched by the DNS controllers and the serving feed). */
  informers?: InformerFactory;
  /** Default resync when the spec sets none. Default 300 s. */
  resyncMs?: number;
  clock?: Clock | undefined;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
}

export class PublishingController implements Runnable {
  readonly name = 'dns-publishing';
  readonly needLeaderElection = true;
  readonly managed: ManagedController<string>;
  readonly endpointStatus: EndpointStatusController;
  readonly informers: { providers: Informer<DNSProvider>; endpoints: Informer<DNSEndpoint>[]; domains: Informer<DomainObject>; secrets: Informer<KubeObject> };
  private readonly o: PublishingOptions;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly scope: InformerScope;
  private readonly states = new Map<string, ProviderState>();
  private readonly results = new Map<string, PassResult>();
  private ownerId: string | undefined;

  constructor(o: PublishingOptions) {
    this.o = o;
    this.clock = o.clock ?? systemClock;
    this.log = (o.logger ?? silentLogger()).child({ component: 'dns-publishing' });
    const ns = o.kubefedNamespace;
    this.scope = (o.informers ?? new InformerFactory({ logger: o.logger, registry: o.registry })).scope();
    const informer = <T extends KubeObject>(ref: ResourceRef, namespace?: string): Informer<T> => this.scope.informer<T>(o.host, ref, namespace ? { namespace } : {});
    this.informers = {
      providers: informer<DNSProvider>(DNS_PROVIDERS, ns),
      endpoints: [informer<DNSEndpoint>(DNS_ENDPOINTS), ...(o.externalDNS ? [informer<DNSEndpoint>(EXTERNALDNS_ENDPOINTS)] : [])],
      domains: informer<DomainObject>(DOMAINS, ns),
      secrets: informer<KubeObject>(SECRETS_REF, ns),
    };
    const common = { logger: o.logger, registry: o.registry };
    this.endpointStatus = new EndpointStatusController({ host: o.host, endpoints: this.informers.endpoints[0] as Informer<DNSEndpoint>, results: this.results, clock: this.clock, events: o.events, ...common });
    const providerNames = (): string[] => this.informers.providers.list().map((p) => p.metadata.name ?? '');
    // Any source change may concern every provider (there are few); the queue coalesces.
    const all = (): Iterable<string> => providerNames();
    // A DNSEndpoint's status (which this controller writes) does not change what is
    // published: only spec changes (a new generation) start a pass.
    const specChanged = (e: SourceEvent<DNSEndpoint>): Iterable<string> | undefined =>
      e.type !== 'update' || e.old.metadata.generation === undefined || e.old.metadata.generation !== e.obj.metadata.generation ? all() : undefined;
    const builder = new ControllerBuilder<string>(this.name, { workers: 2, queue: { maxDelayMs: PUBLISH_RETRY_MAX_MS }, ...common });
    builder.watch(this.informers.providers, (e) => e.obj.metadata.name ?? '');
    for (const inf of this.informers.endpoints) builder.watch(inf, specChanged);
    builder.watch(this.informers.domains, all).watch(this.informers.secrets, all);
    this.managed = builder
      .waitFor('default owner id', async (signal) => {
        this.ownerId = o.defaultOwnerId ?? (await this.deriveOwnerId(signal));
      })
      .enqueueAllFrom(providerNames)
      .run({ name: 'dns-endpoint-status', run: (signal) => this.endpointStatus.controller.start(signal) })
      .onStop(async () => {
        await Promise.allSettled([...this.states.values()].map((st) => st.close()));
        this.states.clear();
        this.endpointStatus.controller.dispose();
        await this.scope.close();
      })
      .reconcile((key, signal) => this.reconcile(key, signal));
  }

  liveness(): true | string {
    return this.managed.liveness();
  }

  start(signal: AbortSignal): Promise<void> {
    // Every pass and provider call listens on this signal; that is not a leak.
    setMaxListeners(0, signal);
    return this.managed.start(signal);
  }

  private async deriveOwnerId(signal: AbortSignal): Promise<string> {
    for (const name of ['kube-system', this.o.kubefedNamespace]) {
      try {
        const ns = await this.o.host.dynamic.get({ group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' }, name, { signal });
        if (ns.metadata.uid) return `kfed-${createHash('sha256').update(ns.metadata.uid).digest('hex').slice(0, 10)}`;
      } catch (err) {
        this.log.debug({ namespace: name, err: errorMessage(err) }, 'cannot read namespace for the default owner id');
      }
    }
    throw new Error('cannot derive a default DNS owner id: neither kube-system nor the KubeFed namespace is readable; set spec.ownerId');
  }

  private async reconcile(name: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const obj = this.informers.providers.getByName(this.o.kubefedNamespace, name);
    if (!obj || obj.metadata.deletionTimestamp) {
      await this.drop(name);
      return;
    }
    const spec = obj.spec;
    const problems = validateProviderSpec(spec);
    const factory = problems.length === 0 ? this.o.factories[spec.type] : undefined;
    if (problems.length === 0 && !factory) problems.push(`spec.type: provider ${spec.type} is not available in this build`);
    if (problems.length > 0) {
      await this.drop(name);
      await writeProviderStatus(this.o.host, obj, providerStatus(obj, { invalid: problems.join('; ') }, this.clock), signal);
      return;
    }
    const state = await this.stateFor(obj, factory as ProviderFactory);
    const resyncMs = spec.resyncSeconds !== undefined ? spec.resyncSeconds * 1000 : (this.o.resyncMs ?? 300_000);
    const nextResync = state.resyncDue(resyncMs);
    // Only the DNSEndpoints the provider selects (external-dns's --label-filter): two
    // instances, or two teams, can publish different records into one zone.
    const all = this.informers.endpoints.flatMap((i) => i.list());
    const objects = all.filter((e) => spec.endpointSelector === undefined || selectorMatches(spec.endpointSelector, e.metadata.labels));
    // Which namespaces are read comes from every DNSEndpoint; who owns a name, from the selection (../ownership.ts).
    const scope: EndpointScope = { ...this.o.endpointScope, kubefedNamespace: this.o.kubefedNamespace, recordNamespaces: recordNamespacesOf(all) };
    let result: PassResult;
    try {
      result = await state.pass(objects, this.domainsOf(spec), spec.ownerId ?? this.ownerId ?? '', spec.policy ?? 'sync', signal, scope);
    } catch (err) {
      if (signal.aborted) throw err;
      const kind = err instanceof ProviderError ? err.kind : 'error';
      result = { error: { kind, message: errorMessage(err) }, zones: [], records: 0, notes: [], resources: this.results.get(name)?.resources ?? new Map(), requests: 0 };
    }
    this.setResult(name, result);
    await writeProviderStatus(this.o.host, obj, providerStatus(obj, { result }, this.clock), signal);
    if (result.error) {
      this.log.warn({ provider: name, kind: result.error.kind, err: result.error.message }, 'publishing failed; retrying with backoff');
      return { requeue: true };
    }
    return { requeueAfterMs: Math.max(1000, nextResync) };
  }

  private async stateFor(obj: DNSProvider, factory: ProviderFactory): Promise<ProviderState> {
    const name = obj.metadata.name ?? '';
    const secrets = referencedSecrets(obj.spec).map((s) => `${s}@${this.informers.secrets.getByName(this.o.kubefedNamespace, s)?.metadata.resourceVersion ?? 'missing'}`);
    const specKey = JSON.stringify([obj.spec, secrets]);
    const cur = this.states.get(name);
    if (cur && cur.specKey === specKey) return cur;
    if (cur) await cur.close();
    const ctx: ProviderContext = {
      providerName: name,
      ownerId: obj.spec.ownerId ?? this.ownerId ?? '',
      readSecret: async (secret) => this.readSecret(secret),
      logger: this.log.child({ provider: name }),
    };
    const state = new ProviderState(factory(obj.spec, ctx), specKey, this.clock);
    this.states.set(name, state);
    this.log.info({ provider: name, type: obj.spec.type }, 'DNS provider configured');
    return state;
  }

  private async readSecret(name: string): Promise<Record<string, string>> {
    const secret = this.informers.secrets.getByName(this.o.kubefedNamespace, name) as (KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> }) | undefined;
    if (!secret) throw new ProviderError('config', `Secret ${this.o.kubefedNamespace}/${name} not found`);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
    return out;
  }

  /** The provider's domains, or every valid Domain of the KubeFed namespace. */
  private domainsOf(spec: DNSProviderSpec): string[] {
    if (spec.domains && spec.domains.length > 0) return spec.domains;
    return this.informers.domains.list().filter((d) => !d.metadata.deletionTimestamp && !hasErrors(validateDomain(d))).map((d) => d.domain);
  }

  private setResult(name: string, result: PassResult): void {
    const before = this.results.get(name);
    this.results.set(name, result);
    for (const [id, r] of result.resources) {
      r.status.name = name;
      this.endpointStatus.enqueue(id);
    }
    for (const id of before?.resources.keys() ?? []) if (!result.resources.has(id)) this.endpointStatus.enqueue(id);
  }

  private async drop(name: string): Promise<void> {
    const state = this.states.get(name);
    this.states.delete(name);
    if (state) await state.close().catch((err: unknown) => this.log.warn({ provider: name, err: errorMessage(err) }, 'closing DNS provider failed'));
    const before = this.results.get(name);
    this.results.delete(name);
    for (const id of before?.resources.keys() ?? []) this.endpointStatus.enqueue(id);
  }
}
