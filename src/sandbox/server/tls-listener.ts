// An HTTPS listener on 127.0.0.1 that can be cut off at once, as a crashed server would be:
// the sandbox's API servers and the real backend's front proxy both listen this way.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { KeyPair } from '../pki.js';

export class TlsListener {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  /** `port` 0 picks a free one on the first start; later starts reuse it. */
  constructor(
    private readonly tls: KeyPair,
    private readonly handler: (req: IncomingMessage, res: ServerResponse) => void,
    public port = 0,
  ) {}

  get listening(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer({ cert: this.tls.certPem, key: this.tls.keyPem, keepAlive: true }, this.handler);
    server.keepAliveTimeout = 60_000;
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
    this.server = server;
  }

  /** Stops listening and destroys every open connection; resolves when the server closed. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }
}
