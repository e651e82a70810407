// A loopback HTTP reverse proxy in front of one sandbox API server that records every
// request's method, path and response status. The sandbox counts only authorized
// requests, so this is how a test sees the 403s a ServiceAccount ran into. Watches and
// other streams are piped through unchanged.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
}

export interface RecordingProxy {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string, caPem: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const u = new URL(req.url ?? '/', 'http://proxy');
    const headers = { ...req.headers, host: upstream.host };
    const out = httpsRequest(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, ca: caPem },
      (up) => {
        requests.push({ method: req.method ?? 'GET', path: u.pathname, query: u.search, status: up.statusCode ?? 0 });
        res.writeHead(up.statusCode ?? 502, up.headers);
        // Flush headers at once: a watch answers with headers and then waits.
        res.flushHeaders();
        up.pipe(res);
      },
    );
    out.on('error', (err) => {
      requests.push({ method: req.method ?? 'GET', path: u.pathname, query: u.search, status: 502 });
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
    });
    res.on('close', () => out.destroy());
    req.pipe(out);
  };
  const server: Server = createServer(handle);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

/** RBAC attributes of a recorded request: verb, API group, resource (with subresource), namespace. */
export interface Access {
  verb: string;
  group: string;
  resource: string;
  namespace: string | undefined;
  name: string | undefined;
}

/** Parses a resource path the way kube-apiserver's RequestInfo does (enough for the controller's calls). */
export function accessOf(r: RecordedRequest): Access | undefined {
  const parts = r.path.split('/').filter(Boolean);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, sub] = rest;
  if (!resource) return undefined;
  const q = new URLSearchParams(r.query);
  const watch = q.get('watch') === 'true' || q.get('watch') === '1';
  const verb =
    r.method === 'GET' ? (name ? 'get' : watch ? 'watch' : 'list')
    : r.method === 'POST' ? 'create'
    : r.method === 'PUT' ? 'update'
    : r.method === 'PATCH' ? 'patch'
    : r.method === 'DELETE' ? (name ? 'delete' : 'deletecollection')
    : r.method.toLowerCase();
  return { verb, group, resource: sub ? `${resource}/${sub}` : resource, namespace, name };
}

export function describeAccess(a: Access): string {
  return `${a.verb} ${a.group === '' ? 'core' : a.group}/${a.resource}${a.namespace ? ` in ${a.namespace}` : ' (cluster)'}`;
}
