// `kfed join` and `kfed unjoin`, flag-compatible with kubefedctl. Thin wrappers over
// src/kubefedctl/join.ts and unjoin.ts; Ctrl-C during a join rolls it back.
import type { Command } from 'commander';
import { joinCluster, type JoinTarget } from '../kubefedctl/join.js';
import type { ProgressFn } from '../kubefedctl/join-steps.js';
import { oneLine } from '../runtime/errors.js';
import { unjoinCluster } from '../kubefedctl/unjoin.js';
import { bool, collectLabels, defaultKubeconfigPath, failure, int, namespaceName } from './cli-support.js';
import { joinLine, joinStepLine, printLines, unjoinLine } from './kubefedctl-output.js';

interface CommonFlags {
  kubeconfig?: string;
  clusterContext?: string;
  hostClusterContext?: string;
  hostClusterName?: string;
  kubefedNamespace: string;
  dryRun: boolean;
  v: number;
}

function common(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <path>', 'path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--cluster-context <context>', "name of the cluster's context in the kubeconfig (default: the cluster name)")
    .option('--host-cluster-context <context>', 'host cluster context (default: the current context)')
    .option('--host-cluster-name <name>', 'name of the host in object names created in the member (default: the host context; required when it contains ":" or "/")')
    .option('--kubefed-namespace <ns>', 'namespace of the control plane in the host cluster', namespaceName, 'kube-federation-system')
    .option('--dry-run [bool]', 'only check and print what would be done', bool, false)
    .option('--v <level>', 'log verbosity (2 prints every step)', int, 0);
}

function progress(v: number): ProgressFn {
  return (level, step) => {
    if (level <= v) process.stderr.write(`${joinStepLine(step)}\n`);
  };
}

/** What join and unjoin share: the cluster, both contexts, the namespace, dry run, Ctrl-C and the --v lines. */
function target(name: string, f: CommonFlags, signal: AbortSignal): JoinTarget {
  return {
    clusterName: name,
    kubeconfig: { kubeconfigPath: f.kubeconfig ?? defaultKubeconfigPath() },
    clusterContext: f.clusterContext,
    hostClusterContext: f.hostClusterContext,
    hostClusterName: f.hostClusterName,
    kubefedNamespace: f.kubefedNamespace,
    dryRun: f.dryRun,
    signal,
    progress: progress(Math.max(f.v, f.dryRun ? 1 : 0)),
  };
}

function withInterrupt<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSignal = (): void => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return run(abort.signal).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
}

export function registerJoinCommands(program: Command): void {
  common(
    program
      .command('join')
      .description('register a cluster with a kfed (KubeFed) control plane')
      .argument('<name>', 'cluster name (a DNS-1123 subdomain)'),
  )
    .option('--cluster-label <key=value>', 'label for the KubeFedCluster (repeatable)', collectLabels, {})
    .option('--secret-name <name>', 'name of the host Secret holding the credentials (default: generated)')
    .option('--error-on-existing [bool]', 'fail when an object join would create already exists (default false: re-running updates it)', bool, false)
    .action(async (name: string, f: CommonFlags & { clusterLabel: Record<string, string>; secretName?: string; errorOnExisting: boolean }) => {
      try {
        const res = await withInterrupt((signal) =>
          joinCluster({
            ...target(name, f, signal),
            clusterLabels: f.clusterLabel,
            secretName: f.secretName,
            errorOnExisting: f.errorOnExisting,
          }),
        );
        printLines([joinLine(name, res)]);
      } catch (err) {
        throw failure(oneLine(err));
      }
    });

  common(
    program
      .command('unjoin')
      .description('remove the registration of a cluster from a kfed (KubeFed) control plane')
      .argument('<name>', 'cluster name'),
  )
    .option('--force [bool]', 'remove the host side even when the member cannot be cleaned up (e.g. it is gone)', bool, false)
    .action(async (name: string, f: CommonFlags & { force: boolean }) => {
      try {
        const res = await withInterrupt((signal) =>
          unjoinCluster({
            ...target(name, f, signal),
            force: f.force,
          }),
        );
        printLines([unjoinLine(name, res, f.dryRun)]);
      } catch (err) {
        throw failure(oneLine(err));
      }
    });
}
