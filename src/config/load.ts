// Reads the host's KubeFedConfig (when there is one) and builds the Config from it and
// the flags. The only place configuration touches the network.
import type { KubeFedConfig } from '../api/core.js';
import { KUBEFED_CONFIG_NAME, KUBEFED_CONFIGS, DEFAULT_KUBEFED_NAMESPACE } from '../api/core.js';
import { clusterClientFromKubeconfig, clusterClientInCluster, type ClusterClient } from '../kube/cluster-client.js';
import { isNotFound } from '../kube/errors.js';
import { buildConfig, type Config, type ConfigFlags } from './config.js';
import { checkKubeFedConfig } from './kubefedconfig-check.js';


/** A client for the host cluster as the flags (or Config) describe it. */
export async function hostClient(flags: Pick<ConfigFlags, 'kubeconfigPath' | 'kubeconfigYaml' | 'context' | 'inCluster'>, name = 'host'): Promise<ClusterClient> {
  if (flags.inCluster) return clusterClientInCluster({ name, userAgent: 'kfed-controller' });
  return clusterClientFromKubeconfig({
    ...(flags.kubeconfigPath !== undefined ? { kubeconfigPath: flags.kubeconfigPath } : {}),
    ...(flags.kubeconfigYaml !== undefined ? { kubeconfigYaml: flags.kubeconfigYaml } : {}),
    ...(flags.context !== undefined ? { context: flags.context } : {}),
    name,
    userAgent: 'kfed-controller',
  });
}

/** The KubeFedConfig `kubefed` in the namespace, or undefined when the host has none (or no CRD). */
export async function readKubeFedConfig(client: ClusterClient, namespace: string): Promise<KubeFedConfig | undefined> {
  try {
    return await client.dynamic.get<KubeFedConfig>(KUBEFED_CONFIGS, KUBEFED_CONFIG_NAME, { namespace, timeoutMs: 10_000 });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new Error(`read KubeFedConfig ${namespace}/${KUBEFED_CONFIG_NAME}`, { cause: err });
  }
}

/** Flags + the host's KubeFedConfig -> validated Config. */
export async function loadConfig(flags: ConfigFlags): Promise<Config> {
  // Validate the flags alone first, so a bad flag fails without a network round trip.
  buildConfig(flags);
  const client = await hostClient(flags);
  try {
    const stored = await readKubeFedConfig(client, flags.kubefedNamespace || DEFAULT_KUBEFED_NAMESPACE);
    // A bad stored value must not stop every start (a crash loop): its default is used instead.
    const checked = stored ? checkKubeFedConfig(stored) : undefined;
    const config = buildConfig(flags, checked?.config);
    return checked && checked.problems.length > 0 ? { ...config, kubeFedConfigProblems: checked.problems } : config;
  } finally {
    client.close();
  }
}
