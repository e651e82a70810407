// Client sets for one API server, built from a kubeconfig context, from the in-cluster
// service account, or from a KubeFedCluster's endpoint and token. client-node is used
// for what it does well (kubeconfig parsing, auth plugins); requests go through our
// RestClient. Credentials live only in closures: toJSON/inspect never show them.
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from '../observability/metrics.js';
import { createAgent, type TLSMaterial } from './agent.js';
import { Discovery } from './discovery.js';
import { DynamicClient } from './dynamic-client.js';
import { requestMetrics } from './request-metrics.js';
import { RestClient, type AuthProvider } from './rest-client.js';

export interface ClusterClient {
  /** Cluster name for logs, errors and metric labels. */
  readonly name: string;
  readonly server: string;
  /** Namespace of the kubeconfig context, if it names one. */
  readonly defaultNamespace: string | undefined;
  readonly rest: RestClient;
  readonly dynamic: DynamicClient;
  readonly discovery: Discovery;
  /** Closes pooled connections; in-flight watches end. */
  close(): void;
}

export interface CommonClientOptions {
  /** Default request timeout. Default 30 s. */
  timeoutMs?: number;
  /** Registers rest_client_* metrics when given. */
  registry?: Registry | undefined;
  userAgent?: string;
  /** Client-side request pacing per cluster (client-go QPS/Burst). Default: none. */
  rateLimit?: { qps: number; burst: number };
}

export interface KubeconfigSource {
  kubeconfigPath?: string;
  kubeconfigYaml?: string;
}

/** What `kfed join` needs to describe a member from the user's kubeconfig. */
export interface KubeconfigContextInfo {
  context: string;
  cluster: string;
  server: string;
  /** Base64 PEM, as in kubeconfig `certificate-authority-data` and Kubefed `caBundle`. */
  caData: string | undefined;
  insecureSkipTLSVerify: boolean;
  proxyUrl: string | undefined;
  tlsServerName: string | undefined;
  namespace: string | undefined;
}

function loadKubeConfig(source: KubeconfigSource): KubeConfig {
  const kc = new KubeConfig();
  if (source.kubeconfigYaml !== undefined) kc.loadFromString(source.kubeconfigYaml);
  else if (source.kubeconfigPath !== undefined) kc.loadFromFile(source.kubeconfigPath);
  else throw new Error('kubeconfig: give a path or YAML');
  return kc;
}

function selectContext(kc: KubeConfig, context: string | undefined): string {
  const name = context ?? kc.getCurrentContext();
  if (!name) throw new Error('kubeconfig: no context given and no current-context set');
  if (!kc.getContextObject(name)) {
    const known = kc.getContexts().map((c) => c.name);
    throw new Error(`kubeconfig: context "${name}" not found (available: ${known.join(', ') || 'none'})`);
  }
  kc.setCurrentContext(name);
  return name;
}

export function kubeconfigContexts(source: KubeconfigSource): string[] {
  return loadKubeConfig(source)
    .getContexts()
    .map((c) => c.name);
}

export function kubeconfigCurrentContext(source: KubeconfigSource): string | undefined {
  return loadKubeConfig(source).getCurrentContext() || undefined;
}

export function describeKubeconfigContext(source: KubeconfigSource, context?: string): KubeconfigContextInfo {
  const kc = loadKubeConfig(source);
  const name = selectContext(kc, context);
  const ctx = kc.getContextObject(name);
  const cluster = kc.getCurrentCluster();
  if (!ctx || !cluster) throw new Error(`kubeconfig: context "${name}" names no cluster`);
  const caData = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
  return {
    context: name,
    cluster: cluster.name,
    server: cluster.server,
    caData,
    insecureSkipTLSVerify: cluster.skipTLSVerify,
    proxyUrl: cluster.proxyUrl,
    tlsServerName: cluster.tlsServerName,
    namespace: ctx.namespace,
  };
}

/** Auth headers from client-node (tokens, basic auth, exec and auth-provider plugins), cached briefly. */
function kubeconfigAuth(kc: KubeConfig, ttlMs = 30_000): AuthProvider {
  let cached: { at: number; headers: Record<string, string> } | undefined;
  return {
    async headers(refresh) {
      if (!refresh && cached && Date.now() - cached.at < ttlMs) return cached.headers;
      const opts: { headers?: Record<string, unknown>; auth?: string } = {};
      await kc.applyToHTTPSOptions(opts as never);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.headers ?? {})) {
        // Token files often end with a newline, which is not a legal header character.
        if (typeof v === 'string' || typeof v === 'number') headers[k.toLowerCase()] = String(v).trim();
      }
      if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
      cached = { at: Date.now(), headers };
      return headers;
    },
  };
}

