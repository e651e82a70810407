// `kfed enable TYPE` and `kfed disable TYPE`, flag-compatible with kubefedctl.
import type { Command } from 'commander';
import { DEFAULT_KUBEFED_NAMESPACE } from '../api/core.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../kube/cluster-client.js';
import { disableType } from '../kubefedctl/disable.js';
import { createEnableResources, enableResources, resolveEnableTarget } from '../kubefedctl/enable.js';
import { bool, defaultKubeconfigPath, namespaceName } from './cli-support.js';
import { disableLines, enableLine, printLines, yamlDocuments } from './kubefedctl-output.js';

export interface HostFlags {
  kubeconfig?: string;
  hostClusterContext?: string;
  kubefedNamespace: string;
}

export function hostFlags(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <path>', 'path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--host-cluster-context <context>', 'host cluster context (default: the current context)')
    .option('--kubefed-namespace <ns>', 'namespace of the control plane in the host cluster', namespaceName, DEFAULT_KUBEFED_NAMESPACE);
}

export async function withHost<T>(f: HostFlags, run: (host: ClusterClient) => Promise<T>): Promise<T> {
  const host = await clusterClientFromKubeconfig({
    kubeconfigPath: f.kubeconfig ?? defaultKubeconfigPath(),
    ...(f.hostClusterContext ? { context: f.hostClusterContext } : {}),
    name: 'host',
    userAgent: 'kfed',
    timeoutMs: 30_000,
  });
  try {
    return await run(host);
  } finally {
    host.close();
  }
}

function checkOutput(output: string | undefined): boolean {
  if (output === undefined || output === '') return false;
  if (output !== 'yaml') throw new Error(`invalid value for --output: ${output} (only yaml is supported)`);
  return true;
}

export function registerEnableCommands(program: Command): void {
  hostFlags(program.command('enable').description('enable propagation of a Kubernetes API type (kind, plural, short name or plural.group), including a CRD-defined type').argument('<type>', 'the target type, e.g. deployments.apps'))
    .option('-o, --output <format>', 'print the CRD and FederatedTypeConfig instead of creating them (yaml)')
    .option('--federated-group <group>', 'API group of the generated federated type', 'types.kubefed.io')
    .option('--federated-version <version>', 'API version of the generated federated type', 'v1beta1')
    .option('--version <version>', 'API version of the target type (default: the preferred version)')
    .option('--dry-run [bool]', 'resolve the type but create nothing', bool, false)
    .action(async (type: string, f: HostFlags & { output?: string; federatedGroup: string; federatedVersion: string; version?: string; dryRun: boolean }) => {
      const yaml = checkOutput(f.output);
      await withHost(f, async (host) => {
        const target = await resolveEnableTarget(host, type, f.version, f.federatedGroup);
        const res = enableResources(target, f.kubefedNamespace, { federatedGroup: f.federatedGroup, federatedVersion: f.federatedVersion });
        if (yaml) {
          process.stdout.write(yamlDocuments([res.ftc, res.crd]));
          return;
        }
        if (f.dryRun) return;
        printLines((await createEnableResources(host, res)).map(enableLine));
      });
    });

  hostFlags(program.command('disable').description('disable propagation of a Kubernetes API type; with --delete-crd also remove its federated CRD').argument('<type>', 'the target type, e.g. deployments.apps'))
    .option('--delete-crd [bool]', 'also delete the Federated<Kind> CRD (refused while federated objects of the type exist)', bool, false)
    .action(async (type: string, f: HostFlags & { deleteCrd: boolean }) => {
      await withHost(f, async (host) => {
        printLines(disableLines(await disableType(host, type, { namespace: f.kubefedNamespace, deleteCrd: f.deleteCrd })));
      });
    });
}
