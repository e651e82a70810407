// `kfed controller`: run the control plane against a host cluster until SIGINT/SIGTERM.
import type { Command } from 'commander';
import type { LogLevel } from '../observability/logger.js';
import { bool, defaultKubeconfigPath, failure, int, runningInPod } from './cli-support.js';

interface ControllerFlags {
  kubeconfig?: string;
  context?: string;
  kubefedNamespace: string;
  metricsAddr: string;
  leaderElect: boolean;
  leaderElectionId?: string;
  healthCheckPeriod?: string;
  healthCheckTimeout?: string;
  healthCheckFailureThreshold?: number;
  healthCheckSuccessThreshold?: number;
  healthCheckFastProbeInterval?: string;
  logLevel: LogLevel;
}

export function registerControllerCommand(program: Command): void {
  program
    .command('controller')
    .description('run the kfed control plane against a host cluster')
    .option('--kubeconfig <path>', 'kubeconfig of the host cluster (default: in-cluster config in a pod, else $KUBECONFIG or ~/.kube/config)')
    .option('--context <context>', 'kubeconfig context of the host cluster (default: current context)')
    .option('--kubefed-namespace <ns>', 'namespace of the control plane, its KubeFedClusters and KubeFedConfig', 'kube-federation-system')
    .option('--metrics-addr <addr>', 'where to serve /metrics, /healthz and /readyz (host:port, :port; 0 disables)', ':8080')
    .option('--leader-elect [bool]', 'elect a leader with a Lease so only one replica reconciles', bool, true)
    .option('--leader-election-id <name>', 'name of the Lease', 'kubefed-controller-manager')
    .option('--health-check-period <duration>', 'override KubeFedConfig spec.clusterHealthCheck.period')
    .option('--health-check-timeout <duration>', 'override KubeFedConfig spec.clusterHealthCheck.timeout')
    .option('--health-check-failure-threshold <n>', 'override KubeFedConfig spec.clusterHealthCheck.failureThreshold', int)
    .option('--health-check-success-threshold <n>', 'override KubeFedConfig spec.clusterHealthCheck.successThreshold', int)
    .option('--health-check-fast-probe-interval <duration>', 'spacing of confirmation probes when a member refuses connections (0 disables the fast path)', '200ms')
    .option('--log-level <level>', 'fatal | error | warn | info | debug | trace', 'info')
    .action(async (f: ControllerFlags) => {
      const inCluster = f.kubeconfig === undefined && runningInPod();
      let cp;
      try {
        // Loaded on use so that `kfed join` and friends start quickly.
        const [{ loadConfig }, { startControlPlane }] = await Promise.all([import('../config/load.js'), import('../app/control-plane.js')]);
        const config = await loadConfig({
          ...(inCluster ? { inCluster: true } : { kubeconfigPath: f.kubeconfig ?? defaultKubeconfigPath() }),
          ...(f.context !== undefined ? { context: f.context } : {}),
          kubefedNamespace: f.kubefedNamespace,
          metricsAddr: f.metricsAddr,
          leaderElect: f.leaderElect,
          ...(f.leaderElectionId !== undefined ? { leaderElectionId: f.leaderElectionId } : {}),
          ...(f.healthCheckPeriod !== undefined ? { healthCheckPeriod: f.healthCheckPeriod } : {}),
          ...(f.healthCheckTimeout !== undefined ? { healthCheckTimeout: f.healthCheckTimeout } : {}),
          ...(f.healthCheckFailureThreshold !== undefined ? { healthCheckFailureThreshold: f.healthCheckFailureThreshold } : {}),
          ...(f.healthCheckSuccessThreshold !== undefined ? { healthCheckSuccessThreshold: f.healthCheckSuccessThreshold } : {}),
          ...(f.healthCheckFastProbeInterval !== undefined ? { healthCheckFastProbeInterval: f.healthCheckFastProbeInterval } : {}),
          logLevel: f.logLevel,
        });
        cp = await startControlPlane(config);
      } catch (err) {
        const e = err as Error & { cause?: unknown };
        throw failure(e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message);
      }
      const running = cp;
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void running.stop();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      await running.wait();
    });
}
