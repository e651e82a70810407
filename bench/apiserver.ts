// Sandbox API server throughput: concurrent writes over HTTPS with client-node, a list of
// 100,000 objects, watch fan-out, and memory per stored object. The server runs in its
// own process (started with --expose-gc so memory is read after a collection). Every write
// phase reports the CPU the client process and the server process spent per 1,000 writes,
// so a reader can tell which side limits the rate on this machine.
import https from 'node:https';
import { availableParallelism } from 'node:os';
import * as k8s from '@kubernetes/client-node';
import { startSandboxProcess, type SandboxProcess } from './support/sandbox-process.js';
import { throughputClient } from './support/client-node.js';
import { startCallerPool, type PhaseResult } from './support/client-node-callers.js';
import { startFloorServer } from './support/floor-server.js';

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

/** The time (performance.now()) at which a watch stream has delivered `want` events (counted by line, not decoded). */
function countWatchEvents(url: string, ca: string, token: string, want: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => {
        for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) n++;
        if (n >= want) {
          resolve(performance.now());
          req.destroy();
        }
      });
      res.on('end', () => reject(new Error(`watch ended after ${n} of ${want} events`)));
    });
    req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
    req.end();
  });
}

/** A GET's body with the time of its first and last byte (seconds after the request was sent). */
async function fetchBody(url: string, ca: string, token: string): Promise<{ body: Buffer; firstByte: number; lastByte: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ca, agent: false, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      let firstByte = 0;
      res.on('data', (c: Buffer) => {
        if (chunks.length === 0) firstByte = (performance.now() - t0) / 1000;
        chunks.push(c);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
        else resolve({ body: Buffer.concat(chunks), firstByte, lastByte: (performance.now() - t0) / 1000 });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function pool(total: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<PhaseResult> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      const s = performance.now();
      await op(i);
      latencies.push(performance.now() - s);
    }
  }));
  latencies.sort((a, b) => a - b);
  return { seconds: (performance.now() - t0) / 1000, latencies };
}

interface Measured extends PhaseResult {
  /** CPU seconds per 1,000 operations */
  clientCpu: number;
  serverCpu: number;
}

/** The round with the median rate (rounds measure the same number of operations). */
function medianBy(rounds: Measured[]): Measured {
  return [...rounds].sort((a, b) => a.seconds - b.seconds)[Math.floor(rounds.length / 2)]!;
}

/** Runs a phase of `ops` operations and charges it the CPU both processes used meanwhile. */
async function measured(sb: Pick<SandboxProcess, 'cpuSeconds'>, ops: number, phase: () => Promise<PhaseResult>): Promise<Measured> {
  const c0 = process.cpuUsage();
  const s0 = sb.cpuSeconds();
  const r = await phase();
  const c = process.cpuUsage(c0);
  return { ...r, clientCpu: ((c.user + c.system) / 1e6 / ops) * 1000, serverCpu: ((sb.cpuSeconds() - s0) / ops) * 1000 };
}

function writesLine(label: string, create: Measured, update: Measured, writes: number): string {
  const rate = (m: Measured): string => `${(writes / m.seconds).toFixed(0)}/s p99 ${pct(m.latencies, 99).toFixed(1)} ms`;
  const cpu = (m: Measured): string => `client ${m.clientCpu.toFixed(3)} s, server ${m.serverCpu.toFixed(3)} s`;
  return `${label}: create ${rate(create)}, update ${rate(update)}\n    CPU per 1,000 writes: create ${cpu(create)}; update ${cpu(update)}`;
}

