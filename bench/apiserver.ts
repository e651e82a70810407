// Sandbox API server throughput: concurrent writes over HTTPS with client-node, a list of
// 100,000 objects, watch fan-out, and memory per stored object. The server runs in its
// own process (started with --expose-gc so memory is read after a collection).
import https from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { startSandboxProcess } from './support/sandbox-process.js';

/**
 * client-node builds a new https.Agent for every request, so each call pays a TLS handshake.
 * kfed's own client keeps connections alive; this gives client-node one shared keep-alive
 * agent per cluster so the benchmark measures the server rather than handshakes.
 */
function keepAlive(kc: k8s.KubeConfig): k8s.KubeConfig {
  const target = kc as unknown as { createAgent: (cluster: unknown, opts: Record<string, unknown>) => unknown };
  const original = target.createAgent.bind(kc);
  let agent: unknown;
  target.createAgent = (cluster, opts) => (agent ??= original(cluster, { ...opts, keepAlive: true, maxSockets: 64 }));
  return kc;
}

/** A minimal keep-alive JSON client (what kfed's own REST layer does). */
function leanClient(server: string, ca: string, token: string): (method: string, path: string, body: unknown) => Promise<void> {
  const agent = new https.Agent({ keepAlive: true, ca, maxSockets: 64 });
  return (method, path, body) => new Promise((resolve, reject) => {
    const req = https.request(`${server}${path}`, { method, agent, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode! < 300 ? resolve() : reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Seconds until a watch stream has delivered `want` events (counted by line, not decoded). */
function countWatchEvents(url: string, ca: string, token: string, want: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => {
        for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) n++;
        if (n >= want) {
          resolve((performance.now() - t0) / 1000);
          req.destroy();
        }
      });
      res.on('end', () => reject(new Error(`watch ended after ${n} of ${want} events`)));
    });
    req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
    req.end();
  });
}

async function fetchJson(url: string, ca: string, token: string): Promise<{ items: unknown[] }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ca, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { items: unknown[] }));
    });
    req.on('error', reject);
    req.end();
  });
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function pool(total: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<{ seconds: number; lat: number[] }> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      const s = performance.now();
      await op(i);
      lat.push(performance.now() - s);
    }
  }));
  lat.sort((a, b) => a - b);
  return { seconds: (performance.now() - t0) / 1000, lat };
}

