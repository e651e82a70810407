// The propagation test environment, shared by the propagation and security suites: a
// 3-cluster sandbox with the federation CRDs and Kubefed's default types enabled on the
// host (cluster-1, also a member), and kfed's FederatedTypeConfig controller running
// against an in-memory member registry (StaticMembers plays the health controller).
import { parseAllDocuments } from 'yaml';
import { readFile } from 'node:fs/promises';
import type { KubeObject } from '../../src/api/meta.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../src/kube/cluster-client.js';
import type { ResourceRef } from '../../src/kube/resource.js';
import { enableDefaultTypes } from '../../src/kubefedctl/enable.js';
import { syncEventSink } from '../../src/propagation/sync/events.js';
import { TypeConfigController, type TypeConfigControllerOptions } from '../../src/propagation/types/type-config-controller.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import type { SandboxMember } from '../../src/sandbox/member.js';
import { startTestSandbox } from './sandbox-backend.js';
import { installCrds } from './crds.js';
import { staticMembers, type StaticMembers } from './static-members.js';
import { pollUntil } from './until.js';
import { NAMESPACES } from '../../src/api/kubernetes.js';
import { FEDERATED_NAMESPACES } from '../../src/api/federation.js';

export { DEPLOYMENTS, NAMESPACES as NAMESPACES_REF } from '../../src/api/kubernetes.js';
export { FEDERATED_DEPLOYMENTS as FED_DEPLOYMENTS, FEDERATED_NAMESPACES as FED_NAMESPACES } from '../../src/api/federation.js';

export const CLUSTERS = ['cluster-1', 'cluster-2', 'cluster-3'] as const;
export const KUBEFED_NS = 'kube-federation-system';
export const SERVICES: ResourceRef = { group: '', version: 'v1', resource: 'services', namespaced: true, kind: 'Service' };
export const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', resource: 'configmaps', namespaced: true, kind: 'ConfigMap' };
export const FED_SERVICES: ResourceRef = { group: 'types.kubefed.io', version: 'v1beta1', resource: 'federatedservices', namespaced: true, kind: 'FederatedService' };
export const FED_CONFIGMAPS: ResourceRef = { group: 'types.kubefed.io', version: 'v1beta1', resource: 'federatedconfigmaps', namespaced: true, kind: 'FederatedConfigMap' };

export interface Env {
  sb: Sandbox<SandboxMember>;
  host: ClusterClient;
  clients: Record<string, ClusterClient>;
  members: StaticMembers;
  ctl: TypeConfigController;
  /** API write requests counted by every sandbox server so far */
  writes(): number;
  restart(extra?: Partial<TypeConfigControllerOptions>): Promise<void>;
  stopController(): Promise<void>;
  close(): Promise<void>;
}

export function until<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 10_000, every = 20): Promise<T> {
  return pollUntil(fn, ms, every);
}

export async function ensureNamespace(c: ClusterClient, name: string): Promise<void> {
  if (!(await c.dynamic.getIfExists(NAMESPACES, name))) await c.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/** The federation objects of examples/go-app.yaml (the DNS records are left to the DNS tests). */
export async function goAppObjects(): Promise<KubeObject[]> {
  const text = await readFile(new URL('../../examples/go-app.yaml', import.meta.url), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJS() as KubeObject).filter((o) => o && o.apiVersion === 'types.kubefed.io/v1beta1');
}

/** `start` makes the 3-cluster sandbox (default: on the backend KFED_SANDBOX_BACKEND names). */
export async function startEnv(options: Partial<TypeConfigControllerOptions> = {}, start: () => Promise<Sandbox<SandboxMember>> = () => startTestSandbox({ clusters: 3, bookmarkIntervalMs: 500 })): Promise<Env> {
  const sb = await start();
  const clients: Record<string, ClusterClient> = {};
  for (const name of CLUSTERS) clients[name] = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: name, timeoutMs: 3000 });
  const host = clients['cluster-1']!;
  await installCrds(host, 'crds/core');
  await ensureNamespace(host, KUBEFED_NS);
  await enableDefaultTypes(host, KUBEFED_NS);
  await installCrds(host, 'crds/types');
  const members = await staticMembers(sb.kubeconfigYaml, CLUSTERS.map((name) => ({ name, labels: { name } })), 2000);
  let ctl!: TypeConfigController;
  let abort!: AbortController;
  let running: Promise<void> = Promise.resolve();
  const launch = (extra: Partial<TypeConfigControllerOptions>): void => {
    ctl = new TypeConfigController({
      host, members, kubefedNamespace: KUBEFED_NS, clusterTimeoutMs: 2000, memberInformer: { backoffMaxMs: 500 }, events: syncEventSink(host),
      ...options, ...extra,
    });
    abort = new AbortController();
    running = ctl.start(abort.signal);
  };
  launch({});
  const env: Env = {
    sb, host, clients, members,
    get ctl() { return ctl; },
    writes: () => sb.clusters.reduce((s, c) => s + c.counts.writes, 0),
    async stopController() {
      abort.abort();
      await running;
    },
    async restart(extra = {}) {
      await env.stopController();
      launch(extra);
    },
    async close() {
      await env.stopController();
      members.close();
      for (const c of Object.values(clients)) c.close();
      await sb.close();
    },
  };
  return env;
}

/** Member object of `ref` in every cluster (undefined where absent). */
export async function inClusters(env: Env, ref: ResourceRef, namespace: string | undefined, name: string): Promise<Record<string, KubeObject | undefined>> {
  const out: Record<string, KubeObject | undefined> = {};
  for (const c of CLUSTERS) out[c] = await env.clients[c]!.dynamic.getIfExists(ref, name, namespace ? { namespace } : {});
  return out;
}

/** Waits until every running sync controller has an empty, idle queue. */
export async function settled(env: Env, quietMs = 1000): Promise<void> {
  let last = env.writes();
  let since = Date.now();
  await until(() => {
    const w = env.writes();
    if (w !== last) {
      last = w;
      since = Date.now();
      return false;
    }
    return Date.now() - since >= quietMs;
  }, 20_000, 25);
}

/** Creates namespace `ns` on the host and federates it to every member (a FederatedNamespace placed everywhere). */
export async function federateNamespace(env: Env, ns: string): Promise<void> {
  await ensureNamespace(env.host, ns);
  await env.host.dynamic.create(FEDERATED_NAMESPACES, { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedNamespace', metadata: { name: ns, namespace: ns }, spec: { placement: { clusterSelector: {} } } } as KubeObject);
  await until(async () => (await inClusters(env, NAMESPACES, undefined, ns))['cluster-3']);
}
