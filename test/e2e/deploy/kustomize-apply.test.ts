// `kubectl kustomize deploy/base` renders, and its output applies cleanly to a fresh
// sandbox host with real kubectl, in the documented two steps (deploy/crds, wait for
// Established, then deploy/base); every object exists afterwards, and applying again
// changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { requireTools } from '../../support/tools.js';
import { renderChart, repoCrdFiles } from '../../unit/deploy/manifests.js';
import { asYaml, kubectl, kustomizeBase, type KubectlTarget } from './install.js';

const tools = requireTools('kubectl');

describe.skipIf(!tools)('kustomize base on the sandbox with kubectl', () => {
  let sb: Sandbox;
  let admin: ClusterClient;
  let target: KubectlTarget;
  let objects: KubeObject[];

  beforeAll(async () => {
    sb = await startSandbox({ clusters: 1 });
    admin = await clusterClientFromKubeconfig({ kubeconfigPath: sb.kubeconfigPath, context: 'cluster-1', name: 'admin' });
    target = { kubectl: tools!.kubectl, kubeconfig: sb.kubeconfigPath, context: 'cluster-1' };
    objects = (await kustomizeBase(tools!.kubectl)).objects;
  });

  afterAll(async () => {
    admin?.close();
    await sb?.close();
  });

  it('renders the namespace, every CRD of crds/, and the chart objects', () => {
    const crdNames = objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name);
    expect(crdNames).toHaveLength(repoCrdFiles().size);
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual(['kube-federation-system']);
    const rest = objects.filter((o) => o.kind !== 'CustomResourceDefinition' && o.kind !== 'Namespace');
    const chart = renderChart().objects;
    const key = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
    expect(rest.map(key).sort()).toEqual(chart.map(key).sort());
    // kustomize changes nothing in them: the base is the chart at default values.
    for (const o of rest) expect(o, key(o)).toEqual(chart.find((c) => key(c) === key(o)));
  });

  it('applies with server-side apply (CRDs first), and every object exists afterwards', async () => {
    const text = asYaml(objects);
    const crdsOnly = (await kustomizeBase(tools!.kubectl, 'crds')).objects;
    expect(crdsOnly.every((o) => o.kind === 'CustomResourceDefinition')).toBe(true);
    const step1 = await kubectl(target, ['apply', '--server-side', '-f', '-'], asYaml(crdsOnly));
    expect(step1.stdout.trim().split('\n')).toHaveLength(crdsOnly.length);
    const { stdout: crds } = await kubectl(target, ['wait', '--for=condition=Established', '--timeout=30s', ...crdsOnly.map((o) => `crd/${o.metadata.name ?? ''}`)]);
    expect(crds.trim().split('\n')).toHaveLength(repoCrdFiles().size);
    const applied = await kubectl(target, ['apply', '--server-side', '-f', '-'], text);
    const lines = applied.stdout.trim().split('\n');
    expect(lines.every((l) => / serverside-applied$/.test(l)), applied.stdout + applied.stderr).toBe(true);
    const expected = objects;
    expect(lines).toHaveLength(expected.length);

    // One `kubectl get -f -` reads every object back.
    const { stdout } = await kubectl(target, ['get', '-f', '-', '-o', 'json'], text);
    const stored = (JSON.parse(stdout) as { items: (KubeObject & { spec?: unknown })[] }).items;
    expect(stored.map((o) => `${o.kind}/${o.metadata.name ?? ''}`)).toEqual(expected.map((o) => `${o.kind}/${o.metadata.name ?? ''}`));
    stored.forEach((got, i) => {
      const o = expected[i]!;
      if (o.kind !== 'CustomResourceDefinition' && o.kind !== 'Namespace' && o.kind !== 'Service') {
        // What we asked for is what is stored (servers only add defaults to Services and CRDs).
        expect(got.metadata.labels ?? {}, `${o.kind} ${o.metadata.name} labels`).toEqual(o.metadata.labels ?? {});
      }
      if (o.kind === 'KubeFedConfig' || o.kind === 'FederatedTypeConfig') expect(got.spec).toEqual((o as KubeObject & { spec: unknown }).spec);
    });
    const { stdout: deploy } = await kubectl(target, ['-n', 'kube-federation-system', 'get', 'deployment', 'kfed-controller', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.serviceAccountName}']);
    expect(deploy).toBe('2 kfed-controller');
    const { stdout: svc } = await kubectl(target, ['-n', 'kube-federation-system', 'get', 'service', 'kfed-dns', '-o', 'jsonpath={range .spec.ports[*]}{.protocol}/{.port} {end}']);
    expect(svc.trim()).toBe('UDP/53 TCP/53');
  }, 120_000);

  it('a second apply changes nothing', async () => {
    const text = asYaml(objects);
    const before = await kubectl(target, ['get', 'deployments,services,kubefedconfigs,federatedtypeconfigs,roles,rolebindings', '-n', 'kube-federation-system', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}']);
    await kubectl(target, ['apply', '--server-side', '-f', '-'], text);
    const after = await kubectl(target, ['get', 'deployments,services,kubefedconfigs,federatedtypeconfigs,roles,rolebindings', '-n', 'kube-federation-system', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}']);
    expect(after.stdout).toBe(before.stdout);
  }, 60_000);
});
