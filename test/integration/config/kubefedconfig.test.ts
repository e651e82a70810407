// KubeFedConfig nonsense (issue 13 item 5): the API server refuses durations that are not
// durations (CRD pattern); a stored value that passes the schema but not validation (0s, a
// renew deadline past the lease) no longer stops every start: defaults are used and the
// problems reported; edits while kfed runs get an InvalidKubeFedConfig or RestartRequired event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeFedConfig } from '../../../src/api/core.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { ensureKubeFedNamespaceAndConfig, installCrds } from '../../../src/app/host-setup.js';
import { createEventRecorder } from '../../../src/clusters/events.js';
import { loadConfig } from '../../../src/config/load.js';
import { KubeFedConfigWatcher } from '../../../src/clusters/kubefedconfig-watcher.js';
import { defaultKubeFedConfig } from '../../../src/api/core-validation.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { pollUntil } from '../../support/until.js';
import { EVENTS } from '../../../src/api/kubernetes.js';
import { KUBEFED_CONFIGS } from '../../../src/api/core.js';

const NS = 'kube-federation-system';
let sb: Sandbox;
let host: ClusterClient;

async function patchSpec(spec: Record<string, unknown>): Promise<void> {
  await host.dynamic.patch(KUBEFED_CONFIGS, 'kubefed', { spec }, { namespace: NS, type: 'merge' });
}

beforeAll(async () => {
  sb = await startSandbox({ clusters: 1 });
  host = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1', timeoutMs: 5000 });
  await installCrds(host);
  await ensureKubeFedNamespaceAndConfig(host, { namespace: NS });
}, 60_000);

afterAll(async () => {
  host?.close();
  await sb?.close();
});

describe('KubeFedConfig durations', () => {
  it.each(['10 seconds', '-1s', 'soon', '5'])('the API server refuses %j', async (bad) => {
    const err = await patchSpec({ clusterHealthCheck: { period: bad } }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/spec\.clusterHealthCheck\.period in body should match/);
  });

  it('a stored value that fails validation falls back to its default at start-up instead of failing', async () => {
    await patchSpec({ clusterHealthCheck: { timeout: '0s', period: '2s' }, leaderElect: { renewDeadline: '20s' } });
    const config = await loadConfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1', identity: 'test', leaderElect: false });
    expect(config.clusterHealthCheck).toMatchObject({ periodMs: 2000, timeoutMs: 1500 });
    expect(config.leaderElection).toMatchObject({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000 });
    expect(config.kubeFedConfigProblems).toEqual(expect.arrayContaining(['spec.clusterHealthCheck.timeout: Invalid value: "0s": should be greater than 0', 'spec.leaderElect.leaseDuration: leaseDuration must be greater than renewDeadline']));
    await patchSpec({ clusterHealthCheck: { timeout: '3s', period: '10s' }, leaderElect: { renewDeadline: '10s' } });
  });

  it('an edit while running: InvalidKubeFedConfig, or RestartRequired naming the fields', async () => {
    const stored = await host.dynamic.get<KubeFedConfig>(KUBEFED_CONFIGS, 'kubefed', { namespace: NS });
    const events = createEventRecorder({ client: host.dynamic, component: 'kubefedconfig-watcher' });
    const watcher = new KubeFedConfigWatcher({ host, namespace: NS, running: defaultKubeFedConfig(stored), events });
    const abort = new AbortController();
    const running = watcher.start(abort.signal);
    const reasons = async (): Promise<Record<string, string>> => {
      const list = await host.dynamic.list(EVENTS, { namespace: NS });
      return Object.fromEntries(list.items.filter((e) => (e as KubeObject & { involvedObject?: { kind?: string } }).involvedObject?.kind === 'KubeFedConfig').map((e) => [(e as any).reason, (e as any).message]));
    };
    try {
      await patchSpec({ clusterHealthCheck: { timeout: '0s' } });
      const invalid = await pollUntil(async () => (await reasons())['InvalidKubeFedConfig'], 15_000, 20);
      expect(invalid).toMatch(/^invalid KubeFedConfig, not applied .*spec\.clusterHealthCheck\.timeout: Invalid value: "0s"/);
      await patchSpec({ clusterHealthCheck: { timeout: '1s' } });
      const restart = await pollUntil(async () => (await reasons())['RestartRequired'], 15_000, 20);
      expect(restart).toMatch(/^spec\.clusterHealthCheck changed; .*restart/);
    } finally {
      abort.abort();
      await running;
      await events.flush();
    }
  });
});