export async function runApiServerBench(opts: { writes?: number; listObjects?: number; watchers?: number; watchEvents?: number } = {}): Promise<Record<string, number>> {
  const writes = opts.writes ?? 20_000;
  const listObjects = opts.listObjects ?? 100_000;
  const watchers = opts.watchers ?? 10;
  const watchEvents = opts.watchEvents ?? 5_000;
  const sb = await startSandboxProcess(1, ['--expose-gc', '--max-old-space-size=4096']);
  const out: Record<string, number> = {};
  try {
    const plainKc = new k8s.KubeConfig();
    plainKc.loadFromString(sb.kubeconfigYaml);
    const kc = new k8s.KubeConfig();
    kc.loadFromString(sb.kubeconfigYaml);
    keepAlive(kc);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'bench' } } });

    // client-node as shipped: a new TLS connection per request
    const plain = plainKc.makeApiClient(k8s.CoreV1Api);
    const handshakes = await pool(1_000, 32, (i) => plain.createNamespacedConfigMap({ namespace: 'bench', body: { metadata: { name: `h-${i}` } } }));
    out.createPerSecondNewConnections = 1_000 / handshakes.seconds;
    console.log(`writes with client-node's default agent (a TLS handshake per request): ${out.createPerSecondNewConnections.toFixed(0)}/s`);

    const rvBeforeWrites = (await core.listNamespacedConfigMap({ namespace: 'bench' })).metadata!.resourceVersion!;
    const created = await pool(writes, 32, (i) => core.createNamespacedConfigMap({ namespace: 'bench', body: { metadata: { name: `w-${i}` }, data: { v: '0' } } }));
    out.createPerSecond = writes / created.seconds;
    out.createP99Ms = pct(created.lat, 99);
    const updated = await pool(writes, 32, (i) => core.replaceNamespacedConfigMap({ namespace: 'bench', name: `w-${i}`, body: { metadata: { name: `w-${i}` }, data: { v: '1' } } }));
    out.updatePerSecond = writes / updated.seconds;
    out.updateP99Ms = pct(updated.lat, 99);
    console.log(`writes (32 callers, HTTPS): create ${out.createPerSecond.toFixed(0)}/s p99 ${out.createP99Ms.toFixed(1)} ms; update ${out.updatePerSecond.toFixed(0)}/s p99 ${out.updateP99Ms.toFixed(1)} ms`);

    // the same writes from a lean keep-alive client, to separate server capacity from client-node's cost
    const cluster = kc.getCurrentCluster()!;
    const ca = Buffer.from(cluster.caData!, 'base64').toString();
    const token = kc.getCurrentUser()!.token!;
    const lean = leanClient(cluster.server, ca, token);
    const leanCreated = await pool(writes, 32, (i) => lean('POST', '/api/v1/namespaces/bench/configmaps', { metadata: { name: `l-${i}` }, data: { v: '0' } }));
    out.leanCreatePerSecond = writes / leanCreated.seconds;
    out.leanCreateP99Ms = pct(leanCreated.lat, 99);
    const leanUpdated = await pool(writes, 32, (i) => lean('PUT', `/api/v1/namespaces/bench/configmaps/l-${i}`, { metadata: { name: `l-${i}` }, data: { v: '1' } }));
    out.leanUpdatePerSecond = writes / leanUpdated.seconds;
    console.log(`writes (32 callers, lean keep-alive HTTPS client): create ${out.leanCreatePerSecond.toFixed(0)}/s p99 ${out.leanCreateP99Ms.toFixed(1)} ms; update ${out.leanUpdatePerSecond.toFixed(0)}/s`);

    // watch replay: 10 watchers from before the writes above receive all of them as fast as the server sends
    const replayEvents = 4 * writes;
    const replay = await Promise.all(Array.from({ length: watchers }, () => countWatchEvents(`${cluster.server}/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=${rvBeforeWrites}`, ca, token, replayEvents)));
    out.watchReplayEventsPerSecond = (watchers * replayEvents) / Math.max(...replay);
    console.log(`watch replay: ${watchers} watchers x ${replayEvents} events from history: ${out.watchReplayEventsPerSecond.toFixed(0)} events/s delivered`);

    // watch fan-out: every watcher must see every event
    await core.createNamespace({ body: { metadata: { name: 'fan' } } });
    const rv = (await core.listNamespacedConfigMap({ namespace: 'fan' })).metadata!.resourceVersion!;
    const counts = new Array<number>(watchers).fill(0);
    const aborts: AbortController[] = [];
    let doneAt = 0;
    const allDone = new Promise<void>((resolve) => {
      for (let w = 0; w < watchers; w++) {
        void new k8s.Watch(kc).watch('/api/v1/namespaces/fan/configmaps', { resourceVersion: rv }, () => {
          counts[w]!++;
          if (counts.every((c) => c >= watchEvents) && !doneAt) {
            doneAt = performance.now();
            resolve();
          }
        }, () => undefined).then((a) => aborts.push(a));
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    await pool(watchEvents, 32, (i) => core.createNamespacedConfigMap({ namespace: 'fan', body: { metadata: { name: `f-${i}` } } }));
    const writeEnd = performance.now();
    await allDone;
    aborts.forEach((a) => a.abort());
    out.watchEventsPerSecond = (watchers * watchEvents) / ((doneAt - t0) / 1000);
    out.watchLagAfterLastWriteMs = doneAt - writeEnd;
    console.log(`watch fan-out: ${watchers} watchers x ${watchEvents} events: ${out.watchEventsPerSecond.toFixed(0)} events/s delivered; last event ${out.watchLagAfterLastWriteMs.toFixed(0)} ms after the last write`);

    // list of 100,000 objects and memory per object
    const before = Number((await sb.control({ action: 'status', cluster: 'cluster-1' })).heapUsedBytes);
    await core.createNamespace({ body: { metadata: { name: 'big' } } });
    const loadStart = performance.now();
    await pool(listObjects, 64, (i) => core.createNamespacedConfigMap({ namespace: 'big', body: { metadata: { name: `o-${i}`, labels: { app: 'bench', shard: String(i % 10) } }, data: { key: `value-${i}` } } }));
    out.loadPerSecond = listObjects / ((performance.now() - loadStart) / 1000);
    const after = Number((await sb.control({ action: 'status', cluster: 'cluster-1' })).heapUsedBytes);
    out.bytesPerObject = (after - before) / listObjects;
    // the list as the server delivers it (HTTPS, JSON.parse), then through client-node's typed decoding
    const l0 = performance.now();
    const res = await fetchJson(`${cluster.server}/api/v1/namespaces/big/configmaps`, ca, token);
    out.list100kSeconds = (performance.now() - l0) / 1000;
    if (res.items.length !== listObjects) throw new Error(`list returned ${res.items.length} objects, expected ${listObjects}`);
    const l1 = performance.now();
    const list = await core.listNamespacedConfigMap({ namespace: 'big' });
    out.list100kClientNodeSeconds = (performance.now() - l1) / 1000;
    if (list.items.length !== listObjects) throw new Error(`client-node list returned ${list.items.length} objects`);
    console.log(`list of ${listObjects} objects: ${out.list100kSeconds.toFixed(2)} s over HTTPS incl. JSON.parse; ${out.list100kClientNodeSeconds.toFixed(2)} s through client-node's typed decoding`);
    console.log(`loaded at ${out.loadPerSecond.toFixed(0)}/s; heap ${(out.bytesPerObject / 1024).toFixed(2)} KiB per stored object (incl. watch history)`);
    const met = (ok: boolean): string => (ok ? 'met' : 'MISSED');
    console.log(`targets: writes >= 3000/s: client-node ${met(out.createPerSecond >= 3000 && out.updatePerSecond >= 3000)}, lean client ${met(out.leanCreatePerSecond >= 3000 && out.leanUpdatePerSecond >= 3000)}; watch >= 30000 events/s: live ${met(out.watchEventsPerSecond >= 30000)}, replay ${met(out.watchReplayEventsPerSecond >= 30000)}; list 100k < 2 s: ${met(out.list100kSeconds < 2)}`);
  } finally {
    await sb.stop();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runApiServerBench();
}