export async function runApiServerBench(opts: { writes?: number; writeRounds?: number; singleThreadWrites?: number; listObjects?: number; watchers?: number; watchEvents?: number; threads?: number } = {}): Promise<Record<string, number>> {
  const writes = opts.writes ?? 15_000;
  const writeRounds = opts.writeRounds ?? 3;
  const singleThreadWrites = opts.singleThreadWrites ?? 10_000;
  const listObjects = opts.listObjects ?? 100_000;
  const watchers = opts.watchers ?? 10;
  const watchEvents = opts.watchEvents ?? 10_000;
  const threads = opts.threads ?? 2;
  const cores = availableParallelism();
  const sb = await startSandboxProcess(1, ['--expose-gc', '--max-old-space-size=4096']);
  const out: Record<string, number> = {};
  const callers = await startCallerPool(sb.kubeconfigYaml, threads, 32);
  const floor = await startFloorServer();
  const floorCallers = await startCallerPool(floor.kubeconfigYaml, threads, 32);
  try {
    const plainKc = new k8s.KubeConfig();
    plainKc.loadFromString(sb.kubeconfigYaml);
    const kc = new k8s.KubeConfig();
    kc.loadFromString(sb.kubeconfigYaml);
    const { core } = await throughputClient(kc, 32);
    for (const ns of ['bench', 'warm', 'single']) await core.createNamespace({ body: { metadata: { name: ns } } });

    // client-node as shipped: a new TLS connection per request
    const plain = plainKc.makeApiClient(k8s.CoreV1Api);
    const handshakeWrites = Math.min(1_000, writes);
    const handshakes = await pool(handshakeWrites, 32, (i) => plain.createNamespacedConfigMap({ namespace: 'bench', body: { metadata: { name: `h-${i}` } } }));
    out.createPerSecondNewConnections = handshakeWrites / handshakes.seconds;
    console.log(`writes with client-node's default agent (a TLS handshake per request): ${out.createPerSecondNewConnections.toFixed(0)}/s`);

    // JIT warm-up of every caller thread and of this one, away from the measured namespace
    const warm = Math.min(4_000, writes);
    await callers.run({ verb: 'create', namespace: 'warm', prefix: 'c', body: 'v0' }, warm);
    await callers.run({ verb: 'replace', namespace: 'warm', prefix: 'c', body: 'v1' }, warm);
    await floorCallers.run({ verb: 'create', namespace: 'warm', prefix: 'c', body: 'v0' }, warm);
    await pool(Math.min(2_000, writes), 32, (i) => core.createNamespacedConfigMap({ namespace: 'warm', body: { metadata: { name: `m-${i}` }, data: { v: '0' } } }));

    // the same 32 callers on this one thread: client-node's CPU per call caps what one thread issues
    const singleCreate = await measured(sb, singleThreadWrites, () => pool(singleThreadWrites, 32, (i) => core.createNamespacedConfigMap({ namespace: 'single', body: { metadata: { name: `s-${i}` }, data: { v: '0' } } })));
    const singleUpdate = await measured(sb, singleThreadWrites, () => pool(singleThreadWrites, 32, (i) => core.replaceNamespacedConfigMap({ namespace: 'single', name: `s-${i}`, body: { metadata: { name: `s-${i}` }, data: { v: '1' } } })));
    out.singleThreadCreatePerSecond = singleThreadWrites / singleCreate.seconds;
    out.singleThreadUpdatePerSecond = singleThreadWrites / singleUpdate.seconds;

    // Rounds interleaved with the floor (client-node callers against a server that does nothing, see
    // support/floor-server-main.ts), so both see the same machine; the medians are reported.
    // the watch replay below starts before the last round, within the sandbox's history window
    let rvBeforeWrites = '';
    const rounds: { created: Measured; updated: Measured; floorCreated: Measured; floorUpdated: Measured }[] = [];
    for (let r = 0; r < writeRounds; r++) {
      if (r === writeRounds - 1) rvBeforeWrites = (await core.listNamespacedConfigMap({ namespace: 'bench', limit: 1 })).metadata!.resourceVersion!;
      const created = await measured(sb, writes, () => callers.run({ verb: 'create', namespace: 'bench', prefix: `w${r}`, body: 'v0' }, writes));
      const updated = await measured(sb, writes, () => callers.run({ verb: 'replace', namespace: 'bench', prefix: `w${r}`, body: 'v1' }, writes));
      const floorCreated = await measured(floor, writes, () => floorCallers.run({ verb: 'create', namespace: 'bench', prefix: `w${r}`, body: 'v0' }, writes));
      const floorUpdated = await measured(floor, writes, () => floorCallers.run({ verb: 'replace', namespace: 'bench', prefix: `w${r}`, body: 'v1' }, writes));
      rounds.push({ created, updated, floorCreated, floorUpdated });
      console.log(`    round ${r + 1}: create ${(writes / created.seconds).toFixed(0)}/s, update ${(writes / updated.seconds).toFixed(0)}/s; floor ${(writes / floorCreated.seconds).toFixed(0)}/s, ${(writes / floorUpdated.seconds).toFixed(0)}/s`);
    }
    const created = medianBy(rounds.map((x) => x.created));
    const updated = medianBy(rounds.map((x) => x.updated));
    const floorCreated = medianBy(rounds.map((x) => x.floorCreated));
    const floorUpdated = medianBy(rounds.map((x) => x.floorUpdated));
    out.createPerSecond = writes / created.seconds;
    out.createP99Ms = pct(created.latencies, 99);
    out.updatePerSecond = writes / updated.seconds;
    out.updateP99Ms = pct(updated.latencies, 99);
    out.createClientCpuSecondsPer1000 = created.clientCpu;
    out.createServerCpuSecondsPer1000 = created.serverCpu;
    out.updateClientCpuSecondsPer1000 = updated.clientCpu;
    out.updateServerCpuSecondsPer1000 = updated.serverCpu;
    out.floorCreatePerSecond = writes / floorCreated.seconds;
    out.floorUpdatePerSecond = writes / floorUpdated.seconds;
    out.floorServerCpuSecondsPer1000 = (floorCreated.serverCpu + floorUpdated.serverCpu) / 2;
    console.log(writesLine(`writes, 32 client-node callers on ${threads} threads (HTTPS, keep-alive; median of ${writeRounds} rounds)`, created, updated, writes));
    console.log(writesLine('  the same callers against the floor server (parses and answers, stores nothing)', floorCreated, floorUpdated, writes));
    console.log(`    sandbox / floor: create ${(out.createPerSecond / out.floorCreatePerSecond).toFixed(2)}x, update ${(out.updatePerSecond / out.floorUpdatePerSecond).toFixed(2)}x`);
    console.log(writesLine('writes, the same 32 callers on 1 thread', singleCreate, singleUpdate, singleThreadWrites));

    // the same writes from a lean keep-alive client, to separate server capacity from client-node's cost
    const cluster = kc.getCurrentCluster()!;
    const ca = Buffer.from(cluster.caData!, 'base64').toString();
    const token = kc.getCurrentUser()!.token!;
    const lean = leanClient(cluster.server, ca, token);
    const leanCreated = await measured(sb, writes, () => pool(writes, 32, (i) => lean('POST', '/api/v1/namespaces/bench/configmaps', { metadata: { name: `l-${i}` }, data: { v: '0' } })));
    const leanUpdated = await measured(sb, writes, () => pool(writes, 32, (i) => lean('PUT', `/api/v1/namespaces/bench/configmaps/l-${i}`, { metadata: { name: `l-${i}` }, data: { v: '1' } })));
    out.leanCreatePerSecond = writes / leanCreated.seconds;
    out.leanCreateP99Ms = pct(leanCreated.latencies, 99);
    out.leanUpdatePerSecond = writes / leanUpdated.seconds;
    out.leanCreateServerCpuSecondsPer1000 = leanCreated.serverCpu;
    out.leanUpdateServerCpuSecondsPer1000 = leanUpdated.serverCpu;
    console.log(writesLine('writes, 32 callers of a lean keep-alive HTTPS client on 1 thread', leanCreated, leanUpdated, writes));
    const perWrite = (created.clientCpu + created.serverCpu + updated.clientCpu + updated.serverCpu) / 2 / 1000;
    console.log(`    with client-node, a write costs ${(perWrite * 1e6).toFixed(0)} us of CPU in both processes: ${cores} cores allow at most ~${(cores / perWrite).toFixed(0)} writes/s; the server alone (${((created.serverCpu + updated.serverCpu) / 2 * 1000).toFixed(0)} us, one thread) ~${(2000 / (created.serverCpu + updated.serverCpu)).toFixed(0)}/s`);

    // watch replay: 10 watchers from before the writes above receive all of them as fast as the server sends
    const replayEvents = 4 * writes;
    const replayStart = performance.now();
    const replay = await Promise.all(Array.from({ length: watchers }, () => countWatchEvents(`${cluster.server}/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=${rvBeforeWrites}`, ca, token, replayEvents)));
    out.watchReplayEventsPerSecond = (watchers * replayEvents) / ((Math.max(...replay) - replayStart) / 1000);
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
    // written by the 32 client-node callers on their threads; the watchers are client-node Watches on this one
    const fanWrites = await measured(sb, watchEvents, () => callers.run({ verb: 'create', namespace: 'fan', prefix: 'f', body: 'v0' }, watchEvents));
    const writeEnd = performance.now();
    await allDone;
    out.fanOutWritesPerSecond = watchEvents / fanWrites.seconds;
    out.fanOutServerCpuSecondsPer1000 = fanWrites.serverCpu;
    out.fanOutClientCpuSecondsPer1000 = fanWrites.clientCpu;
    aborts.forEach((a) => a.abort());
    out.watchEventsPerSecond = (watchers * watchEvents) / ((doneAt - t0) / 1000);
    out.watchLagAfterLastWriteMs = doneAt - writeEnd;
    console.log(`watch fan-out: ${watchers} watchers x ${watchEvents} events: ${out.watchEventsPerSecond.toFixed(0)} events/s delivered; last event ${out.watchLagAfterLastWriteMs.toFixed(0)} ms after the last write`);
    console.log(`    writes meanwhile ${out.fanOutWritesPerSecond.toFixed(0)}/s; CPU per 1,000 writes with the fan-out: client ${fanWrites.clientCpu.toFixed(3)} s (writers and watchers), server ${fanWrites.serverCpu.toFixed(3)} s`);

    // The same fan-out with a light load generator, so that the clients leave the server more of the
    // two cores: the lean keep-alive writer (32 callers) and watchers that count event lines.
    await core.createNamespace({ body: { metadata: { name: 'fan-lean' } } });
    const rvLean = (await core.listNamespacedConfigMap({ namespace: 'fan-lean' })).metadata!.resourceVersion!;
    const leanWatchers = Array.from({ length: watchers }, () => countWatchEvents(`${cluster.server}/api/v1/namespaces/fan-lean/configmaps?watch=true&resourceVersion=${rvLean}`, ca, token, watchEvents));
    await new Promise((r) => setTimeout(r, 300));
    const tl0 = performance.now();
    const leanFan = await measured(sb, watchEvents, () => pool(watchEvents, 32, (i) => lean('POST', '/api/v1/namespaces/fan-lean/configmaps', { metadata: { name: `g-${i}` }, data: { v: '0' } })));
    const leanWriteEnd = performance.now();
    const leanDone = Math.max(...(await Promise.all(leanWatchers)));
    out.watchLeanEventsPerSecond = (watchers * watchEvents) / ((leanDone - tl0) / 1000);
    out.watchLeanLagAfterLastWriteMs = leanDone - leanWriteEnd;
    out.watchLeanWritesPerSecond = watchEvents / leanFan.seconds;
    console.log(`watch fan-out, lean load generator: ${watchers} watchers x ${watchEvents} events: ${out.watchLeanEventsPerSecond.toFixed(0)} events/s delivered; last event ${out.watchLeanLagAfterLastWriteMs.toFixed(0)} ms after the last write`);
    console.log(`    writes meanwhile ${out.watchLeanWritesPerSecond.toFixed(0)}/s; CPU per 1,000 writes with the fan-out: client ${leanFan.clientCpu.toFixed(3)} s, server ${leanFan.serverCpu.toFixed(3)} s`);

    // list of 100,000 objects and memory per object. History is compacted first, so the figure is each
    // object with its ADDED event and cached JSON text, whatever versions earlier phases left behind.
    await sb.control({ action: 'compact', cluster: 'cluster-1' });
    const before = Number((await sb.control({ action: 'status', cluster: 'cluster-1' })).heapUsedBytes);
    await core.createNamespace({ body: { metadata: { name: 'big' } } });
    const load = await callers.run({ verb: 'create', namespace: 'big', prefix: 'o', body: 'labelled' }, listObjects);
    out.loadPerSecond = listObjects / load.seconds;
    const after = Number((await sb.control({ action: 'status', cluster: 'cluster-1' })).heapUsedBytes);
    out.bytesPerObject = (after - before) / listObjects;
    // the list as the server delivers it (HTTPS), the client's JSON.parse, then client-node's typed decoding
    const s0 = sb.cpuSeconds();
    const fetched = await fetchBody(`${cluster.server}/api/v1/namespaces/big/configmaps`, ca, token);
    out.list100kServerCpuSeconds = sb.cpuSeconds() - s0;
    out.list100kFirstByteSeconds = fetched.firstByte;
    out.list100kLastByteSeconds = fetched.lastByte;
    const p0 = performance.now();
    const res = JSON.parse(fetched.body.toString('utf8')) as { items: unknown[] };
    out.list100kParseSeconds = (performance.now() - p0) / 1000;
    out.list100kSeconds = out.list100kLastByteSeconds + out.list100kParseSeconds;
    // Every namespace also holds kube-root-ca.crt, as on a real server.
    const expected = listObjects + 1;
    if (res.items.length !== expected) throw new Error(`list returned ${res.items.length} objects, expected ${expected} (${listObjects} and kube-root-ca.crt)`);
    const l1 = performance.now();
    const list = await core.listNamespacedConfigMap({ namespace: 'big' });
    out.list100kClientNodeSeconds = (performance.now() - l1) / 1000;
    if (list.items.length !== expected) throw new Error(`client-node list returned ${list.items.length} objects`);
    console.log(`list of ${listObjects} objects (${(fetched.body.length / 1e6).toFixed(1)} MB) over HTTPS: first byte ${out.list100kFirstByteSeconds.toFixed(2)} s, last byte ${out.list100kLastByteSeconds.toFixed(2)} s (server CPU ${out.list100kServerCpuSeconds.toFixed(2)} s), then JSON.parse ${out.list100kParseSeconds.toFixed(2)} s: ${out.list100kSeconds.toFixed(2)} s; ${out.list100kClientNodeSeconds.toFixed(2)} s through client-node's typed decoding`);
    console.log(`loaded at ${out.loadPerSecond.toFixed(0)}/s (client-node, ${threads} threads); heap ${(out.bytesPerObject / 1024).toFixed(2)} KiB per stored object (with its watch-history event and JSON text)`);
    const met = (ok: boolean): string => (ok ? 'met' : 'MISSED');
    console.log(`targets: writes >= 3000/s: client-node ${met(out.createPerSecond >= 3000 && out.updatePerSecond >= 3000)} (callers on ${threads} threads; on 1 thread ${met(out.singleThreadCreatePerSecond >= 3000 && out.singleThreadUpdatePerSecond >= 3000)}, where client-node's own CPU per call is the limit), lean client ${met(out.leanCreatePerSecond >= 3000 && out.leanUpdatePerSecond >= 3000)}; watch >= 30000 events/s: live with client-node ${met(out.watchEventsPerSecond >= 30000)}, live with the lean load generator ${met(out.watchLeanEventsPerSecond >= 30000)}, replay ${met(out.watchReplayEventsPerSecond >= 30000)}; list 100k < 2 s: ${met(out.list100kSeconds < 2)}`);
  } finally {
    await callers.close();
    await floorCallers.close();
    await floor.stop();
    await sb.stop();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runApiServerBench();
}
