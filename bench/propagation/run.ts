// Propagation benchmark: N FederatedDeployments x M clusters on a sandbox running in its
// own process, with kfed's FederatedTypeConfig/sync controllers in this one. Reports time
// to converge, member writes per (object, cluster) on first sync, writes during an idle
// resync and after a controller restart, p50/p99 from a template edit to every member
// updated, controller heap, and the raw write rate of the same sandbox through a plain
// client loop (the ratio is throughput / raw rate).
//
// Writes are counted at the client, per request kfed sends: the sandbox runs in another
// process, and nothing else writes to it during the measured phases.
import type { KubeObject } from '../../src/api/meta.js';
import type { FederatedObject } from '../../src/api/federation.js';
import type { MemberChange, MemberCluster, MemberRegistry } from '../../src/clusters/member-registry.js';
import { installCrds } from '../../src/app/host-setup.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../src/kube/cluster-client.js';
import { Informer } from '../../src/kube/informer.js';
import type { ResourceRef } from '../../src/kube/resource.js';
import { DEFAULT_FEDERATED_TYPES } from '../../src/propagation/types/default-types.js';
import { federatedTypeConfigFor } from '../../src/propagation/types/federated-crd.js';
import { TypeConfigController } from '../../src/propagation/types/type-config-controller.js';
import { startSandboxProcess } from '../support/sandbox-process.js';
import { FEDERATED_TYPE_CONFIGS } from '../../src/api/core.js';
import { NAMESPACES } from '../../src/api/kubernetes.js';

const NS = 'bench';
const KUBEFED_NS = 'kube-federation-system';
const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true, kind: 'Deployment' };
const FED_DEPLOYMENTS: ResourceRef = { group: 'types.kubefed.io', version: 'v1beta1', resource: 'federateddeployments', namespaced: true, kind: 'FederatedDeployment' };
const FED_NAMESPACES: ResourceRef = { group: 'types.kubefed.io', version: 'v1beta1', resource: 'federatednamespaces', namespaced: true, kind: 'FederatedNamespace' };

interface Counter { writes: number }

/** A client whose non-GET requests are counted. */
async function countedClient(yaml: string, context: string, counter: Counter): Promise<ClusterClient> {
  const c = await clusterClientFromKubeconfig({ kubeconfigYaml: yaml, context, name: context, timeoutMs: 60_000 });
  const rest = c.rest as unknown as { request: (o: { method: string }) => Promise<unknown> };
  const orig = rest.request.bind(rest);
  rest.request = (o) => {
    if (o.method !== 'GET') counter.writes++;
    return orig(o);
  };
  return c;
}

class Members implements MemberRegistry {
  constructor(private readonly members: MemberCluster[]) {}
  list(): MemberCluster[] { return this.members; }
  get(name: string): MemberCluster | undefined { return this.members.find((m) => m.name === name); }
  subscribe(_fn: (name: string, change: MemberChange) => void): () => void { return () => undefined; }
  reportConnectionFailure(): void {}
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function pool(total: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await op(next++);
  }));
  return (performance.now() - t0) / 1000;
}

