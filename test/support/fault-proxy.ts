// A loopback TCP proxy in front of a sandbox member, for partitions that a stopped API
// server cannot show: `blackhole()` keeps accepting connections but never answers, and
// drops what flows on the open ones (a member that went silent: no refused connection,
// no reset, nothing); `latency(ms)` delays everything the member sends (a latency spike:
// one request/response exchange gets `ms` slower); `heal()` forwards again and resets the
// connections that lost bytes during the partition (their streams cannot continue).
// TLS passes through untouched: the member's certificate names 127.0.0.1, not a port.
import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket | undefined;
  /** bytes were dropped: the stream is unusable after the partition */
  broken: boolean;
  /** when the last delayed chunk to the client is due (keeps order when the latency changes) */
  dueAt: number;
}

export class FaultProxy {
  private mode: 'pass' | 'blackhole' = 'pass';
  private latencyMs = 0;
  private readonly pairs = new Set<Pair>();
  /** connections accepted while blackholed, never answered */
  accepted = 0;

  private constructor(private readonly server: net.Server, private readonly target: { host: string; port: number }) {
    server.on('connection', (client) => this.onConnection(client));
  }

  static async start(targetUrl: string): Promise<FaultProxy> {
    const u = new URL(targetUrl);
    const server = net.createServer({ pauseOnConnect: false });
    const proxy = new FaultProxy(server, { host: u.hostname, port: Number(u.port) });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Go silent: no answer on new or open connections. */
  blackhole(): void {
    this.mode = 'blackhole';
  }

  /** Extra delay on everything the member sends, from now on. */
  latency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Answer again; connections that lost bytes are reset so clients reconnect. */
  heal(): void {
    this.mode = 'pass';
    for (const p of this.pairs) {
      if (!p.broken) continue;
      p.client.destroy();
      p.upstream?.destroy();
      this.pairs.delete(p);
    }
  }

  async close(): Promise<void> {
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream?.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(client: net.Socket): void {
    const pair: Pair = { client, upstream: undefined, broken: false, dueAt: 0 };
    this.pairs.add(pair);
    const drop = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on('error', drop);
    client.on('close', drop);
    if (this.mode === 'blackhole') {
      // Accepted, never connected upstream: the client waits for a TLS answer that never comes.
      this.accepted++;
      pair.broken = true;
      client.on('data', () => undefined);
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('error', drop);
    upstream.on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (this.mode === 'blackhole') pair.broken = true;
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.mode === 'blackhole') {
        pair.broken = true;
        return;
      }
      if (this.latencyMs <= 0 && pair.dueAt <= Date.now()) {
        client.write(chunk);
        return;
      }
      pair.dueAt = Math.max(Date.now() + this.latencyMs, pair.dueAt);
      setTimeout(() => {
        if (this.mode === 'blackhole') pair.broken = true;
        else if (!client.destroyed) client.write(chunk);
      }, pair.dueAt - Date.now());
    });
  }
}
