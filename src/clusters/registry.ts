// MemberRegistry backed by the host API: informers on the KubeFedClusters and Secrets of
// the KubeFed namespace, one ClusterClient per member built from the cluster's spec and
// its Secret's token. A client is rebuilt when anything it was built from changes and
// closed (after a short grace, so in-flight calls finish) when replaced or removed.
// Runs on every replica; readiness comes from the KubeFedCluster status the leader's
// health controller writes, so all replicas agree with the API.
import { createHash } from 'node:crypto';
import { isClusterReady, type KubeFedCluster, KUBEFED_CLUSTERS, TOKEN_KEY } from '../api/core.js';
import type { KubeObject } from '../api/meta.js';
import { clusterClientForMember, type ClusterClient } from '../kube/cluster-client.js';
import type { DynamicClient } from '../kube/dynamic-client.js';
import { Informer } from '../kube/informer.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import type { Registry } from '../observability/metrics.js';
import type { Runnable } from '../runtime/runnable.js';
import type { MemberChange, MemberCluster, MemberRegistry } from './member-registry.js';
import { clusterMetrics, type ClusterMetrics } from './metrics.js';
import { SECRETS } from '../api/kubernetes.js';

interface Secret extends KubeObject {
  data?: Record<string, string>;
}

interface Entry {
  member: MemberCluster;
  /** Digest of what the client was built from; the token never sits in a comparable string. */
  clientKey: string | undefined;
  /** Why there is no client (missing Secret, bad TLS setting...); never contains credentials. */
  clientError: string | undefined;
}

export interface KubeFedClusterRegistryOptions {
  host: DynamicClient;
  namespace: string;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
  /** Default request timeout of member clients. Default 30 s. */
  memberTimeoutMs?: number;
  /** How long a replaced client stays open for in-flight calls. Default 10 s. */
  closeGraceMs?: number;
  /** Builds member clients; tests and benchmarks may wrap it. */
  buildClient?: typeof clusterClientForMember;
}

export type ConnectionFailureListener = (name: string, err: unknown) => void;

export class KubeFedClusterRegistry implements MemberRegistry, Runnable {
  readonly name = 'member-registry';
  readonly needLeaderElection = false;
  readonly clusters: Informer<KubeFedCluster>;
  readonly secrets: Informer<Secret>;
  private readonly o: KubeFedClusterRegistryOptions;
  private readonly log: Logger;
  private readonly metrics: ClusterMetrics | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(name: string, change: MemberChange) => void>();
  private readonly failureListeners = new Set<ConnectionFailureListener>();
  private readonly closing = new Map<ReturnType<typeof setTimeout>, ClusterClient>();

  constructor(options: KubeFedClusterRegistryOptions) {
    this.o = options;
    this.log = (options.logger ?? silentLogger()).child({ component: 'member-registry' });
    this.metrics = options.registry ? clusterMetrics(options.registry) : undefined;
    const common = { client: options.host, namespace: options.namespace, logger: options.logger ?? silentLogger(), registry: options.registry };
    this.clusters = new Informer<KubeFedCluster>({ ...common, resource: KUBEFED_CLUSTERS });
    this.secrets = new Informer<Secret>({ ...common, resource: SECRETS });
    this.clusters.addHandlers({
      onAdd: (c) => this.refresh(c.metadata.name ?? ''),
      onUpdate: (_o, c) => this.refresh(c.metadata.name ?? ''),
      onDelete: (c) => this.refresh(c.metadata.name ?? ''),
    });
    const bySecret = (s: Secret): void => {
      for (const c of this.clusters.list()) if (c.spec?.secretRef?.name === s.metadata.name) this.refresh(c.metadata.name ?? '');
    };
    this.secrets.addHandlers({ onAdd: bySecret, onUpdate: (_o, s) => bySecret(s), onDelete: bySecret });
  }

  async start(signal: AbortSignal): Promise<void> {
    try {
      await Promise.all([this.clusters.start(signal), this.secrets.start(signal)]);
    } finally {
      this.closeAll();
    }
  }

