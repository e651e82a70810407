// kubectl v1.37 writes built-in kinds as Kubernetes protobuf (its typed clients): every
// `kubectl create` subcommand the sandbox serves, `create token` and `auth`, against a sandbox,
// then the stored object read back as JSON.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { kubectlRunner } from '../../support/kubectl.js';
import { requireTools } from '../../support/tools.js';

const tools = requireTools('kubectl');
const run = promisify(execFile);

let sb: Sandbox;
let dir: string;
const kubectl = kubectlRunner(tools?.kubectl ?? 'kubectl', () => sb.kubeconfigPath);

type Obj = Record<string, any>;

async function get(...args: string[]): Promise<Obj> {
  return JSON.parse(await kubectl('get', ...args, '-o', 'json')) as Obj;
}

describe.skipIf(!tools)('kubectl create (protobuf bodies) against the sandbox', () => {
  beforeAll(async () => {
    sb = await startSandbox({ clusters: 1 });
    dir = await mkdtemp(join(tmpdir(), 'kfed-kubectl-pb-'));
    await kubectl('create', 'namespace', 'pb');
  });
  afterAll(async () => {
    await sb?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('create namespace', async () => {
    expect(await kubectl('create', 'namespace', 'pb-ns')).toBe('namespace/pb-ns created\n');
    const ns = await get('namespace', 'pb-ns');
    expect(ns.metadata.name).toBe('pb-ns');
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'pb-ns' });
  });

  it('create configmap: literals, a text file and binary data', async () => {
    const bin = join(dir, 'bin');
    await writeFile(bin, Buffer.from([0x00, 0xff, 0xfe, 0x80]));
    await kubectl('create', 'configmap', 'cm', '-n', 'pb', '--from-literal=a=b', '--from-literal=greeting=hello world', `--from-file=blob=${bin}`);
    const cm = await get('configmap', 'cm', '-n', 'pb');
    expect(cm.data).toEqual({ a: 'b', greeting: 'hello world' });
    expect(Buffer.from(cm.binaryData.blob as string, 'base64')).toEqual(Buffer.from([0x00, 0xff, 0xfe, 0x80]));
  });

  it('create secret generic, docker-registry and tls', async () => {
    await kubectl('create', 'secret', 'generic', 'gen', '-n', 'pb', '--from-literal=password=s3cret');
    const gen = await get('secret', 'gen', '-n', 'pb');
    expect(gen.type).toBe('Opaque');
    expect(Buffer.from(gen.data.password as string, 'base64').toString()).toBe('s3cret');

    await kubectl('create', 'secret', 'docker-registry', 'reg', '-n', 'pb', '--docker-server=registry.example.org', '--docker-username=u', '--docker-password=p');
    const reg = await get('secret', 'reg', '-n', 'pb');
    expect(reg.type).toBe('kubernetes.io/dockerconfigjson');
    expect(JSON.parse(Buffer.from(reg.data['.dockerconfigjson'] as string, 'base64').toString()).auths['registry.example.org'].username).toBe('u');

    const crt = join(dir, 'tls.crt');
    const key = join(dir, 'tls.key');
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=example.org', '-keyout', key, '-out', crt]);
    await kubectl('create', 'secret', 'tls', 'tls', '-n', 'pb', `--cert=${crt}`, `--key=${key}`);
    const tls = await get('secret', 'tls', '-n', 'pb');
    expect(tls.type).toBe('kubernetes.io/tls');
    expect(Buffer.from(tls.data['tls.crt'] as string, 'base64').toString()).toContain('BEGIN CERTIFICATE');
  });

  it('create serviceaccount, then create token for it', async () => {
    await kubectl('create', 'serviceaccount', 'robot', '-n', 'pb');
    expect((await get('serviceaccount', 'robot', '-n', 'pb')).metadata.name).toBe('robot');
    const token = (await kubectl('create', 'token', 'robot', '-n', 'pb', '--duration=1h')).trim();
    expect(token).toMatch(/^\S{16,}$/);
    const review = JSON.parse(await kubectl('--token', token, 'auth', 'whoami', '-o', 'json')) as Obj;
    expect(review.status.userInfo.username).toBe('system:serviceaccount:pb:robot');
  });

  it('create role, clusterrole, rolebinding and clusterrolebinding', async () => {
    await kubectl('create', 'role', 'reader', '-n', 'pb', '--verb=get,list,watch', '--resource=pods,deployments.apps', '--resource-name=web');
    expect((await get('role', 'reader', '-n', 'pb')).rules).toEqual([
      { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'], resourceNames: ['web'] },
      { verbs: ['get', 'list', 'watch'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] },
    ]);
    await kubectl('create', 'clusterrole', 'health', '--verb=get', '--non-resource-url=/healthz');
    expect((await get('clusterrole', 'health')).rules).toEqual([{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]);
    await kubectl('create', 'rolebinding', 'rb', '-n', 'pb', '--role=reader', '--user=alice', '--serviceaccount=pb:robot');
    const rb = await get('rolebinding', 'rb', '-n', 'pb');
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' });
    expect(rb.subjects).toEqual([
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
      { kind: 'ServiceAccount', name: 'robot', namespace: 'pb' },
    ]);
    await kubectl('create', 'clusterrolebinding', 'crb', '--clusterrole=health', '--group=devs');
    expect((await get('clusterrolebinding', 'crb')).subjects).toEqual([{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' }]);
    // The binding takes effect: the service account may get pod web in pb, and nothing else.
    const canI = async (...args: string[]): Promise<string> => {
      // exit status 1 with "no" on stdout is the answer, not a failure
      const out = await run(tools!.kubectl, ['--kubeconfig', sb.kubeconfigPath, 'auth', 'can-i', ...args, '--as=system:serviceaccount:pb:robot'])
        .catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
      return out.stdout.trim() || out.stderr.trim();
    };
    expect(await canI('get', 'pods/web', '-n', 'pb')).toBe('yes');
    expect(await canI('get', 'pods/other', '-n', 'pb')).toBe('no');
  });

  it('create deployment: containers with image, port, command', async () => {
    await kubectl('create', 'deployment', 'web', '-n', 'pb', '--image=example.org/web:1', '--port=8080', '--replicas=2', '--', 'web', '--listen=:8080');
    const d = await get('deployment', 'web', '-n', 'pb');
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.selector).toEqual({ matchLabels: { app: 'web' } });
    expect(d.spec.template.metadata.labels).toEqual({ app: 'web' });
    const [c] = d.spec.template.spec.containers as Obj[];
    expect(c).toMatchObject({ name: 'web', image: 'example.org/web:1', command: ['web', '--listen=:8080'], ports: [{ containerPort: 8080 }] });
    await kubectl('wait', '-n', 'pb', '--for=condition=Available', 'deployment/web', '--timeout=20s');
  });

  it('create service clusterip, nodeport, loadbalancer and externalname', async () => {
    await kubectl('create', 'service', 'clusterip', 'web', '-n', 'pb', '--tcp=80:8080');
    const svc = await get('service', 'web', '-n', 'pb');
    expect(svc.spec.ports).toMatchObject([{ name: '80-8080', port: 80, targetPort: 8080, protocol: 'TCP' }]);
    expect(svc.spec.selector).toEqual({ app: 'web' });
    await kubectl('create', 'service', 'nodeport', 'np', '-n', 'pb', '--tcp=80:http', '--node-port=30080');
    const np = await get('service', 'np', '-n', 'pb');
    expect(np.spec.type).toBe('NodePort');
    expect(np.spec.ports).toMatchObject([{ port: 80, targetPort: 'http', nodePort: 30080 }]);
    await kubectl('create', 'service', 'loadbalancer', 'lb', '-n', 'pb', '--tcp=443:8443');
    expect((await get('service', 'lb', '-n', 'pb')).spec.type).toBe('LoadBalancer');
    await kubectl('create', 'service', 'externalname', 'ext', '-n', 'pb', '--external-name=example.org');
    expect((await get('service', 'ext', '-n', 'pb')).spec).toMatchObject({ type: 'ExternalName', externalName: 'example.org' });
  });

  it('create job', async () => {
    await kubectl('create', 'job', 'once', '-n', 'pb', '--image=busybox', '--', 'echo', 'hi');
    const job = await get('job', 'once', '-n', 'pb');
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.template.spec.containers).toMatchObject([{ name: 'once', image: 'busybox', command: ['echo', 'hi'] }]);
  });

  it('create ingress and poddisruptionbudget', async () => {
    await kubectl('create', 'ingress', 'ing', '-n', 'pb', '--class=nginx', '--rule=web.example.org/api*=web:80');
    const ing = await get('ingress', 'ing', '-n', 'pb');
    expect(ing.spec.ingressClassName).toBe('nginx');
    expect(ing.spec.rules).toEqual([{ host: 'web.example.org', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }]);
    await kubectl('create', 'poddisruptionbudget', 'pdb', '-n', 'pb', '--selector=app=web', '--min-available=50%');
    expect((await get('poddisruptionbudget', 'pdb', '-n', 'pb')).spec).toMatchObject({ minAvailable: '50%', selector: { matchLabels: { app: 'web' } } });
  });

  it('auth can-i and auth whoami', async () => {
    expect((await kubectl('auth', 'can-i', 'create', 'deployments', '-n', 'pb')).trim()).toBe('yes');
    expect(await kubectl('auth', 'whoami')).toMatch(/Username/);
  });
});
