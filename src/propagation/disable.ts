// `kfed disable TYPE [--delete-crd]`, as kubefedctl disable: turn propagation off, wait
// for the type's sync controller to report NotRunning, optionally delete the
// Federated<Kind> CRD (refused while federated objects of the type exist), then delete
// the FederatedTypeConfig.
import { groupQualifiedName, type FederatedTypeConfig } from '../api/core.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { isNotFound } from '../kube/errors.js';
import { pause } from '../runtime/clock.js';
import { resolveEnableTarget } from './enable.js';
import { CUSTOM_RESOURCE_DEFINITIONS, FEDERATED_TYPE_CONFIGS, FIELD_MANAGER, federatedCrdName, federatedRef } from './resources.js';

export interface DisableOptions {
  namespace: string;
  deleteCrd?: boolean;
  /** How long to wait for the controller to stop. Default 10 s. */
  stopTimeoutMs?: number;
  signal?: AbortSignal;
}

/** The FTC name for TYPE: a dotted name is taken as `plural.group`, anything else is resolved. */
export async function typeConfigName(host: ClusterClient, typeName: string): Promise<string> {
  if (typeName.includes('.')) return typeName;
  const t = await resolveEnableTarget(host, typeName);
  return groupQualifiedName({ pluralName: t.plural, group: t.group });
}

export async function disableType(host: ClusterClient, typeName: string, opts: DisableOptions): Promise<string[]> {
  const lines: string[] = [];
  const sig = opts.signal ? { signal: opts.signal } : {};
  const name = await typeConfigName(host, typeName);
  const ftc = await host.dynamic.getIfExists<FederatedTypeConfig>(FEDERATED_TYPE_CONFIGS, name, { namespace: opts.namespace, ...sig });
  if (!ftc) {
    lines.push(`FederatedTypeConfig "${opts.namespace}/${name}" does not exist`);
    if (opts.deleteCrd) throw new Error(`cannot find the federated CRD of ${JSON.stringify(name)} without its FederatedTypeConfig`);
    return lines;
  }
  if (opts.deleteCrd) {
    try {
      const list = await host.dynamic.list(federatedRef(ftc), { limit: 1, ...sig });
      if (list.items.length > 0) {
        throw new Error(`cannot delete CRD ${JSON.stringify(federatedCrdName(ftc))} while resource instances exist; delete them or disable without --delete-crd`);
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  if (ftc.spec.propagation === 'Enabled') {
    await host.dynamic.patch(FEDERATED_TYPE_CONFIGS, name, { spec: { propagation: 'Disabled' } }, { namespace: opts.namespace, type: 'merge', fieldManager: FIELD_MANAGER, ...sig });
    lines.push(`Disabled propagation for FederatedTypeConfig "${opts.namespace}/${name}"`);
  } else {
    lines.push(`Propagation already disabled for FederatedTypeConfig "${opts.namespace}/${name}"`);
  }
  const deadline = Date.now() + (opts.stopTimeoutMs ?? 10_000);
  let stopped = false;
  while (Date.now() < deadline && !opts.signal?.aborted) {
    const cur = await host.dynamic.getIfExists<FederatedTypeConfig>(FEDERATED_TYPE_CONFIGS, name, { namespace: opts.namespace, ...sig });
    if (!cur || cur.status?.propagationController === 'NotRunning') {
      stopped = true;
      break;
    }
    await pause(100, opts.signal);
  }
  if (!stopped) throw new Error(`propagation controller for FederatedTypeConfig "${opts.namespace}/${name}" did not report NotRunning; is the kfed controller running?`);
  lines.push(`Propagation controller for FederatedTypeConfig "${opts.namespace}/${name}" is stopped`);
  if (opts.deleteCrd) {
    const crdName = federatedCrdName(ftc);
    const gone = await host.dynamic.delete(CUSTOM_RESOURCE_DEFINITIONS, crdName, { ignoreNotFound: true, ...sig });
    lines.push(gone === undefined ? `customresourcedefinition "${crdName}" does not exist` : `customresourcedefinition "${crdName}" deleted`);
  }
  await host.dynamic.delete(FEDERATED_TYPE_CONFIGS, name, { namespace: opts.namespace, ignoreNotFound: true, ...sig });
  lines.push(`federatedtypeconfig "${opts.namespace}/${name}" deleted`);
  return lines;
}
