// Command lines of the real backend's servers: etcd, kube-apiserver, kube-controller-manager and,
// with kwok, kube-scheduler and kwok.
import { join } from 'node:path';
import { stringify } from 'yaml';

/** The files boot() writes into a cluster's work folder. */
export interface ClusterFiles {
  ca: string;
  cert: string;
  key: string;
  sa: string;
  saPub: string;
  tokens: string;
  kcmKubeconfig: string;
  schedulerKubeconfig: string;
  kwokKubeconfig: string;
  kwokStages: string;
}

export function clusterFiles(dir: string): ClusterFiles {
  return {
    ca: join(dir, 'ca.crt'), cert: join(dir, 'apiserver.crt'), key: join(dir, 'apiserver.key'),
    sa: join(dir, 'sa.key'), saPub: join(dir, 'sa.pub'), tokens: join(dir, 'tokens.csv'), kcmKubeconfig: join(dir, 'kcm.kubeconfig'),
    schedulerKubeconfig: join(dir, 'scheduler.kubeconfig'), kwokKubeconfig: join(dir, 'kwok.kubeconfig'), kwokStages: join(dir, 'kwok-stages.yaml'),
  };
}

/** kube-controller-manager's controllers the real backend runs; the workload ones come with kwok. */
export const KCM_CONTROLLERS = [
  'namespace-controller', 'garbage-collector-controller', 'serviceaccount-controller', 'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller', 'clusterrole-aggregation-controller', 'resourcequota-controller', 'service-cidr-controller',
];

/** With kwok: Deployments and ReplicaSets are run by their real controllers, and pods of deleted nodes collected. */
export const KWOK_KCM_CONTROLLERS = [...KCM_CONTROLLERS, 'deployment-controller', 'replicaset-controller', 'pod-garbage-collector-controller'];

/** A kubeconfig for one of the cluster's own components: a bearer token from the static token file. */
export function componentKubeconfig(server: string, caFile: string, token: string): string {
  return stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'c', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: 'c', user: { token } }],
    contexts: [{ name: 'c', context: { cluster: 'c', user: 'c' } }],
  });
}

export function etcdArgs(name: string, dataDir: string, clientPort: number, peerPort: number): string[] {
  const url = `http://127.0.0.1:${clientPort}`;
  return [
    `--name=${name}`, `--data-dir=${dataDir}`,
    `--listen-client-urls=${url}`, `--advertise-client-urls=${url}`,
    `--listen-peer-urls=http://127.0.0.1:${peerPort}`, `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
    `--initial-cluster=${name}=http://127.0.0.1:${peerPort}`,
    // a sandbox: losing the last writes on a machine crash is fine, fsync latency on a busy disk is not
    '--unsafe-no-fsync', '--log-level=warn',
  ];
}

export function apiserverArgs(files: ClusterFiles, etcdPort: number, port: number, index: number): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`, '--bind-address=127.0.0.1', `--secure-port=${port}`,
    // what the kubernetes Endpoints say; the endpoint reconciler refuses loopback, and nothing dials
    // it here (clients use the proxy), so an address of the unrouted benchmarking range 198.18.0.0/15
    `--advertise-address=198.18.0.${index + 1}`,
    `--tls-cert-file=${files.cert}`, `--tls-private-key-file=${files.key}`, `--client-ca-file=${files.ca}`,
    `--token-auth-file=${files.tokens}`, '--authorization-mode=RBAC', '--anonymous-auth=true',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${files.saPub}`, `--service-account-signing-key-file=${files.sa}`,
    '--service-cluster-ip-range=10.96.0.0/16', '--allow-privileged=true', '--profiling=false', '--v=0',
  ];
}

export function kcmArgs(files: ClusterFiles, controllers: readonly string[]): string[] {
  return [
    `--kubeconfig=${files.kcmKubeconfig}`, '--leader-elect=false', `--controllers=${controllers.join(',')}`,
    `--service-account-private-key-file=${files.sa}`, `--root-ca-file=${files.ca}`, '--use-service-account-credentials=false',
    '--secure-port=0', '--profiling=false', '--v=0',
  ];
}

export function schedulerArgs(files: ClusterFiles): string[] {
  return [`--kubeconfig=${files.schedulerKubeconfig}`, '--leader-elect=false', '--secure-port=0', '--profiling=false', '--v=0'];
}

/** kwok manages every node (all are the agent's) and plays kwokStages() on their pods. */
export function kwokArgs(files: ClusterFiles, index: number): string[] {
  return [
    `--kubeconfig=${files.kwokKubeconfig}`, `--config=${files.kwokStages}`, '--manage-all-nodes=true',
    // pod addresses from the cluster's own range (as topology.ts's podIp), nodes' from 198.18.0.0/15
    `--cidr=10.${(index % 200) + 1}.0.0/16`, `--node-ip=198.18.${(index % 250) + 1}.1`, '--v=WARN',
  ];
}
