// The Kubefed demo as a user runs it, with real kubectl and the kfed CLI against a
// 3-cluster sandbox running the whole control plane (CRDs, default types, join, health):
// apply examples/go-app.yaml, read per-cluster status with `kubectl describe`, and
// enable / federate / disable round trips, including a CRD-defined type.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxControlPlane } from '../../../src/app/sandbox-control-plane.js';
import type { ControlPlane } from '../../../src/app/control-plane.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { requireTools } from '../../support/tools.js';
import { findGoAppExample } from '../../../src/app/sandbox-demo.js';
import { pollUntil } from '../../support/until.js';
import { kubectlRunner } from '../../support/kubectl.js';

const run = promisify(execFile);
const tools = requireTools('kubectl');
const EXAMPLE = findGoAppExample();

let sb: Sandbox;
let cp: ControlPlane;
let dir: string;

const kubectl = kubectlRunner(tools?.kubectl ?? 'kubectl', () => sb.kubeconfigPath);

async function kfed(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--kubeconfig', sb.kubeconfigPath], { timeout: 60_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kfed ${args.join(' ')} failed: ${e.stderr || e.message}`, { cause: err });
  }
}

async function until(fn: () => Promise<boolean>, ms = 20_000): Promise<void> {
  await pollUntil(fn, ms, 200);
}

describe.skipIf(!tools)('Kubefed demo with kubectl and kfed', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kfed-e2e-'));
    sb = await startSandbox({ clusters: 3, kubeconfigPath: join(dir, 'kubeconfig'), bookmarkIntervalMs: 1000 });
    cp = await startSandboxControlPlane(sb, { out: () => undefined, logger: silentLogger(), healthCheckPeriod: '1s' });
  }, 120_000);

  afterAll(async () => {
    await cp?.stop();
    await sb?.close();
  });

  it('propagates go-app and describes each cluster', async () => {
    await kubectl('--context', 'cluster-1', 'apply', '-f', EXAMPLE);
    await until(async () => {
      const out = await kubectl('--context', 'cluster-1', 'get', 'federateddeployment', 'go-app', '-n', 'go-app', '-o', 'jsonpath={.status.aggregated.ready}');
      return out === '3/3';
    }, 30_000);
    for (const c of ['cluster-1', 'cluster-2', 'cluster-3']) {
      const image = await kubectl('--context', c, 'get', 'deployment', 'go-app', '-n', 'go-app', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.metadata.labels.kubefed\\.io/managed}');
      expect(image).toBe(c === 'cluster-2' ? '4 example.org/go-app:1.1 true' : '2 example.org/go-app:1.0 true');
      expect(await kubectl('--context', c, 'get', 'service', 'go-app', '-n', 'go-app', '-o', 'jsonpath={.spec.type}')).toBe('LoadBalancer');
    }
    const describe = await kubectl('--context', 'cluster-1', 'describe', 'federateddeployment', 'go-app', '-n', 'go-app');
    for (const c of ['cluster-1', 'cluster-2', 'cluster-3']) expect(describe).toContain(`Name:  ${c}`);
    expect(describe).toMatch(/Type:\s+Propagation/);
    const table = await kubectl('--context', 'cluster-1', 'get', 'federateddeployments', '-n', 'go-app');
    expect(table).toMatch(/READY\s+REPLICAS\s+AVAILABLE\s+PROPAGATION/);
    expect(table).toMatch(/go-app\s+3\/3\s+8\s+8\s+True/);
  }, 120_000);

  it('enables a CRD-defined type, federates an object of it, and disables it again', async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;
    const crdFile = join(dir, 'widget-crd.yaml');
    await writeFile(crdFile, crd);
    for (const c of ['cluster-1', 'cluster-2', 'cluster-3']) await kubectl('--context', c, 'apply', '-f', crdFile);
    const preview = await kfed('enable', 'wd', '--output', 'yaml');
    expect(preview).toContain('kind: FederatedTypeConfig');
    expect(preview).toContain('name: federatedwidgets.types.kubefed.io');
    expect(await kubectl('--context', 'cluster-1', 'get', 'crd', 'federatedwidgets.types.kubefed.io', '--ignore-not-found')).toBe('');
    const enabled = await kfed('enable', 'widgets.example.com');
    expect(enabled).toContain('customresourcedefinition.apiextensions.k8s.io/federatedwidgets.types.kubefed.io created');
    expect(enabled).toContain('federatedtypeconfig.core.kubefed.io/widgets.example.com created');
    await until(async () => (await kubectl('--context', 'cluster-1', 'get', 'federatedtypeconfig', 'widgets.example.com', '-n', 'kube-federation-system', '-o', 'jsonpath={.status.propagationController}')) === 'Running');

    const widget = join(dir, 'widget.yaml');
    await writeFile(widget, 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: go-app}\nspec: {size: 3}\n');
    await kubectl('--context', 'cluster-1', 'apply', '-f', widget);
    const fedYaml = await kfed('federate', 'widget', 'w1', '-n', 'go-app', '-o', 'yaml');
    expect(fedYaml).toContain('kind: FederatedWidget');
    expect(fedYaml).toContain('clusterSelector: {}');
    expect(await kfed('federate', 'widget', 'w1', '-n', 'go-app')).toContain('federatedwidget.types.kubefed.io/w1 created in namespace go-app');
    await until(async () => (await kubectl('--context', 'cluster-3', 'get', 'widget', 'w1', '-n', 'go-app', '-o', 'jsonpath={.spec.size}')) === '3');

    await expect(kfed('disable', 'widgets.example.com', '--delete-crd')).rejects.toThrow(/while resource instances exist/);
    await kubectl('--context', 'cluster-1', 'delete', 'federatedwidget', 'w1', '-n', 'go-app', '--wait=true');
    await until(async () => (await kubectl('--context', 'cluster-3', 'get', 'widget', '-n', 'go-app', '-o', 'name')) === '');
    const disabled = await kfed('disable', 'widgets.example.com', '--delete-crd');
    expect(disabled).toContain('Propagation controller for FederatedTypeConfig "kube-federation-system/widgets.example.com" is stopped');
    expect(disabled).toContain('customresourcedefinition "federatedwidgets.types.kubefed.io" deleted');
    expect(await kubectl('--context', 'cluster-1', 'get', 'federatedtypeconfig', '-n', 'kube-federation-system', 'widgets.example.com', '--ignore-not-found')).toBe('');
    // Some 17 kubectl and kfed runs plus the polls: 103 s at load 19 on this 2-core machine.
  }, 240_000);

  it('federates a namespace with its contents', async () => {
    await kubectl('--context', 'cluster-1', 'create', 'namespace', 'shop');
    await kubectl('--context', 'cluster-1', 'create', 'configmap', 'settings', '-n', 'shop', '--from-literal=color=blue');
    const out = await kfed('federate', 'namespace', 'shop', '--contents');
    expect(out).toContain('federatednamespace.types.kubefed.io/shop created in namespace shop');
    expect(out).toContain('federatedconfigmap.types.kubefed.io/settings created in namespace shop');
    expect(out).not.toContain('kube-root-ca.crt');
    await until(async () => (await kubectl('--context', 'cluster-2', 'get', 'configmap', 'settings', '-n', 'shop', '-o', 'jsonpath={.data.color}')) === 'blue', 30_000);
  }, 120_000);
});
