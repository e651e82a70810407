// Two `kfed controller` processes against one sandbox host, as the chart's two replicas
// run: one leads (and alone reconciles), both serve DNS; /metrics parses and its
// documented families move; a SIGKILLed leader is replaced within the lease duration and
// the world keeps converging; SIGTERM releases the lease at once and frees the ports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import { applyManifestFile, applyObjects } from '../../../src/app/apply-manifest.js';
import { queryDns } from '../../../src/app/dns-probe.js';
import { findGoAppExample, GO_APP_DNS_NAME, propagationGap } from '../../../src/app/sandbox-demo.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import {
  LEASE, LEASE_DURATION_MS, RETRY_PERIOD_MS, leaseHolder, loggedAt, portFree, prepareHost, readLease, scrape, startController, until,
  type ControllerProcess,
} from './controller-harness.js';
import { parsePrometheusText, sum, type Family, type MetricType } from './prom-text.js';

const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', resource: 'configmaps', namespaced: true, kind: 'ConfigMap' };
const FEDERATED_DEPLOYMENTS: ResourceRef = { group: 'types.kubefed.io', version: 'v1beta1', resource: 'federateddeployments', namespaced: true, kind: 'FederatedDeployment' };

let sb: Sandbox;
let host: ClusterClient;
let member2: ClusterClient;
const procs: ControllerProcess[] = [];
let leader: ControllerProcess;
let standby: ControllerProcess;
const figures: Record<string, number> = {};
// A cold `kfed controller` start compiles the CLI with tsx, a few seconds of CPU: many times
// that on a 2-core machine under a full test run (one took over 30 s at load 30).
const START_MS = 90_000;

function federatedConfigMap(name: string): KubeObject {
  return {
    apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap',
    metadata: { name, namespace: 'go-app' },
    spec: { template: { data: { greeting: name } }, placement: { clusterSelector: {} } },
  } as KubeObject;
}

async function propagatedConfigMap(name: string): Promise<void> {
  await applyObjects(host, [federatedConfigMap(name)], { fieldManager: 'test' });
  await until(async () => (await member2.dynamic.getIfExists(CONFIGMAPS, name, { namespace: 'go-app' })) !== undefined, 20_000);
}

async function metrics(p: ControllerProcess): Promise<Map<string, Family>> {
  return parsePrometheusText(await scrape(p));
}

/** `p` logged `msg`. */
function logged(p: ControllerProcess, msg: string): boolean {
  return p.logs.some((l) => l.msg === msg);
}

function diagnostics(): string {
  return procs.map((p) => `--- ${p.name} (exit ${p.child.exitCode})\n${p.stderr}\n${p.logs.filter((l) => l.level !== 'info' && l.level !== 'debug').slice(-20).map((l) => JSON.stringify(l)).join('\n')}`).join('\n');
}

