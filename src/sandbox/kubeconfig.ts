// Kubeconfig for a sandbox: one context per cluster, CA data and a bearer token each,
// plus an extension that tells `kfed sandbox ctl` where the control endpoint is.
import { stringify } from 'yaml';

export interface KubeconfigCluster {
  name: string;
  url: string;
  caPem: string;
  token: string;
}

export const CONTROL_EXTENSION = 'kfed.io/sandbox-control';

export function renderKubeconfig(clusters: KubeconfigCluster[], control?: { url: string; token: string }, current = clusters[0]?.name): string {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': current,
    preferences: {},
    clusters: clusters.map((c) => ({ name: c.name, cluster: { server: c.url, 'certificate-authority-data': Buffer.from(c.caPem).toString('base64') } })),
    users: clusters.map((c) => ({ name: `${c.name}-admin`, user: { token: c.token } })),
    contexts: clusters.map((c) => ({ name: c.name, context: { cluster: c.name, user: `${c.name}-admin` } })),
    ...(control ? { extensions: [{ name: CONTROL_EXTENSION, extension: { url: control.url, token: control.token } }] } : {}),
  };
  return stringify(doc);
}
