// A minimal JSON client for the real backend's own use (readiness, the simulation agent):
// bearer token over TLS to one kube-apiserver, requests and watch streams. kfed's product
// code uses src/kube; this stays below it so the sandbox depends on nothing above it.
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';

type Obj = Record<string, any>;

export interface ApiResponse {
  status: number;
  body: Obj;
}

export class ApiRequestError extends Error {
  constructor(readonly status: number, readonly body: Obj, what: string) {
    super(`${what}: ${status} ${typeof body.message === 'string' ? body.message : JSON.stringify(body).slice(0, 200)}`);
  }
}

export interface WatchHandlers {
  onEvent: (type: string, obj: Obj) => void;
  /** the stream ended or failed; `gone` when the server said 410 */
  onEnd: (err: Error | undefined, gone: boolean) => void;
}

export class ApiClient {
  private readonly agent: Agent;

  constructor(readonly url: string, private readonly token: string, caPem: string) {
    this.agent = new Agent({ keepAlive: true, ca: caPem, maxSockets: 16 });
  }

  close(): void {
    this.agent.destroy();
  }

  private open(method: string, path: string, body: unknown, contentType: string, timeoutMs: number): Promise<IncomingMessage> {
    const u = new URL(path, this.url);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request({
        agent: this.agent, method, hostname: u.hostname, port: u.port, path: u.pathname + u.search, timeout: timeoutMs,
        headers: {
          Authorization: `Bearer ${this.token}`, Accept: 'application/json',
          ...(payload ? { 'Content-Type': contentType, 'Content-Length': String(payload.length) } : {}),
        },
      }, resolve);
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  async call(method: string, path: string, body?: unknown, opts: { contentType?: string; timeoutMs?: number } = {}): Promise<ApiResponse> {
    const res = await this.open(method, path, body, opts.contentType ?? 'application/json', opts.timeoutMs ?? 10_000);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let parsed: Obj;
    try {
      parsed = text ? (JSON.parse(text) as Obj) : {};
    } catch {
      parsed = { message: text };
    }
    return { status: res.statusCode ?? 0, body: parsed };
  }

  /** `call`, throwing on any status but 2xx. */
  async must(method: string, path: string, body?: unknown): Promise<Obj> {
    const r = await this.call(method, path, body);
    if (r.status < 200 || r.status > 299) throw new ApiRequestError(r.status, r.body, `${method} ${path}`);
    return r.body;
  }

  /** A watch stream; returns a function that ends it. */
  watch(path: string, h: WatchHandlers): () => void {
    let ended = false;
    let res: IncomingMessage | undefined;
    const end = (err: Error | undefined, gone: boolean): void => {
      if (ended) return;
      ended = true;
      h.onEnd(err, gone);
    };
    this.open('GET', path, undefined, 'application/json', 0).then((r) => {
      res = r;
      if (r.statusCode !== 200) {
        r.resume();
        end(new Error(`watch ${path}: ${r.statusCode}`), r.statusCode === 410);
        return;
      }
      let buf = '';
      r.setEncoding('utf8');
      r.on('data', (d: string) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line) as { type: string; object: Obj };
          if (ev.type === 'ERROR') {
            end(new Error(`watch ${path}: ${ev.object.message ?? 'error'}`), ev.object.code === 410);
            r.destroy();
            return;
          }
          h.onEvent(ev.type, ev.object);
        }
      });
      r.on('end', () => end(undefined, false));
      r.on('error', (err) => end(err, false));
      r.on('close', () => end(undefined, false));
    }, (err: Error) => end(err, false));
    return () => {
      ended = true;
      res?.destroy();
    };
  }
}
