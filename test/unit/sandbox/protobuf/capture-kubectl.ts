// Capture the request bodies kubectl writes: a loopback HTTP server records each POST and
// answers it with a minimal object, so `kubectl create ...` runs to completion without a cluster.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

/** Legacy discovery, enough for kubectl's REST mapper to resolve pods and deployments.apps. */
const DISCOVERY: Record<string, unknown> = {
  '/api': { kind: 'APIVersions', versions: ['v1'] },
  '/apis': {
    kind: 'APIGroupList', apiVersion: 'v1',
    groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }],
  },
  '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: VERBS }] },
  '/apis/apps/v1': { kind: 'APIResourceList', groupVersion: 'apps/v1', resources: [{ name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: VERBS }] },
};

export interface CapturedRequest {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

export interface CaptureServer {
  url: string;
  /** The requests with a body since the last call, oldest first; clears the list. */
  take(): CapturedRequest[];
  close(): Promise<void>;
}

export async function startCaptureServer(): Promise<CaptureServer> {
  let requests: CapturedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (body.length > 0) requests.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body });
      const discovery = req.method === 'GET' ? DISCOVERY[(req.url ?? '').split('?')[0] ?? ''] : undefined;
      if (discovery) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(discovery));
        return;
      }
      const created = req.method === 'POST';
      // Enough for kubectl to print "<kind>/<name> created", `create token` its token, `auth` its answers.
      const answer = created
        ? { metadata: { name: 'captured' }, status: { token: 'captured-token', allowed: true, userInfo: { username: 'captured' } } }
        : { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 };
      res.writeHead(created ? 201 : 404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    take: () => {
      const out = requests;
      requests = [];
      return out;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Run kubectl against the capture server; its exit status is not checked (some answers are minimal). */
export async function kubectlAgainst(kubectl: string, server: CaptureServer, args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(kubectl, [`--server=${server.url}`, ...args], { timeout: 30_000, env: { ...process.env, KUBECONFIG: '/dev/null' } });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