  /** Resolves once both informers have listed. */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([this.clusters.waitForSync(signal), this.secrets.waitForSync(signal)]);
  }

  hasSynced(): boolean {
    return this.clusters.hasSynced() && this.secrets.hasSynced();
  }

  list(): MemberCluster[] {
    return [...this.entries.values()].map((e) => e.member).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): MemberCluster | undefined {
    return this.entries.get(name)?.member;
  }

  /** The KubeFedCluster as cached (do not mutate). */
  cluster(name: string): KubeFedCluster | undefined {
    return this.clusters.getByName(this.o.namespace, name);
  }

  /** Why a member has no client, for status messages; undefined when it has one. */
  clientError(name: string): string | undefined {
    return this.entries.get(name)?.clientError;
  }

  subscribe(fn: (name: string, change: MemberChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  reportConnectionFailure(name: string, err: unknown): void {
    if (!this.entries.has(name)) return;
    for (const l of this.failureListeners) {
      try {
        l(name, err);
      } catch (hookErr) {
        this.log.error({ cluster: name, err: String(hookErr) }, 'connection-failure listener threw');
      }
    }
  }

  /** The health controller's fast path listens here. */
  onConnectionFailure(fn: ConnectionFailureListener): () => void {
    this.failureListeners.add(fn);
    return () => this.failureListeners.delete(fn);
  }

  private refresh(name: string): void {
    if (!name) return;
    const cluster = this.cluster(name);
    const prev = this.entries.get(name);
    if (!cluster) {
      if (!prev) return;
      this.entries.delete(name);
      this.retire(prev.member.client);
      this.metrics?.joinedClusters.set(this.entries.size);
      this.log.info({ cluster: name }, 'member removed');
      this.emit(name, 'removed');
      return;
    }
    const { client, clientKey, clientError } = this.clientFor(cluster, prev);
    if (prev?.member.client && prev.member.client !== client) this.retire(prev.member.client);
    const member: MemberCluster = Object.freeze({
      name,
      ready: isClusterReady(cluster),
      region: cluster.status?.region || undefined,
      zones: Object.freeze([...(cluster.status?.zones ?? [])]),
      labels: Object.freeze({ ...(cluster.metadata.labels ?? {}) }),
      client,
    });
    this.entries.set(name, { member, clientKey, clientError });
    this.metrics?.joinedClusters.set(this.entries.size);
    if (!prev) {
      this.log.info({ cluster: name, ready: member.ready, hasClient: client !== undefined }, 'member added');
      this.emit(name, 'added');
      return;
    }
    const p = prev.member;
    if (p.ready !== member.ready) {
      this.log.info({ cluster: name, ready: member.ready }, 'member readiness changed');
      this.emit(name, member.ready ? 'ready' : 'notReady');
    }
    const same = p.client === member.client && p.region === member.region && sameList(p.zones, member.zones) && sameLabels(p.labels, member.labels);
    if (!same) {
      if (p.client !== member.client) this.log.info({ cluster: name, hasClient: client !== undefined, error: clientError }, 'member client rebuilt');
      this.emit(name, 'updated');
    }
  }

  private clientFor(cluster: KubeFedCluster, prev: Entry | undefined): { client: ClusterClient | undefined; clientKey: string | undefined; clientError: string | undefined } {
    const name = cluster.metadata.name ?? '';
    const secretName = cluster.spec?.secretRef?.name;
    if (!secretName) return { client: undefined, clientKey: undefined, clientError: 'spec.secretRef.name is empty' };
    const secret = this.secrets.getByName(this.o.namespace, secretName);
    if (!secret) return { client: undefined, clientKey: undefined, clientError: `secret ${this.o.namespace}/${secretName} not found` };
    const encoded = secret.data?.[TOKEN_KEY];
    const token = encoded ? Buffer.from(encoded, 'base64').toString('utf8').trim() : '';
    if (!token) return { client: undefined, clientKey: undefined, clientError: `secret ${this.o.namespace}/${secretName} has no "${TOKEN_KEY}" key` };
    const spec = cluster.spec;
    const key = createHash('sha256')
      .update(JSON.stringify([spec.apiEndpoint, spec.caBundle ?? '', spec.disabledTLSValidations ?? [], spec.proxyURL ?? '', token]))
      .digest('hex');
    if (prev && prev.clientKey === key) return { client: prev.member.client, clientKey: key, clientError: prev.clientError };
    const started = performance.now();
    try {
      const build = this.o.buildClient ?? clusterClientForMember;
      const client = build({
        name,
        apiEndpoint: spec.apiEndpoint,
        caBundle: spec.caBundle,
        bearerToken: token,
        disabledTLSValidations: spec.disabledTLSValidations,
        proxyURL: spec.proxyURL,
        timeoutMs: this.o.memberTimeoutMs ?? 30_000,
        userAgent: 'kfed-controller',
        registry: this.o.registry,
      });
      return { client, clientKey: key, clientError: undefined };
    } catch (err) {
      // The message describes the configuration problem; it is built without the token.
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn({ cluster: name, err: message }, 'cannot build member client');
      return { client: undefined, clientKey: key, clientError: message };
    } finally {
      this.metrics?.clientConnectionDuration.observe((performance.now() - started) / 1000);
    }
  }

  private retire(client: ClusterClient | undefined): void {
    if (!client) return;
    const t = setTimeout(() => {
      this.closing.delete(t);
      client.close();
    }, this.o.closeGraceMs ?? 10_000);
    t.unref();
    this.closing.set(t, client);
  }

  private closeAll(): void {
    for (const [t, client] of this.closing) {
      clearTimeout(t);
      client.close();
    }
    this.closing.clear();
    for (const e of this.entries.values()) e.member.client?.close();
  }

  private emit(name: string, change: MemberChange): void {
    for (const l of this.listeners) {
      try {
        l(name, change);
      } catch (err) {
        this.log.error({ cluster: name, change, err: String(err) }, 'member listener threw');
      }
    }
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
