// The controllers the control plane runs. To add one, append a factory: it receives the
// shared dependencies and returns the runnables to start. Leader-only runnables (the
// default) are made anew by their factory for every leadership term and started once
// (runtime/leader-term.ts); runnables with `needLeaderElection: false` are made once and
// run on every replica. Keep factories cheap; watches and loops belong in `start(signal)`,
// and informers come from `informers` (one per cluster, resource and selector in the
// process). Build a controller with runtime/controller-builder.ts; docs/architecture.md
// walks through adding one.
import type { Config } from '../config/config.js';
import { createEventRecorder, type EventRecorder } from '../clusters/events.js';
import { ClusterHealthController } from '../clusters/health-controller.js';
import { ClusterSeriesPruner } from '../clusters/series-pruner.js';
import { createMultiClusterDNS } from '../dns/records/dns-controllers.js';
import type { KubeFedClusterRegistry } from '../clusters/registry.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { InformerFactory } from '../kube/informer-factory.js';
import type { Logger } from '../observability/logger.js';
import type { HealthServer } from '../observability/http-server.js';
import type { Registry } from '../observability/metrics.js';
import type { Runnable } from '../runtime/runnable.js';
import { createPropagationController } from '../propagation/types/controller-factory.js';
import { RSPController } from '../propagation/scheduling/rsp-controller.js';
import { PolicyStatusController } from '../propagation/policy/policy-status-controller.js';
import { PlainConflicts } from '../propagation/plain/plain-conflicts.js';
import { PlainResourceController } from '../propagation/plain/plain-resource-controller.js';
import { PublishingController } from '../dns/publish/publishing-controller.js';
import { DNS_PROVIDER_FACTORIES } from './dns-providers.js';
import { KubeFedConfigWatcher } from '../clusters/kubefedconfig-watcher.js';

export interface ControlPlaneDeps {
  config: Config;
  /** The host cluster, where the federation API objects live. */
  host: ClusterClient;
  /** Joined members: readiness, location, labels and a client each (a MemberRegistry). */
  members: KubeFedClusterRegistry;
  /** The process's shared informers: controllers acquire through a scope and release when they stop. */
  informers: InformerFactory;
  logger: Logger;
  metrics: Registry;
  /** Events on host objects, attributed to `component`. */
  events(component: string): EventRecorder;
  /** The /metrics /healthz /readyz server, when one is served (add readiness checks to it). */
  health: HealthServer | undefined;
  isLeader(): boolean;
}

export type ControllerFactory = (deps: ControlPlaneDeps) => Runnable | Runnable[] | undefined;

export interface ControllerEntry {
  name: string;
  create: ControllerFactory;
}

export const CONTROLLERS: ControllerEntry[] = [
  {
    // Metric series of unjoined clusters leave /metrics (every replica).
    name: 'cluster-series-pruner',
    create: (d) => new ClusterSeriesPruner({ members: d.members, registry: d.metrics }),
  },
  {
    name: 'cluster-health',
    create: (d) =>
      new ClusterHealthController({
        members: d.members,
        host: d.host.dynamic,
        config: d.config.clusterHealthCheck,
        logger: d.logger,
        registry: d.metrics,
        events: d.events('kubefedcluster-controller'),
        informers: d.informers,
      }),
  },
  {
    // ServiceDNSRecord/IngressDNSRecord status and their DNSEndpoints (leader only).
    name: 'multicluster-dns',
    create: (d) =>
      createMultiClusterDNS({
        host: d.host,
        members: d.members,
        membersSynced: (signal) => d.members.waitForSync(signal),
        kubefedNamespace: d.config.kubefedNamespace,
        informers: d.informers,
        externalDNS: d.config.dns?.externalDNS ?? true,
        endpointScope: d.config.dnsEndpoints,
        events: d.events('dns-name-ownership'),
        logger: d.logger,
        registry: d.metrics,
      }),
  },
  {
    // FederatedTypeConfig controller and one sync controller per enabled type (leader only).
    name: 'propagation',
    create: (d) =>
      createPropagationController({
        host: d.host,
        members: d.members,
        membersSynced: (signal) => d.members.waitForSync(signal),
        kubefedNamespace: d.config.kubefedNamespace,
        kubeFedConfig: d.config.kubeFedConfig,
        logger: d.logger,
        registry: d.metrics,
        identity: d.config.leaderElection.identity,
        informers: d.informers,
      }),
  },
  {
    // Says when a KubeFedConfig edit is invalid or needs a restart (leader only).
    name: 'kubefedconfig-watcher',
    create: (d) =>
      new KubeFedConfigWatcher({
        host: d.host,
        namespace: d.config.kubefedNamespace,
        running: d.config.kubeFedConfig,
        events: d.events('kubefedconfig-watcher'),
        logger: d.logger,
        registry: d.metrics,
      }),
  },
  {
    // ReplicaSchedulingPreferences: replicas of FederatedDeployments spread over Ready members (leader only).
    name: 'replica-scheduling',
    create: (d) =>
      new RSPController({
        host: d.host,
        members: d.members,
        membersSynced: (signal) => d.members.waitForSync(signal),
        ...(d.config.kubeFedConfig.spec.scope === 'Namespaced' ? { namespace: d.config.kubefedNamespace } : {}),
        informers: d.informers,
        unschedulableAfterMs: d.config.scheduling.unschedulableAfterMs,
        replanIntervalMs: d.config.scheduling.replanIntervalMs,
        logger: d.logger,
        registry: d.metrics,
      }),
  },
  {
    // Policy status: what each PropagationPolicy/OverridePolicy matched, conflicts, override failures (leader only);
    // with --policy-propagate-plain-resources, the plain-resource controller beside it (its conflicts go into the status).
    name: 'policy-status',
    create: (d) => {
      const scope = d.config.kubeFedConfig.spec.scope === 'Namespaced' ? { namespace: d.config.kubefedNamespace } : {};
      const conflicts = d.config.policies.propagatePlainResources ? new PlainConflicts() : undefined;
      return [
        new PolicyStatusController({
          host: d.host,
          informers: d.informers.scope(),
          kubefedNamespace: d.config.kubefedNamespace,
          ...scope,
          conflicts,
          events: d.events('policy-status-controller'),
          logger: d.logger,
          registry: d.metrics,
        }),
        ...(conflicts ? [new PlainResourceController({ host: d.host, informers: d.informers.scope(), kubefedNamespace: d.config.kubefedNamespace, ...scope, conflicts, events: d.events('plain-resource-controller'), logger: d.logger, registry: d.metrics })] : []),
      ];
    },
  },
  {
    // DNSProviders: publish the DNSEndpoints' records to Route53, Cloud DNS, RFC2136 (leader only).
    name: 'dns-publishing',
    create: (d) =>
      new PublishingController({
        host: d.host,
        kubefedNamespace: d.config.kubefedNamespace,
        factories: DNS_PROVIDER_FACTORIES,
        externalDNS: d.config.publish.externalDNS,
        endpointScope: d.config.dnsEndpoints,
        events: d.events('dns-publishing'),
        informers: d.informers,
        logger: d.logger,
        registry: d.metrics,
      }),
  },
];

/** Event recorders per component, sharing the host client. */
export function eventRecorders(host: ClusterClient, logger: Logger): (component: string) => EventRecorder {
  const byComponent = new Map<string, EventRecorder>();
  return (component) => {
    let r = byComponent.get(component);
    if (!r) {
      r = createEventRecorder({ client: host.dynamic, component, logger });
      byComponent.set(component, r);
    }
    return r;
  };
}
