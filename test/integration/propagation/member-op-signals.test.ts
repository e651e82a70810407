// Member operations leave nothing on the sync controller's long-lived signal: 200 updates
// of one federated object, each written to 3 clusters under its own timeout, keep the
// abort listeners and the AbortSignal.any dependants of every live signal bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import { CLUSTERS, CONFIGMAPS, FED_CONFIGMAPS, federateNamespace, inClusters, startEnv, until, type Env } from '../../support/propagation.js';
import { trackSignalAttachments, type SignalAttachments } from '../../support/signal-attachments.js';

const N = 200;
const NS = 'signals';

let env: Env;
let tracked: SignalAttachments;

beforeAll(async () => {
  tracked = trackSignalAttachments(); // before the controller starts, so its signals are seen
  env = await startEnv();
  await federateNamespace(env, NS);
}, 60_000);

afterAll(async () => {
  tracked?.stop();
  await env?.close();
});

describe('member operations', () => {
  it(`keep listeners and dependants bounded over ${N} propagated updates`, async () => {
    const fed = { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap', metadata: { name: 'counter', namespace: NS }, spec: { template: { data: { i: '0' } }, placement: { clusterSelector: {} } } };
    await env.host.dynamic.create(FED_CONFIGMAPS, fed as KubeObject);
    const everywhere = (i: number) => async (): Promise<boolean> => {
      const m = await inClusters(env, CONFIGMAPS, NS, 'counter');
      return CLUSTERS.every((c) => (m[c]?.['data'] as Record<string, string> | undefined)?.['i'] === String(i));
    };
    await until(everywhere(0));
    for (let i = 1; i <= N; i++) {
      await env.host.dynamic.patch(FED_CONFIGMAPS, 'counter', { spec: { template: { data: { i: String(i) } } } }, { namespace: NS, type: 'merge' });
      await until(everywhere(i), 10_000, 5);
    }
    expect(tracked.maxDependants()).toBeLessThan(50);
    expect(tracked.maxListeners()).toBeLessThan(50);
  }, 240_000);
});
