// A loopback HTTP endpoint that drives a running sandbox's fault controls from
// another process (`kfed sandbox ctl`). It outlives any single cluster's listener.
import { createServer, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { SandboxMember } from './member.js';

export type ControlAction = 'stop' | 'start' | 'fail' | 'latency' | 'drop-watches' | 'compact' | 'clear' | 'status';

export interface ControlRequest {
  action: ControlAction;
  cluster: string;
  /** fail: fraction 0..1; latency: milliseconds */
  value?: number;
  /** fail: 500 or 429 */
  code?: 500 | 429;
  retryAfterSeconds?: number;
}

export async function applyControl(c: SandboxMember, r: ControlRequest): Promise<Record<string, unknown>> {
  switch (r.action) {
    case 'stop': await c.stop(); break;
    case 'start': await c.start(); break;
    case 'fail': c.faults.set({ errorRate: r.value ?? 1, errorCode: r.code ?? 500, retryAfterSeconds: r.retryAfterSeconds ?? 1 }); break;
    case 'latency': c.faults.set({ latencyMs: r.value ?? 0 }); break;
    case 'drop-watches': c.faults.dropWatches(); break;
    case 'compact': await c.faults.compact(); break;
    case 'clear': c.faults.clear(); break;
    case 'status': break;
  }
  // a benchmark asks for memory after a collection, when the process was started with --expose-gc
  const gc = (globalThis as { gc?: () => void }).gc;
  if (r.action === 'status' && gc) gc();
  return { cluster: c.name, running: c.running, url: c.url, faults: c.faults.get(), resourceVersion: await c.resourceVersion(), heapUsedBytes: process.memoryUsage().heapUsed };
}

export async function startControlServer(token: string, clusters: (name: string) => SandboxMember | undefined): Promise<{ server: Server; url: string }> {
  const expected = Buffer.from(`Bearer ${token}`);
  const server = createServer((req, res) => {
    const auth = Buffer.from(req.headers.authorization ?? '');
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) return send(401, { error: 'unauthorized' });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const r = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as ControlRequest;
          const c = clusters(r.cluster);
          if (!c) return send(404, { error: `no cluster named "${r.cluster}"` });
          send(200, await applyControl(c, r));
        } catch (err) {
          send(400, { error: (err as Error).message });
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : 0;
  return { server, url: `http://127.0.0.1:${port}` };
}
