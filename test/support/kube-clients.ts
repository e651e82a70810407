// client-node clients for a sandbox context, used by tests that check API behaviour.
import * as k8s from '@kubernetes/client-node';

export function kubeConfig(yaml: string, context: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(yaml);
  kc.setCurrentContext(context);
  return kc;
}

export function clients(yaml: string, context = 'cluster-1') {
  const kc = kubeConfig(yaml, context);
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    rbac: kc.makeApiClient(k8s.RbacAuthorizationV1Api),
    ext: kc.makeApiClient(k8s.ApiextensionsV1Api),
    authz: kc.makeApiClient(k8s.AuthorizationV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
  };
}

/** The HTTP status of a rejected client-node call (throws if the call succeeded). */
export async function statusOf(p: Promise<unknown>): Promise<{ code: number; body: any; headers: Record<string, string> }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: number; body?: unknown; headers?: Record<string, string> };
    if (typeof e.code === 'number') {
      const body = typeof e.body === 'string' ? safeParse(e.body) : e.body;
      return { code: e.code, body, headers: e.headers ?? {} };
    }
    throw err;
  }
  throw new Error('expected the request to fail, but it succeeded');
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export { eventually } from './until.js';

export { k8s };
