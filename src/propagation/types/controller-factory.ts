// What the composition root (src/app/controllers.ts) calls: the FederatedTypeConfig
// controller, configured from the KubeFedConfig, with events and metrics wired.
import type { KubeFedConfig } from '../../api/core.js';
import type { MemberRegistry } from '../../clusters/member-registry.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { InformerFactory } from '../../kube/informer-factory.js';
import type { Logger } from '../../observability/logger.js';
import type { Registry } from '../../observability/metrics.js';
import { syncEventSink } from '../sync/events.js';
import { TypeConfigController, type TypeConfigControllerOptions } from './type-config-controller.js';

export interface PropagationDeps {
  host: ClusterClient;
  members: MemberRegistry;
  /** e.g. the registry's waitForSync */
  membersSynced?: (signal: AbortSignal) => Promise<void>;
  kubefedNamespace: string;
  kubeFedConfig: KubeFedConfig;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
  /** replica identity, for Events' reportingInstance */
  identity?: string;
  /** the process's shared informers */
  informers?: InformerFactory;
  /** tuning for tests and benchmarks */
  overrides?: Partial<TypeConfigControllerOptions>;
}

export function createPropagationController(d: PropagationDeps): TypeConfigController {
  const spec = d.kubeFedConfig.spec;
  const configured = spec.syncController?.maxConcurrentReconciles;
  return new TypeConfigController({
    host: d.host,
    members: d.members,
    kubefedNamespace: d.kubefedNamespace,
    adoptResources: (spec.syncController?.adoptResources ?? 'Enabled') === 'Enabled',
    limitedScope: spec.scope === 'Namespaced',
    // Kubefed defaulted to one worker; kfed's reconciles are I/O-bound, so at least 16.
    workers: Math.max(16, configured ?? 0),
    events: syncEventSink(d.host, d.logger, d.identity),
    ...(d.membersSynced ? { membersSynced: d.membersSynced } : {}),
    ...(d.informers ? { informers: d.informers } : {}),
    ...(d.logger ? { logger: d.logger } : {}),
    ...(d.registry ? { registry: d.registry } : {}),
    ...d.overrides,
  });
}
