// The address clients of a real-backend cluster connect to: a pass-through TLS proxy in front of
// kube-apiserver that adds what the embedded server does for tests and `sandbox ctl`, and nothing
// else: injected latency and errors, request counts by verb, dropping watches, and a listener
// that stops and starts with the API server. Bodies and headers pass through unchanged.
import { request, Agent } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyPair } from '../pki.js';
import { NO_FAULTS, type Faults } from '../server/api-server.js';
import { errors } from '../server/api-error.js';
import { requestTarget, sendError } from '../server/http-io.js';
import { parseRequestInfo } from '../server/request-info.js';
import { TlsListener } from '../server/tls-listener.js';

export interface FrontProxyOptions {
  tls: KeyPair;
  caPem: string;
  /** the kube-apiserver's port on 127.0.0.1 */
  upstreamPort: number;
  onRequest: (verb: string) => void;
}

export class FrontProxy {
  faults: Faults = { ...NO_FAULTS };
  private readonly listener: TlsListener;
  private readonly watches = new Set<ServerResponse>();
  private readonly agent: Agent;

  constructor(private readonly o: FrontProxyOptions) {
    this.agent = new Agent({ keepAlive: true, ca: o.caPem });
    this.listener = new TlsListener(o.tls, (req, res) => void this.handle(req, res));
  }

  get url(): string {
    return `https://127.0.0.1:${this.listener.port}`;
  }

  get listening(): boolean {
    return this.listener.listening;
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  async stop(): Promise<void> {
    this.watches.clear();
    this.agent.destroy();
    await this.listener.stop();
  }

  dropWatches(): void {
    for (const w of this.watches) w.end();
    this.watches.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const f = this.faults;
    if (f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs));
    const target = requestTarget(req.url ?? '/');
    if (f.errorRate > 0 && Math.random() < f.errorRate && !target.pathname.startsWith('/healthz')) {
      req.resume();
      return sendError(res, f.errorCode === 429 ? errors.tooManyRequests(f.retryAfterSeconds) : errors.internal('injected fault'));
    }
    const ri = parseRequestInfo(req.method ?? 'GET', target.pathname, target.searchParams);
    const headers = { ...req.headers, host: `127.0.0.1:${this.o.upstreamPort}` };
    const up = request({ agent: this.agent, host: '127.0.0.1', port: this.o.upstreamPort, method: req.method, path: req.url, headers }, (ur) => {
      // counted as the embedded server counts: resource requests that passed authentication and authorization
      if (ri.kind === 'resource' && ur.statusCode !== 401 && ur.statusCode !== 403) this.o.onRequest(ri.verb);
      res.writeHead(ur.statusCode ?? 502, ur.rawHeaders);
      // a watch's headers go out at once, as kube-apiserver sends them: clients count the watch as
      // established on them, before any event
      res.flushHeaders();
      if (ri.kind === 'resource' && ri.verb === 'watch') {
        this.watches.add(res);
        res.on('close', () => {
          this.watches.delete(res);
          ur.destroy();
        });
      }
      ur.pipe(res);
    });
    up.on('error', (err) => {
      if (!res.headersSent) sendError(res, errors.internal(`kube-apiserver: ${err.message}`));
      else res.destroy();
    });
    // the client went away (a watch it ended, a timeout): end the upstream request too
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  }
}
