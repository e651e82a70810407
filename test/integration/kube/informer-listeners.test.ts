// Informers leave no abort listener behind on a long-lived signal: a wait for sync that
// ended, an informer that stopped, a factory informer that was released. Each case does
// 200 operations on one signal and counts its listeners (node:events getEventListeners).
import { getEventListeners, setMaxListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { Informer } from '../../../src/kube/informer.js';
import { InformerFactory } from '../../../src/kube/informer-factory.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import type { Sandbox } from '../../../src/sandbox/sandbox.js';
import type { SandboxMember } from '../../../src/sandbox/member.js';
import { startTestSandbox, startupMs } from '../../support/sandbox-backend.js';

const NS: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' };
const N = 200;

let sb: Sandbox<SandboxMember>;
let client: ClusterClient;

const listeners = (s: AbortSignal): number => getEventListeners(s, 'abort').length;

beforeAll(async () => {
  sb = await startTestSandbox({ clusters: 1 });
  client = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1' });
}, startupMs(60_000));

afterAll(async () => {
  client?.close();
  await sb?.close();
});

describe('abort listeners on a long-lived signal', () => {
  it(`${N} waits for sync that ended keep none`, async () => {
    const long = new AbortController();
    setMaxListeners(N + 1, long.signal); // N waits at once, on purpose
    const inf = new Informer({ client: client.dynamic, resource: NS, cluster: 'cluster-1' });
    const waits = Array.from({ length: N }, () => inf.waitForSync(long.signal));
    expect(listeners(long.signal)).toBe(N); // waiting: one each
    const stop = new AbortController();
    const running = inf.start(stop.signal);
    await Promise.all(waits);
    expect(listeners(long.signal)).toBe(0);
    stop.abort();
    await running;
  });

  it(`${N} informers started and stopped keep none`, async () => {
    const long = new AbortController();
    for (let i = 0; i < N; i++) {
      const inf = new Informer({ client: client.dynamic, resource: NS, cluster: 'cluster-1' });
      const running = inf.start(long.signal);
      await inf.waitForSync();
      await inf.stop();
      await running;
    }
    expect(listeners(long.signal)).toBe(0);
  }, 120_000);

  it(`${N} factory informers acquired and released keep none on the factory's signal`, async () => {
    const long = new AbortController();
    const f = new InformerFactory();
    const running = f.start(long.signal);
    const before = listeners(long.signal);
    for (let i = 0; i < N; i++) {
      const scope = f.scope();
      await scope.informer(client, NS).waitForSync();
      await scope.close();
    }
    expect(f.size).toBe(0);
    expect(listeners(long.signal)).toBe(before);
    long.abort();
    await running;
  }, 120_000);
});
