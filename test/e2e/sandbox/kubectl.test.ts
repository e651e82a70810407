// The key flows with the real kubectl binary against a sandbox.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { kubectlRunner } from '../../support/kubectl.js';
import { requireTools } from '../../support/tools.js';
import { pollUntil } from '../../support/until.js';

const run = promisify(execFile);
const tools = requireTools('kubectl');

let sb: Sandbox;
let dir: string;

const kubectl = kubectlRunner(tools?.kubectl ?? 'kubectl', () => sb.kubeconfigPath);

async function kubectlFails(...args: string[]): Promise<string> {
  try {
    await run(tools!.kubectl, ['--kubeconfig', sb.kubeconfigPath, ...args], { timeout: 30_000 });
  } catch (err) {
    return (err as { stderr: string }).stderr;
  }
  throw new Error(`kubectl ${args.join(' ')} succeeded unexpectedly`);
}

async function file(name: string, content: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, content);
  return p;
}

const DEPLOY = `apiVersion: v1
kind: Namespace
metadata:
  name: demo
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: example.org/web:1
        ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: demo
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget, shortNames: [gd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties: {size: {type: integer}}
          status:
            type: object
            properties:
              conditions:
                type: array
                items:
                  type: object
                  properties: {type: {type: string}, status: {type: string}}
`;

