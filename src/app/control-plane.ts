// Composition root: from one Config, the host client, the member registry, the
// controllers, the metrics/health server, the embedded DNS server and leader election.
// Informers (the registry) and DNS serving run on every replica; controllers that write
// run only on the leader.
import type { Config } from '../config/config.js';
import { hostClient } from '../config/load.js';
import { KubeFedClusterRegistry } from '../clusters/registry.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { InformerFactory } from '../kube/informer-factory.js';
import { LeaderElector } from '../kube/leader-election.js';
import { createLogger, redactDeep, type Logger } from '../observability/logger.js';
import { startHealthServer, type HealthServer } from '../observability/http-server.js';
import { createRegistry, type Registry } from '../observability/metrics.js';
import { LeaderTerm } from '../runtime/leader-term.js';
import { Manager } from '../runtime/manager.js';
import type { Runnable } from '../runtime/runnable.js';
import { startDnsServing, type DnsServing } from './dns-serving.js';
import { registerStateMetrics, stateSources } from './state-metrics.js';
import { CONTROLLERS, eventRecorders, type ControllerEntry, type ControlPlaneDeps } from './controllers.js';

export interface ControlPlane {
  readonly config: Config;
  readonly host: ClusterClient;
  readonly members: KubeFedClusterRegistry;
  readonly manager: Manager;
  readonly metrics: Registry;
  readonly health: HealthServer | undefined;
  /** The embedded DNS server, when config.dns asks for one. */
  readonly dns: DnsServing | undefined;
  readonly deps: ControlPlaneDeps;
  /** Resolves once the member registry has listed the host's KubeFedClusters and Secrets. */
  ready(signal?: AbortSignal): Promise<void>;
  isLeader(): boolean;
  /** Stops controllers (releasing the lease), informers and the server; closes clients. */
  stop(): Promise<void>;
  /** Resolves when the control plane stopped; rejects if a runnable failed. */
  wait(): Promise<void>;
}

export interface ControlPlaneOptions {
  logger?: Logger | undefined;
  metrics?: Registry;
  /** Replaces the default controller list (tests, benchmarks). */
  controllers?: ControllerEntry[];
}

export async function startControlPlane(config: Config, options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, base: { replica: config.leaderElection.identity } });
  const metrics = options.metrics ?? createRegistry();
  logger.info({ config: describeConfig(config) }, 'starting control plane');
  if (config.kubeFedConfigProblems) logger.error({ problems: config.kubeFedConfigProblems }, 'KubeFedConfig has invalid values; their defaults are used');
  const host = await hostClient({ ...config.host }, 'host');
  let health: HealthServer | undefined;
  let dns: DnsServing | undefined;
  try {
    if (config.metricsAddr) health = await startHealthServer({ host: config.metricsAddr.host, port: config.metricsAddr.port, registry: metrics, logger });
    // One informer per (cluster, resource, selector) in the process: the DNS serving feed and the
    // leader's controllers share them.
    const informers = new InformerFactory({ logger, registry: metrics });
    if (config.dns) dns = await startDnsServing({ config: config.dns, host, kubefedNamespace: config.kubefedNamespace, endpointScope: config.dnsEndpoints, logger, registry: metrics, informers });
    const members = new KubeFedClusterRegistry({ host: host.dynamic, namespace: config.kubefedNamespace, logger, registry: metrics });
    const le = config.leaderElection;
    const elector = le.enabled
      ? new LeaderElector({
          client: host.dynamic,
          namespace: config.kubefedNamespace,
          name: le.leaseName,
          identity: le.identity,
          leaseDurationMs: le.leaseDurationMs,
          renewDeadlineMs: le.renewDeadlineMs,
          retryPeriodMs: le.retryPeriodMs,
          logger,
          registry: metrics,
        })
      : undefined;
    const manager = new Manager({ logger, ...(elector ? { leaderElection: elector } : {}) });
    const deps: ControlPlaneDeps = {
      config,
      host,
      members,
      informers,
      logger,
      metrics,
      events: eventRecorders(host, logger),
      health,
      isLeader: () => manager.isLeader(),
    };
    manager.add(members);
    if (dns) manager.add(dns.feed);
    const entries = options.controllers ?? CONTROLLERS;
    const create = (): Runnable[] =>
      entries.flatMap((entry) => {
        const made = entry.create(deps);
        return made === undefined ? [] : Array.isArray(made) ? made : [made];
      });
    // Runnables that run on every replica are made once; leader-only ones are made anew
    // for every leadership term (see runtime/leader-term.ts).
    const made = create();
    for (const r of made) if (r.needLeaderElection === false) manager.add(r);
    let firstTerm: Runnable[] | undefined = made.filter((r) => r.needLeaderElection !== false);
    const nextTerm = (): Runnable[] => {
      const runnables = firstTerm ?? create().filter((r) => r.needLeaderElection !== false);
      firstTerm = undefined;
      return runnables;
    };
    const term = new LeaderTerm({ name: 'leader-controllers', logger, create: () => ({ runnables: nextTerm() }) });
    manager.add(term);
    registerStateMetrics(metrics, () => stateSources(term.current()));
    health?.addReadinessCheck('member-registry', () => members.hasSynced() || 'KubeFedCluster and Secret informers not synced');
    if (dns) {
      const served = dns;
      health?.addReadinessCheck('dns-snapshot', () => served.hasSnapshot() || 'no DNS zone snapshot built yet (Domain and DNSEndpoint informers not synced)');
      if (served.workers > 0) {
        // The workers answer, so their kfed_dns_* metrics are theirs: /metrics sums them in.
        health?.addMetricsSource('dns-workers', () => served.workerMetrics());
        // A worker that exits is not replaced; with none left nothing answers DNS, and
        // only a restart of this process brings them back.
        health?.addLivenessCheck('dns-workers', () => served.workerPids().length > 0 || `every DNS worker process exited (of ${served.workers})`);
      }
    }
    health?.addLivenessCheck('ping', () => true);
    // Leading but not doing the leader's work (a controller that stopped or cannot sync) is
    // not alive: a restart is better than holding the lease idle.
    health?.addLivenessCheck('leader-controllers', () => !manager.isLeader() || term.liveness());
    await manager.start();
    let stopping: Promise<void> | undefined;
    return {
      config,
      host,
      members,
      manager,
      metrics,
      health,
      dns,
      deps,
      ready: (signal) => members.waitForSync(signal),
      isLeader: () => manager.isLeader(),
      stop: () => {
        stopping ??= (async () => {
          await manager.stop();
          await dns?.close();
          await health?.close();
          host.close();
          logger.info('control plane stopped');
        })();
        return stopping;
      },
      wait: () => manager.wait(),
    };
  } catch (err) {
    await dns?.close();
    await health?.close();
    host.close();
    throw new Error('start control plane', { cause: err });
  }
}

/**
 * The configuration as logged at start: secrets redacted (an inline kubeconfig carries
 * credentials) and the KubeFedConfig reduced to its spec.
 */
export function describeConfig(config: Config): Record<string, unknown> {
  const { kubeFedConfig, host, ...rest } = config;
  return redactDeep({
    ...rest,
    host: { ...host, ...(host.kubeconfigYaml !== undefined ? { kubeconfigYaml: '[REDACTED]' } : {}) },
    kubeFedConfig: { name: kubeFedConfig.metadata.name, namespace: kubeFedConfig.metadata.namespace, spec: kubeFedConfig.spec },
  });
}