async function tlsFromKubeConfig(kc: KubeConfig): Promise<TLSMaterial> {
  const opts: Record<string, unknown> = {};
  await kc.applyToHTTPSOptions(opts as never);
  const cluster = kc.getCurrentCluster();
  return {
    ca: opts.ca as Buffer | undefined,
    cert: opts.cert as Buffer | undefined,
    key: opts.key as Buffer | undefined,
    servername: cluster?.tlsServerName,
    rejectUnauthorized: cluster?.skipTLSVerify ? false : undefined,
  };
}

function build(
  name: string,
  server: string,
  defaultNamespace: string | undefined,
  tls: TLSMaterial,
  proxyUrl: string | undefined,
  auth: AuthProvider,
  common: CommonClientOptions,
): ClusterClient {
  const agent = createAgent({ server, tls, proxyUrl, maxSockets: 128 });
  const streamAgent = createAgent({ server, tls, proxyUrl });
  const rest = new RestClient({
    server,
    cluster: name,
    auth,
    agent,
    streamAgent,
    ...(common.timeoutMs !== undefined ? { timeoutMs: common.timeoutMs } : {}),
    ...(common.registry ? { metrics: requestMetrics(common.registry) } : {}),
    ...(common.userAgent ? { userAgent: common.userAgent } : {}),
    ...(common.rateLimit ? { rateLimit: common.rateLimit } : {}),
  });
  const client: ClusterClient = {
    name,
    server,
    defaultNamespace,
    rest,
    dynamic: new DynamicClient(rest),
    discovery: new Discovery(rest),
    close: () => rest.close(),
  };
  const safe = (): Record<string, unknown> => ({ name, server });
  Object.defineProperty(client, 'toJSON', { value: safe, enumerable: false });
  Object.defineProperty(client, inspect.custom, { value: () => `ClusterClient(${name} ${server})`, enumerable: false });
  return client;
}

export async function clusterClientFromKubeconfig(
  options: KubeconfigSource & CommonClientOptions & { context?: string; name?: string },
): Promise<ClusterClient> {
  const kc = loadKubeConfig(options);
  const context = selectContext(kc, options.context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig: context "${context}" names no cluster`);
  const ns = kc.getContextObject(context)?.namespace;
  return build(options.name ?? context, cluster.server, ns, await tlsFromKubeConfig(kc), cluster.proxyUrl, kubeconfigAuth(kc), options);
}

/** The pod's service account (token file re-read as kubelet rotates it). */
export async function clusterClientInCluster(options: CommonClientOptions & { name?: string; pathPrefix?: string } = {}): Promise<ClusterClient> {
  const kc = new KubeConfig();
  kc.loadFromCluster(options.pathPrefix);
  const cluster = kc.getCurrentCluster();
  if (!cluster || cluster.server.includes('undefined')) {
    throw new Error('in-cluster config: KUBERNETES_SERVICE_HOST/PORT are not set; not running in a pod?');
  }
  // The pod's namespace (from the service-account mount) is where its Lease and config live.
  const ns = kc.getContextObject(kc.getCurrentContext())?.namespace;
  return build(options.name ?? 'in-cluster', cluster.server, ns, await tlsFromKubeConfig(kc), undefined, kubeconfigAuth(kc, 10_000), options);
}

export interface MemberClusterOptions extends CommonClientOptions {
  name: string;
  apiEndpoint: string;
  /** CA bundle: base64 of PEM (as stored in KubeFedCluster.spec.caBundle) or PEM text. */
  caBundle?: string | Buffer | undefined;
  bearerToken: string;
  /** Kubefed `spec.disabledTLSValidations`: `*` or `SubjectName` (ValidityPeriod is refused). */
  disabledTLSValidations?: readonly string[] | undefined;
  proxyURL?: string | undefined;
}

export function decodeCaBundle(ca: string | Buffer | undefined): Buffer | undefined {
  if (ca === undefined || ca.length === 0) return undefined;
  if (Buffer.isBuffer(ca)) return ca;
  return ca.trimStart().startsWith('-----BEGIN') ? Buffer.from(ca) : Buffer.from(ca, 'base64');
}

/** A member cluster as a KubeFedCluster and its Secret describe it. */
export function clusterClientForMember(options: MemberClusterOptions): ClusterClient {
  if (!options.apiEndpoint) throw new Error(`cluster ${options.name}: apiEndpoint is empty`);
  if (!options.bearerToken) throw new Error(`cluster ${options.name}: bearer token is empty`);
  const server = /^https?:\/\//.test(options.apiEndpoint) ? options.apiEndpoint : `https://${options.apiEndpoint}`;
  const headers = { authorization: `Bearer ${options.bearerToken.trim()}` };
  const tls: TLSMaterial = { ca: decodeCaBundle(options.caBundle), disabledTLSValidations: options.disabledTLSValidations };
  return build(options.name, server, undefined, tls, options.proxyURL || undefined, { headers: async () => headers }, options);
}