describe.skipIf(!tools)('kubectl against the sandbox', () => {
  beforeAll(async () => {
    sb = await startSandbox({ clusters: 3 });
    dir = await mkdtemp(join(tmpdir(), 'kfed-kubectl-'));
  });
  afterAll(async () => {
    await sb?.close();
  });

  it('lists the contexts and talks to each cluster', async () => {
    expect((await kubectl('config', 'get-contexts', '-o', 'name')).trim().split('\n')).toEqual(['cluster-1', 'cluster-2', 'cluster-3']);
    expect(await kubectl('--context', 'cluster-2', 'get', 'nodes')).toMatch(/cluster-2-node-1\s+Ready/);
    expect(await kubectl('version', '-o', 'json')).toContain('v1.31.0');
    expect(await kubectl('api-resources')).toMatch(/deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
  });

  it('applies built-ins client-side, re-applies unchanged, and shows tables and yaml', async () => {
    const f = await file('deploy.yaml', DEPLOY);
    expect(await kubectl('apply', '-f', f)).toMatch(/deployment.apps\/web created/);
    expect(await kubectl('apply', '-f', f)).toMatch(/deployment.apps\/web unchanged/);
    const edited = await file('deploy2.yaml', DEPLOY.replace('replicas: 2', 'replicas: 3'));
    expect(await kubectl('apply', '-f', edited)).toMatch(/deployment.apps\/web configured/);
    await kubectl('wait', '-n', 'demo', '--for=condition=Available', 'deployment/web', '--timeout=10s');
    expect(await kubectl('get', 'deploy', '-n', 'demo')).toMatch(/NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+3\/3\s+3\s+3\s+\d+s/);
    expect(await kubectl('get', 'svc', '-n', 'demo')).toMatch(/web\s+LoadBalancer\s+10\.96\.\S+\s+192\.0\.2\.\d+\s+80:\d+\/TCP/);
    expect(await kubectl('get', 'deploy', 'web', '-n', 'demo', '-o', 'yaml')).toMatch(/replicas: 3/);
    expect(await kubectl('get', 'deploy', '-n', 'demo', '-l', 'app=web', '-o', 'name')).toBe('deployment.apps/web\n');
    expect(await kubectl('get', 'deploy', '-n', 'demo', '-l', 'app=nope', '-o', 'name')).toBe('');
  });

  it('applies server-side and reports conflicts between managers', async () => {
    const cm = await file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa, namespace: demo}\ndata: {a: "1"}\n');
    expect(await kubectl('apply', '--server-side', '-f', cm)).toMatch(/configmap\/ssa serverside-applied/);
    const other = await file('cm2.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa, namespace: demo}\ndata: {a: "2"}\n');
    expect(await kubectlFails('apply', '--server-side', '--field-manager', 'other', '-f', other)).toMatch(/conflict/i);
    expect(await kubectl('apply', '--server-side', '--field-manager', 'other', '--force-conflicts', '-f', other)).toMatch(/serverside-applied/);
    expect(await kubectl('get', 'cm', 'ssa', '-n', 'demo', '-o', 'jsonpath={.data.a}')).toBe('2');
  });

  it('applies a CRD and its objects, prints its columns, describes, labels, scales and patches', async () => {
    await kubectl('apply', '-f', await file('crd.yaml', CRD));
    await kubectl('wait', '--for=condition=Established', 'crd/gadgets.example.com', '--timeout=10s');
    await kubectl('apply', '-f', await file('gd.yaml', 'apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1, namespace: demo}\nspec: {size: 5}\n'));
    // a CRD with its own printer columns has no implicit AGE column
    expect(await kubectl('get', 'gd', '-n', 'demo')).toMatch(/NAME\s+SIZE\s+READY\s*\ng1\s+5\s*\n/);
    expect(await kubectl('describe', 'deployment', 'web', '-n', 'demo')).toMatch(/Replicas:\s+3 desired/);
    await kubectl('label', 'deployment', 'web', '-n', 'demo', 'tier=front');
    expect(await kubectl('get', 'deploy', '-n', 'demo', '-l', 'tier=front', '-o', 'name')).toBe('deployment.apps/web\n');
    await kubectl('scale', 'deployment', 'web', '-n', 'demo', '--replicas=1');
    expect(await kubectl('get', 'deploy', 'web', '-n', 'demo', '-o', 'jsonpath={.spec.replicas}')).toBe('1');
    await kubectl('patch', 'deployment', 'web', '-n', 'demo', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"example.org/web:2"}]}}}}');
    await kubectl('patch', 'deployment', 'web', '-n', 'demo', '--type=merge', '-p', '{"metadata":{"annotations":{"a":"b"}}}');
    await kubectl('patch', 'deployment', 'web', '-n', 'demo', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":2}]');
    expect(await kubectl('get', 'deploy', 'web', '-n', 'demo', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.metadata.annotations.a} {.spec.replicas} {.spec.template.spec.containers[0].ports[0].containerPort}')).toBe('example.org/web:2 b 2 8080');
    await kubectl('patch', 'gd', 'g1', '-n', 'demo', '--subresource=status', '--type=merge', '-p', '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}');
    expect(await kubectl('get', 'gd', '-n', 'demo')).toMatch(/g1\s+5\s+True/);
  });

  it('watches with --watch', async () => {
    const child = spawn(tools!.kubectl, ['--kubeconfig', sb.kubeconfigPath, 'get', 'cm', '-n', 'demo', '--watch', '--output-watch-events']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => setTimeout(r, 700));
    await kubectl('create', 'configmap', 'watched', '-n', 'demo');
    try {
      await pollUntil(() => /ADDED\s+watched/.test(out), 15_000, 50, "kubectl --watch printing ADDED watched");
    } finally {
      child.kill();
    }
  });

  it('deletes, also with a finalizer, and checks permissions', async () => {
    await kubectl('create', 'configmap', 'held', '-n', 'demo');
    await kubectl('patch', 'cm', 'held', '-n', 'demo', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}');
    await kubectl('delete', 'cm', 'held', '-n', 'demo', '--wait=false');
    expect(await kubectl('get', 'cm', 'held', '-n', 'demo', '-o', 'jsonpath={.metadata.deletionTimestamp}')).not.toBe('');
    await kubectl('patch', 'cm', 'held', '-n', 'demo', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
    expect(await kubectlFails('get', 'cm', 'held', '-n', 'demo')).toMatch(/NotFound|not found/);
    expect((await kubectl('auth', 'can-i', 'create', 'deployments', '-n', 'demo')).trim()).toBe('yes');
    expect((await kubectl('auth', 'can-i', 'list', 'secrets', '--as', 'system:serviceaccount:demo:nobody', '-n', 'demo').catch((e: Error) => e.message))).toMatch(/no/);
    await kubectl('delete', '-f', join(dir, 'deploy.yaml'), '--ignore-not-found');
    expect(await kubectlFails('get', 'ns', 'demo')).toMatch(/not found/);
  });
});
