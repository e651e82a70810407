// kubectl against the sandbox's OpenAPI documents and typed decoding: explain from the v3 schemas,
// validation of an unserved kind through /openapi/v2 (protobuf), and --validate=strict|warn|ignore
// as kube-apiserver answers them. The same commands gave the same output against kube-apiserver
// v1.37.2 (test/conformance compares the documents themselves).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { kubectlRunner } from '../../support/kubectl.js';
import { requireTools } from '../../support/tools.js';

const tools = requireTools('kubectl');
let sb: Sandbox;
let dir: string;
const run = kubectlRunner(tools?.kubectl ?? 'kubectl', () => sb.kubeconfigPath);
// kubectl's own discovery and OpenAPI cache in this test's directory: the shared one under
// ~/.kube/cache is keyed by host:port, and a port an earlier sandbox served (one with a Widget
// CRD, say) makes kubectl trust that server's kinds here.
const kubectl = (...args: string[]): Promise<string> => run('--cache-dir', join(dir, 'kube-cache'), ...args);

const BAD_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  replicas: 1
  bogus: 1
  selector:
    matchLabels: {a: b}
  template:
    metadata:
      labels: {a: b}
    spec:
      containers: [{name: c, image: nginx}]
`;

describe.skipIf(!tools)('kubectl explain, validation and typed decoding against the sandbox', () => {
  beforeAll(async () => {
    sb = await startSandbox({ clusters: 1 });
    dir = await mkdtemp(join(tmpdir(), 'kfed-openapi-'));
    await writeFile(join(dir, 'widget.yaml'), 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
    await writeFile(join(dir, 'bad.yaml'), BAD_DEPLOYMENT);
  });
  afterAll(async () => {
    await sb?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('explains built-in fields with their descriptions', async () => {
    const out = await kubectl('explain', 'deployment.spec');
    expect(out).toContain('FIELD: spec <DeploymentSpec>');
    expect(out).toMatch(/replicas\s+<integer>/);
    expect(out).toContain('Number of desired pods.');
    expect(await kubectl('explain', 'configmap.data')).toContain('FIELD: data <map[string]string>');
  });

  it('refuses an unserved kind as a real server does, not for want of /openapi/v2', async () => {
    await expect(kubectl('apply', '-f', join(dir, 'widget.yaml'))).rejects.toThrow(/no matches for kind "Widget" in version "example.com\/v1"\nensure CRDs are installed first/);
  });

  it('applies --validate=strict (the default), warn and ignore', async () => {
    await expect(kubectl('apply', '-f', join(dir, 'bad.yaml'))).rejects.toThrow('Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.bogus"');
    await expect(kubectl('apply', '--server-side', '-f', join(dir, 'bad.yaml'))).rejects.toThrow('failed to create typed patch object (default/d; apps/v1, Kind=Deployment): .spec.bogus: field not declared in schema');
    expect(await kubectl('create', '--validate=warn', '-f', join(dir, 'bad.yaml'))).toBe('deployment.apps/d created\n');
    const stored = JSON.parse(await kubectl('get', 'deployment', 'd', '-o', 'json')) as { spec: Record<string, unknown> };
    expect(stored.spec.bogus).toBeUndefined();
    expect(stored.spec.replicas).toBe(1);
  });
});