async function until(fn: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`bench: ${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function quiet(count: () => number, ms: number): Promise<void> {
  let last = count();
  let since = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    if (count() !== last) {
      last = count();
      since = Date.now();
    } else if (Date.now() - since >= ms) return;
  }
}

function fedDeployment(i: number, image = 'example.org/app:1'): FederatedObject {
  const name = `app-${i}`;
  return {
    apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment', metadata: { name, namespace: NS },
    spec: {
      template: { metadata: { labels: { app: name } }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } } } },
      placement: { clusterSelector: {} },
    },
  };
}

function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

export interface PropagationFigures { [k: string]: number }

export async function runOne(n: number, m: number, edits = 200): Promise<PropagationFigures> {
  const sb = await startSandboxProcess(m, ['--max-old-space-size=8192']);
  const counters: Counter[] = Array.from({ length: m }, () => ({ writes: 0 }));
  const hostCounter: Counter = { writes: 0 };
  const clients: ClusterClient[] = [];
  let ctl: TypeConfigController | undefined;
  let abort = new AbortController();
  const out: PropagationFigures = { n, m };
  try {
    for (let i = 0; i < m; i++) clients.push(await countedClient(sb.kubeconfigYaml, `cluster-${i + 1}`, counters[i]!));
    const host = await countedClient(sb.kubeconfigYaml, 'cluster-1', hostCounter);
    clients.push(host);
    await installCrds(host);
    await host.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: KUBEFED_NS } });
    for (const t of DEFAULT_FEDERATED_TYPES.filter((x) => x.kind === 'Deployment' || x.kind === 'Namespace')) {
      await host.dynamic.create(FEDERATED_TYPE_CONFIGS, federatedTypeConfigFor(t, { namespace: KUBEFED_NS }));
    }
    for (const c of clients.slice(0, m)) await c.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await host.dynamic.create(FED_NAMESPACES, { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedNamespace', metadata: { name: NS, namespace: NS }, spec: { placement: { clusterSelector: {} } } } as KubeObject);
    const members = new Members(clients.slice(0, m).map((client, i) => ({ name: `cluster-${i + 1}`, ready: true, region: undefined, zones: [], labels: {}, client })));
    const start = (): void => {
      abort = new AbortController();
      ctl = new TypeConfigController({ host, members, kubefedNamespace: KUBEFED_NS, workers: 64, clusterConcurrency: m, clusterTimeoutMs: 30_000 });
      void ctl.start(abort.signal);
    };
    start();
    await until(() => ctl!.syncController('deployments.apps')?.controller.isRunning === true, 30_000, 'sync controller running');
    const memberWrites = (): number => counters.reduce((s, c) => s + c.writes, 0);
    const allWrites = (): number => memberWrites() + hostCounter.writes;
    await quiet(allWrites, 1000);

    // first sync
    const before = memberWrites();
    const hostBefore = hostCounter.writes;
    const t0 = performance.now();
    await pool(n, 32, (i) => host.dynamic.create(FED_DEPLOYMENTS, fedDeployment(i)));
    const sync = ctl!.syncController('deployments.apps')!;
    const converged = (): boolean => {
      if (sync.federated.size < n) return false;
      for (const f of sync.federated.list()) {
        const cond = f.status?.conditions?.[0];
        if (cond?.status !== 'True' || (f.status?.clusters?.length ?? 0) !== m) return false;
      }
      return true;
    };
    await until(converged, 30 * 60_000, 'convergence');
    const seconds = (performance.now() - t0) / 1000;
    out.convergeSeconds = seconds;
    out.memberWritesPerObjectCluster = (memberWrites() - before) / (n * m);
    out.throughputMemberWritesPerSecond = (memberWrites() - before) / seconds;
    out.hostWritesPerObject = (hostCounter.writes - hostBefore) / n;
    // every API write kfed made (members and host, the user's N creates excluded), per second
    out.throughputApiWritesPerSecond = (memberWrites() - before + hostCounter.writes - hostBefore - n) / seconds;
    await quiet(allWrites, 2000);
    out.controllerHeapMb = heapMb();

    // idle resync: every object reconciled again with nothing changed
    let w0 = allWrites();
    sync.enqueueAll();
    await until(() => sync.controller.queue.length === 0, 120_000, 'resync drained');
    await quiet(allWrites, 1500);
    out.idleResyncWrites = allWrites() - w0;

    // controller restart on an unchanged world
    w0 = allWrites();
    abort.abort();
    await new Promise((r) => setTimeout(r, 200));
    start();
    await until(() => ctl!.syncController('deployments.apps')?.controller.isRunning === true, 60_000, 'restart');
    const restarted = ctl!.syncController('deployments.apps')!;
    await until(() => restarted.controller.queue.length === 0, 120_000, 'restart drained');
    await quiet(allWrites, 1500);
    out.restartWrites = allWrites() - w0;

    // template edit -> every member updated
    const watchers: Informer[] = clients.slice(0, m).map((c, i) => new Informer({ client: c.dynamic, resource: DEPLOYMENTS, namespace: NS, cluster: `watch-${i}` }));
    const watchAbort = new AbortController();
    for (const w of watchers) void w.start(watchAbort.signal);
    await Promise.all(watchers.map((w) => w.waitForSync()));
    const pending = new Map<string, { at: number; seen: Set<number>; image: string }>();
    const lat: number[] = [];
    watchers.forEach((w, idx) => w.addHandlers({
      onUpdate: (_o, obj) => {
        const p = pending.get(obj.metadata.name ?? '');
        const image = (obj.spec as { template?: { spec?: { containers?: { image?: string }[] } } }).template?.spec?.containers?.[0]?.image;
        if (!p || image !== p.image) return;
        p.seen.add(idx);
        if (p.seen.size === m) {
          lat.push(performance.now() - p.at);
          pending.delete(obj.metadata.name ?? '');
        }
      },
    }));
    const k = Math.min(edits, n);
    for (let i = 0; i < k; i++) {
      const name = `app-${i}`;
      const image = 'example.org/app:2';
      pending.set(name, { at: performance.now(), seen: new Set(), image });
      await host.dynamic.patch(FED_DEPLOYMENTS, name, { spec: { template: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } } } }, { namespace: NS, type: 'merge' });
      await new Promise((r) => setTimeout(r, 20));
    }
    await until(() => pending.size === 0, 60_000, 'edits propagated');
    watchAbort.abort();
    lat.sort((a, b) => a - b);
    out.editP50Ms = pct(lat, 50);
    out.editP99Ms = pct(lat, 99);

    // raw write rate: plain creates through the same client type, same clusters
    const rawNs = 'raw';
    for (const c of clients.slice(0, m)) await c.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: rawNs } });
    const rawTotal = Math.min(n * m, 5000);
    const rawSeconds = await pool(rawTotal, 64, (i) => clients[i % m]!.dynamic.create(DEPLOYMENTS, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `raw-${i}`, namespace: rawNs },
      spec: { replicas: 1, selector: { matchLabels: { app: 'raw' } }, template: { metadata: { labels: { app: 'raw' } }, spec: { containers: [{ name: 'app', image: 'example.org/app:1' }] } } },
    } as KubeObject));
    out.rawWritesPerSecond = rawTotal / rawSeconds;
    out.throughputRatio = out.throughputMemberWritesPerSecond / out.rawWritesPerSecond;
    out.apiWriteRatio = out.throughputApiWritesPerSecond / out.rawWritesPerSecond;
    return out;
  } finally {
    abort.abort();
    await new Promise((r) => setTimeout(r, 200));
    for (const c of clients) c.close();
    await sb.stop();
  }
}

export async function runPropagationBench(configs: readonly [number, number][] = [[1000, 3], [1000, 10]]): Promise<PropagationFigures[]> {
  const results: PropagationFigures[] = [];
  for (const [n, m] of configs) {
    const r = await runOne(n, m);
    results.push(r);
    console.log(
      `N=${n} M=${m}: converged in ${r.convergeSeconds!.toFixed(1)} s; member writes per (object, cluster) ${r.memberWritesPerObjectCluster!.toFixed(3)}; ` +
        `idle resync writes ${r.idleResyncWrites}; restart writes ${r.restartWrites}; edit->all members p50 ${r.editP50Ms!.toFixed(0)} ms p99 ${r.editP99Ms!.toFixed(0)} ms; ` +
        `host writes per object ${r.hostWritesPerObject!.toFixed(2)} (incl. the N creates); controller heap ${r.controllerHeapMb!.toFixed(0)} MB; throughput ${r.throughputMemberWritesPerSecond!.toFixed(0)} member writes/s vs raw ${r.rawWritesPerSecond!.toFixed(0)}/s (ratio ${r.throughputRatio!.toFixed(2)}); all kfed API writes ${r.throughputApiWritesPerSecond!.toFixed(0)}/s (ratio ${r.apiWriteRatio!.toFixed(2)})`,
    );
  }
  return results;
}

const invokedDirectly = process.argv[1]?.endsWith('bench/propagation/run.ts');
if (invokedDirectly) {
  const configs = process.argv.slice(2).map((a) => a.split('x').map(Number) as [number, number]);
  runPropagationBench(configs.length > 0 ? configs : undefined).catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