describe('kfed controller: two replicas', () => {
  beforeAll(async () => {
    sb = await startSandbox({ clusters: 2, bookmarkIntervalMs: 500 });
    host = await prepareHost(sb);
    member2 = await clusterClientFromKubeconfig({ kubeconfigPath: sb.kubeconfigPath, context: 'cluster-2', name: 'test-member' });
    await applyManifestFile(host, findGoAppExample(), { fieldManager: 'test' });
    procs.push(...(await Promise.all([startController(sb, 'ctl-a', [], START_MS), startController(sb, 'ctl-b', [], START_MS)])));
  }, 180_000);

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    member2?.close();
    host?.close();
    await sb?.close();
    console.log(`[controller processes] figures: ${JSON.stringify(figures)}`);
  }, 60_000);

  it('one replica leads and alone reconciles; every replica serves DNS', { timeout: 60_000 }, async () => {
    let holder = '';
    await until(async () => /^ctl-[ab]_/.test((holder = await leaseHolder(host))), 20_000).catch((err: unknown) => {
      throw new Error(`no leader: ${diagnostics()}`, { cause: err });
    });
    leader = procs.find((p) => holder.startsWith(`${p.name}_`))!;
    standby = procs.find((p) => p !== leader)!;
    await until(async () => propagationGap(await host.dynamic.getIfExists(FEDERATED_DEPLOYMENTS, 'go-app', { namespace: 'go-app' }), ['cluster-1', 'cluster-2']) === undefined, 30_000);
    for (const p of [leader, standby]) {
      await until(async () => (await queryDns(GO_APP_DNS_NAME, { address: '127.0.0.1', port: p.dnsPort })).addresses.length === 2, 20_000);
      // Outside a poll, a query waits 5 s for the reply: the child is as loaded as the machine.
      const answer = await queryDns(GO_APP_DNS_NAME, { address: '127.0.0.1', port: p.dnsPort, timeoutMs: 5000 });
      expect(answer.addresses, p.name).toEqual(['192.0.2.1', '198.51.100.1']);
    }
    const [lm, sm] = await Promise.all([metrics(leader), metrics(standby)]);
    expect(sum(lm, 'leader_election_master_status', { name: LEASE })).toBe(1);
    expect(sum(sm, 'leader_election_master_status', { name: LEASE })).toBe(0);
    expect(sum(lm, 'controller_runtime_reconcile_total')).toBeGreaterThan(0);
    expect(sum(sm, 'controller_runtime_reconcile_total')).toBe(0);
    // The standby's informers for DNS serving run all the same.
    expect(sum(sm, 'kfed_dns_snapshot_records')).toBeGreaterThan(0);
    // A standby is ready (it serves DNS) and live, as a controller-runtime standby is: the
    // leader-controllers check fails only on a replica that leads without its leader work.
    for (const p of [leader, standby]) {
      for (const path of ['/readyz', '/healthz']) expect((await fetch(`http://127.0.0.1:${p.metricsPort}${path}`)).status, `${p.name} ${path}`).toBe(200);
    }
    expect(await (await fetch(`http://127.0.0.1:${standby.metricsPort}/healthz?verbose`)).text()).toContain('[+]leader-controllers ok');
  });

  it('/metrics parses, has the documented families and they move', { timeout: 90_000 }, async () => {
    const before = await metrics(leader);
    const documented: [string, MetricType][] = [
      ['controller_runtime_reconcile_total', 'counter'],
      ['controller_runtime_reconcile_errors_total', 'counter'],
      ['controller_runtime_reconcile_time_seconds', 'histogram'],
      ['controller_runtime_active_workers', 'gauge'],
      ['controller_runtime_max_concurrent_reconciles', 'gauge'],
      ['workqueue_depth', 'gauge'],
      ['workqueue_adds_total', 'counter'],
      ['workqueue_retries_total', 'counter'],
      ['workqueue_queue_duration_seconds', 'histogram'],
      ['kfed_informer_restarts_total', 'counter'],
      ['kfed_informer_relists_total', 'counter'],
      ['kfed_informer_synced', 'gauge'],
      ['kubefedcluster_total', 'gauge'],
      ['cluster_health_status_duration_seconds', 'histogram'],
      ['cluster_client_connection_duration_seconds', 'histogram'],
      ['kfed_cluster_health_probes_total', 'counter'],
      ['kfed_federated_resources', 'gauge'],
      ['kfed_dns_records', 'gauge'],
      ['kfed_dns_endpoints', 'gauge'],
      ['kfed_dns_queries_total', 'counter'],
      ['kfed_dns_snapshot_records', 'gauge'],
      ['kfed_dns_feed_build_seconds', 'histogram'],
      ['leader_election_master_status', 'gauge'],
      ['rest_client_requests_total', 'counter'],
      ['process_cpu_seconds_total', 'counter'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
    ];
    for (const [name, type] of documented) {
      expect(before.get(name)?.type, `${name} missing or mistyped`).toBe(type);
      expect(before.get(name)?.help, name).not.toBe('');
    }
    expect(sum(before, 'kubefedcluster_total', { state: 'ready', cluster: 'cluster-2' })).toBe(1);
    expect(sum(before, 'kfed_dns_records', { kind: 'ServiceDNSRecord', valid: 'True' })).toBe(1);
    expect(sum(before, 'kfed_dns_endpoints')).toBeGreaterThan(0);
    expect(sum(before, 'kfed_federated_resources', { type: 'deployments.apps', status: 'True' })).toBe(1);

    // Work for every component: a new federated object, DNS queries, a member outage.
    await propagatedConfigMap('metrics-probe');
    for (let i = 0; i < 5; i++) await queryDns(GO_APP_DNS_NAME, { address: '127.0.0.1', port: leader.dnsPort, timeoutMs: 5000 });
    const stoppedAt = Date.now();
    await sb.cluster('cluster-2').stop();
    // The member's address leaves DNS while it is down.
    await until(async () => (await queryDns(GO_APP_DNS_NAME, { address: '127.0.0.1', port: leader.dnsPort })).addresses.join() === '192.0.2.1', 20_000, 20);
    figures.dnsFailoverMs = Date.now() - stoppedAt;
    await until(async () => sum(await metrics(leader), 'kubefedcluster_total', { state: 'ready', cluster: 'cluster-2' }) === 0, 20_000);
    await sb.cluster('cluster-2').start();
    await until(async () => sum(await metrics(leader), 'kubefedcluster_total', { state: 'ready', cluster: 'cluster-2' }) === 1, 30_000);
    // The probe ConfigMap's status went False while cluster-2 was down; it settles back.
    await until(async () => sum(await metrics(leader), 'kfed_federated_resources', { type: 'configmaps', status: 'True' }) === 1, 30_000);
    const after = await metrics(leader);

    const grew = (sample: string, match: Record<string, string> = {}): void => {
      expect(sum(after, sample, match), `${sample} ${JSON.stringify(match)}`).toBeGreaterThan(sum(before, sample, match));
    };
    grew('controller_runtime_reconcile_total');
    grew('controller_runtime_reconcile_time_seconds_count');
    grew('workqueue_adds_total');
    grew('kfed_informer_restarts_total');
    grew('cluster_health_status_duration_seconds_count');
    grew('kfed_cluster_health_probes_total');
    grew('kfed_dns_queries_total', { qtype: 'A', rcode: 'NOERROR', transport: 'udp' });
    grew('kfed_dns_snapshot_generation');
    grew('kfed_federated_resources', { type: 'configmaps', status: 'True' });
    grew('rest_client_requests_total');
    expect(sum(after, 'kfed_cluster_health_transitions_total')).toBeGreaterThanOrEqual(sum(before, 'kfed_cluster_health_transitions_total') + 2);
  });

  it('a SIGKILLed leader is replaced within the lease duration and the world stays converged', { timeout: 60_000 }, async () => {
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await leader.exited;
    const left = await readLease(host);
    expect(left?.spec?.holderIdentity?.startsWith(`${leader.name}_`)).toBe(true);
    await until(async () => (await leaseHolder(host)).startsWith(`${standby.name}_`), LEASE_DURATION_MS * 3, 20);
    figures.sigkillTakeoverMs = Date.now() - killedAt;
    // The standby counts the lease duration from when it last saw a renewal (it polls every
    // retry period, +20% jitter, so it may see the last renewal up to one poll late), then
    // takes over at its next poll: lease duration + 2 polls, plus request latency. Measured in
    // the Lease, from the dead holder's last renewal to the standby's acquisition: never
    // before the lease duration; the upper bound leaves a loaded machine room for late polls.
    const taken = await readLease(host);
    const waitedMs = Date.parse(taken?.spec?.acquireTime ?? '') - Date.parse(left?.spec?.renewTime ?? '');
    figures.sigkillLeaseWaitMs = waitedMs;
    expect(waitedMs).toBeGreaterThanOrEqual(LEASE_DURATION_MS);
    expect(waitedMs).toBeLessThan(2 * (LEASE_DURATION_MS + 2 * RETRY_PERIOD_MS * 1.2));
    await until(() => logged(standby, 'lease expired; taking over'), 10_000);
    expect(standby.logs.find((l) => l.msg === 'lease expired; taking over')?.holder).toBe(left?.spec?.holderIdentity);
    expect(sum(await metrics(standby), 'leader_election_master_status', { name: LEASE })).toBe(1);
    const converged = Date.now();
    await propagatedConfigMap('after-failover');
    figures.propagationAfterTakeoverMs = Date.now() - converged;
    expect((await queryDns(GO_APP_DNS_NAME, { address: '127.0.0.1', port: standby.dnsPort, timeoutMs: 5000 })).addresses).toEqual(['192.0.2.1', '198.51.100.1']);
  });

  it('SIGTERM releases the lease at once, exits 0 and frees its ports', { timeout: 150_000 }, async () => {
    const next = await startController(sb, 'ctl-c', [], START_MS);
    procs.push(next);
    // ctl-c must have seen the current holder renewing before the handover counts.
    await until(() => next.logs.some((l) => l.msg === 'new leader observed'), 10_000);
    const stoppedAt = Date.now();
    standby.child.kill('SIGTERM');
    expect(await standby.exited).toBe(0);
    await until(async () => (await leaseHolder(host)).startsWith('ctl-c_'), LEASE_DURATION_MS * 2, 20);
    figures.sigtermHandoverMs = Date.now() - stoppedAt;
    // ctl-c took the released lease (taking an unexpired one's place would have logged 'lease
    // expired; taking over') at its next poll: from the release to the acquisition, by the two
    // processes' own log times, so that neither the shutdown of a process slowed by a loaded
    // machine nor the test's polling counts.
    // (A child's stdout is read a little after its writes, and after its exit event.)
    await until(() => logged(next, 'acquired lease; leading') && logged(standby, 'released lease'), 10_000);
    expect(logged(next, 'lease expired; taking over')).toBe(false);
    const handoverMs = loggedAt(next, 'acquired lease; leading') - loggedAt(standby, 'released lease');
    figures.releaseToAcquireMs = handoverMs;
    expect(handoverMs).toBeGreaterThanOrEqual(0);
    expect(handoverMs).toBeLessThan(LEASE_DURATION_MS / 2);
    expect(await portFree(standby.metricsPort)).toBe(true);
    expect(await portFree(standby.dnsPort, true)).toBe(true);
    await propagatedConfigMap('after-handover');
  });
});
