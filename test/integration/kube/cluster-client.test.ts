import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterClientForMember, clusterClientInCluster, describeKubeconfigContext } from '../../../src/kube/cluster-client.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { pollUntil } from '../../support/until.js';

const NS: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' };

let sb: Sandbox;
let token: string;
let caData: string;

beforeAll(async () => {
  sb = await startSandbox({ clusters: 1 });
  const m = /token: (\S+)/.exec(sb.kubeconfigYaml);
  if (!m?.[1]) throw new Error('no token in sandbox kubeconfig');
  token = m[1];
  caData = describeKubeconfigContext({ kubeconfigYaml: sb.kubeconfigYaml }, 'cluster-1').caData ?? '';
});

afterAll(async () => {
  await sb?.close();
});

describe('in-cluster config', () => {
  it('uses the service-account mount and the KUBERNETES_SERVICE_* environment', async () => {
    const prefix = await mkdtemp(join(tmpdir(), 'kfed-incluster-'));
    const dir = join(prefix, 'var/run/secrets/kubernetes.io/serviceaccount');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'ca.crt'), Buffer.from(caData, 'base64'));
    await writeFile(join(dir, 'token'), `${token}\n`);
    await writeFile(join(dir, 'namespace'), 'kube-federation-system');
    const url = new URL(sb.cluster('cluster-1').url);
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = url.hostname;
    process.env.KUBERNETES_SERVICE_PORT = url.port;
    try {
      const c = await clusterClientInCluster({ pathPrefix: prefix });
      expect(c.server).toBe(`https://${url.hostname}:${url.port}`);
      expect(c.defaultNamespace).toBe('kube-federation-system');
      expect((await c.dynamic.list(NS)).items.length).toBeGreaterThan(0);
      c.close();
    } finally {
      if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      else process.env.KUBERNETES_SERVICE_HOST = saved.host;
      if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
      else process.env.KUBERNETES_SERVICE_PORT = saved.port;
      await rm(prefix, { recursive: true, force: true });
    }
  });
});

describe('proxyURL', () => {
  it('tunnels requests and watches through an HTTP CONNECT proxy', async () => {
    const tunnels: string[] = [];
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    const c = clusterClientForMember({ name: 'via-proxy', apiEndpoint: sb.cluster('cluster-1').url, caBundle: caData, bearerToken: token, proxyURL: proxyUrl });
    try {
      expect((await c.dynamic.list(NS)).items.length).toBeGreaterThan(0);
      const target = new URL(sb.cluster('cluster-1').url);
      expect(tunnels).toContain(`${target.hostname}:${target.port}`);
      // a watch goes through the same proxy
      const ac = new AbortController();
      const seen: string[] = [];
      const watching = c.dynamic.watch(NS, { signal: ac.signal, resourceVersion: '0' }, (e) => seen.push(e.type));
      await c.dynamic.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'proxied' } });
      await pollUntil(() => seen.includes('ADDED'), 10_000, 20, 'the ADDED event through the proxy');
      ac.abort();
      await watching;
      expect(tunnels.length).toBeGreaterThanOrEqual(2);
    } finally {
      c.close();
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  it('reports a proxy that refuses the tunnel', async () => {
    const proxy = http.createServer();
    proxy.on('connect', (_req: http.IncomingMessage, client: net.Socket) => {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    const c = clusterClientForMember({ name: 'refused', apiEndpoint: sb.cluster('cluster-1').url, caBundle: caData, bearerToken: token, proxyURL: proxyUrl });
    try {
      await expect(c.dynamic.list(NS)).rejects.toThrow(/refused CONNECT .*HTTP 403/);
      await expect(c.dynamic.list(NS)).rejects.toMatchObject({ reason: 'Unreachable' });
    } finally {
      c.close();
      await new Promise((r) => proxy.close(r));
    }
  });
});
