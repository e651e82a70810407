// `kfed federate` and PropagationPolicies (issue 17): by default (`--placement auto`) an
// object a policy selects is federated without a placement of its own, so the policy places
// it; an object no policy selects keeps kubefedctl's placement on every cluster; `--placement
// policy` refuses an object no policy selects before writing anything.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROPAGATION_POLICIES, type FederatedObject } from '../../../src/api/federation.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { federateResource } from '../../../src/kubefedctl/federate.js';
import { CONFIGMAPS, DEPLOYMENTS, FED_CONFIGMAPS, FED_DEPLOYMENTS, KUBEFED_NS, federateNamespace, inClusters, startEnv, until, type Env } from '../../support/propagation.js';
import { startupMs } from '../../support/sandbox-backend.js';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const NS = 'fedpol';
let env: Env;

const managed = (o: KubeObject | undefined): boolean => o?.metadata.labels?.['kubefed.io/managed'] === 'true';

async function kfed(...args: string[]): Promise<string> {
  try {
    return (await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--kubeconfig', env.sb.kubeconfigPath, '--host-cluster-context', 'cluster-1'], { cwd: ROOT, timeout: 90_000 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kfed ${args.join(' ')}: ${e.stderr || e.message}`, { cause: err });
  }
}

beforeAll(async () => {
  env = await startEnv();
  await federateNamespace(env, NS);
  // A PropagationPolicy placing Deployments of this namespace on cluster-3 only.
  await env.host.dynamic.create(PROPAGATION_POLICIES, {
    apiVersion: 'policy.kfed.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'to-3', namespace: NS },
    spec: { resourceSelectors: [{ kind: 'Deployment' }], placement: { clusters: [{ name: 'cluster-3' }] } },
  } as KubeObject);
  // The objects to federate, in the host cluster (cluster-1).
  await env.host.dynamic.create(DEPLOYMENTS, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS, labels: { app: 'web' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'example.org/web:1.0' }] } } },
  });
  await env.host.dynamic.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: NS }, data: { color: 'blue' } });
}, startupMs(60_000));

afterAll(async () => {
  await env?.close();
});

describe('kfed federate with PropagationPolicies', () => {
  it('writes no placement for an object a policy selects, says which policy places it, and the policy places it', async () => {
    const out = await kfed('federate', 'deployment', 'web', '-n', NS);
    expect(out).toBe(`federateddeployment.types.kubefed.io/web created in namespace ${NS}\nfederateddeployment.types.kubefed.io/web: no placement written; PropagationPolicy ${NS}/to-3 places it\n`);
    const fed = await env.host.dynamic.get<FederatedObject>(FED_DEPLOYMENTS, 'web', { namespace: NS });
    expect(fed.spec.placement).toBeUndefined();
    // Placed by the policy: cluster-3 only (cluster-1 holds the original, which kfed does not manage).
    await until(async () => managed((await inClusters(env, DEPLOYMENTS, NS, 'web'))['cluster-3']));
    const members = await inClusters(env, DEPLOYMENTS, NS, 'web');
    expect(members['cluster-2']).toBeUndefined();
    expect(managed(members['cluster-1'])).toBe(false);
  }, 60_000);

  it('keeps kubefedctl\'s every-cluster placement for an object no policy selects; --placement policy refuses one', async () => {
    await expect(federateResource(env.host, 'configmap', 'settings', { kubefedNamespace: KUBEFED_NS, namespace: NS, placement: 'policy' })).rejects.toThrow(
      `--placement policy: no PropagationPolicy or ClusterPropagationPolicy selects FederatedConfigMap ${NS}/settings; nothing was written`,
    );
    expect(await env.host.dynamic.getIfExists(FED_CONFIGMAPS, 'settings', { namespace: NS })).toBeUndefined();

    const res = await federateResource(env.host, 'configmap', 'settings', { kubefedNamespace: KUBEFED_NS, namespace: NS });
    expect(res.placements).toEqual([{ placement: { clusterSelector: {} } }]);
    expect((await env.host.dynamic.get<FederatedObject>(FED_CONFIGMAPS, 'settings', { namespace: NS })).spec.placement).toEqual({ clusterSelector: {} });
    await until(async () => {
      const m = await inClusters(env, CONFIGMAPS, NS, 'settings');
      return managed(m['cluster-2']) && managed(m['cluster-3']);
    });
  }, 60_000);

  it('--placement all writes kubefedctl\'s placement although a policy selects the object (-o yaml: the note on stderr)', async () => {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'federate', 'deployment', 'web', '-n', NS, '--placement', 'all', '-o', 'yaml', '--kubeconfig', env.sb.kubeconfigPath, '--host-cluster-context', 'cluster-1'], { cwd: ROOT, timeout: 90_000 });
    expect(stdout).toContain('placement:\n    clusterSelector: {}\n');
    expect(stderr).toBe(`federateddeployment.types.kubefed.io/web: placed on every cluster (--placement all); PropagationPolicy ${NS}/to-3 selects it but does not apply to an object with its own placement\n`);
  }, 60_000);
});
