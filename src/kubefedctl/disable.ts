// `kfed disable TYPE [--delete-crd]`, as kubefedctl disable: turn propagation off, wait
// for the type's sync controller to report NotRunning, optionally delete the
// Federated<Kind> CRD (refused while federated objects of the type exist), then delete
// the FederatedTypeConfig.
import { groupQualifiedName, type FederatedTypeConfig, FEDERATED_TYPE_CONFIGS } from '../api/core.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { isNotFound } from '../kube/errors.js';
import { pause } from '../runtime/clock.js';
import { resolveEnableTarget } from './enable.js';
import { FIELD_MANAGER, federatedCrdName, federatedRef } from '../propagation/resources.js';
import { CUSTOM_RESOURCE_DEFINITIONS } from '../api/kubernetes.js';

export interface DisableOptions {
  namespace: string;
  deleteCrd?: boolean;
  /** How long to wait for the controller to stop. Default 10 s. */
  stopTimeoutMs?: number;
  signal?: AbortSignal | undefined;
}

/** The FTC name for TYPE: a dotted name is taken as `plural.group`, anything else is resolved. */
export async function typeConfigName(host: ClusterClient, typeName: string): Promise<string> {
  if (typeName.includes('.')) return typeName;
  const t = await resolveEnableTarget(host, typeName);
  return groupQualifiedName({ pluralName: t.plural, group: t.group });
}

/** What `kfed disable` found and did, in order; src/cli prints it as kubefedctl does. */
export interface DisableResult {
  namespace: string;
  /** the FederatedTypeConfig's name */
  name: string;
  /** false: there was no FederatedTypeConfig and nothing was done */
  found: boolean;
  /** propagation was Enabled and is now Disabled (false: it already was) */
  disabledPropagation: boolean;
  /** with --delete-crd: the federated CRD and whether it existed to be deleted */
  crd?: { name: string; deleted: boolean };
}

export async function disableType(host: ClusterClient, typeName: string, opts: DisableOptions): Promise<DisableResult> {
  const sig = opts.signal ? { signal: opts.signal } : {};
  const namespace = opts.namespace;
  const name = await typeConfigName(host, typeName);
  const ftc = await host.dynamic.getIfExists<FederatedTypeConfig>(FEDERATED_TYPE_CONFIGS, name, { namespace, ...sig });
  if (!ftc) {
    if (opts.deleteCrd) throw new Error(`cannot find the federated CRD of ${JSON.stringify(name)} without its FederatedTypeConfig`);
    return { namespace, name, found: false, disabledPropagation: false };
  }
  if (opts.deleteCrd) await refuseWhileInstancesExist(host, ftc, sig);
  const disabledPropagation = ftc.spec.propagation === 'Enabled';
  if (disabledPropagation) {
    await host.dynamic.patch(FEDERATED_TYPE_CONFIGS, name, { spec: { propagation: 'Disabled' } }, { namespace, type: 'merge', fieldManager: FIELD_MANAGER, ...sig });
  }
  await waitForControllerStopped(host, namespace, name, opts);
  const result: DisableResult = { namespace, name, found: true, disabledPropagation };
  if (opts.deleteCrd) {
    const crdName = federatedCrdName(ftc);
    const gone = await host.dynamic.delete(CUSTOM_RESOURCE_DEFINITIONS, crdName, { ignoreNotFound: true, ...sig });
    result.crd = { name: crdName, deleted: gone !== undefined };
  }
  await host.dynamic.delete(FEDERATED_TYPE_CONFIGS, name, { namespace, ignoreNotFound: true, ...sig });
  return result;
}

async function refuseWhileInstancesExist(host: ClusterClient, ftc: FederatedTypeConfig, sig: { signal?: AbortSignal }): Promise<void> {
  try {
    const list = await host.dynamic.list(federatedRef(ftc), { limit: 1, ...sig });
    if (list.items.length > 0) {
      throw new Error(`cannot delete CRD ${JSON.stringify(federatedCrdName(ftc))} while resource instances exist; delete them or disable without --delete-crd`);
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** The FederatedTypeConfig controller reports NotRunning once the type's sync controller stopped. */
async function waitForControllerStopped(host: ClusterClient, namespace: string, name: string, opts: DisableOptions): Promise<void> {
  const sig = opts.signal ? { signal: opts.signal } : {};
  const deadline = Date.now() + (opts.stopTimeoutMs ?? 10_000);
  while (Date.now() < deadline && !opts.signal?.aborted) {
    const cur = await host.dynamic.getIfExists<FederatedTypeConfig>(FEDERATED_TYPE_CONFIGS, name, { namespace, ...sig });
    if (!cur || cur.status?.propagationController === 'NotRunning') return;
    await pause(100, opts.signal);
  }
  throw new Error(`propagation controller for FederatedTypeConfig "${namespace}/${name}" did not report NotRunning; is the kfed controller running?`);
}
