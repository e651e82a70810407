// DNS over TCP (RFC 1035 4.2.2, RFC 7766): each message is preceded by its length in
// two octets. One connection per exchange: UPDATEs are batched by the pipeline, so a
// connection per batch costs little and leaves no idle socket for the server to cut.
import { Socket } from 'node:net';

export interface ServerAddress {
  host: string;
  port: number;
}

/** Parses `host:port`, `[v6]:port`, or a bare host (port 53). */
export function parseServer(server: string): ServerAddress {
  const s = server.trim();
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  const [host, portText] = v6 ? [v6[1] ?? '', v6[2]] : s.includes(':') && s.indexOf(':') === s.lastIndexOf(':') ? s.split(':') : [s, undefined];
  const port = portText === undefined ? 53 : Number(portText);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`server "${server}" is not host:port`);
  return { host, port };
}

export interface ExchangeOptions {
  signal: AbortSignal;
  timeoutMs: number;
  /** Called per answer message; return true when it was the last one expected. */
  onMessage(message: Buffer): boolean;
}

/** Sends one framed message and feeds the answers to `onMessage` until it says done. */
export function exchange(server: ServerAddress, message: Buffer, opts: ExchangeOptions): Promise<void> {
  if (message.length > 0xffff) return Promise.reject(new Error(`message of ${message.length} bytes does not fit a TCP frame`));
  return new Promise<void>((resolve, reject) => {
    const socket = new Socket();
    let buffered: Buffer = Buffer.alloc(0);
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = (): void => finish(Object.assign(new Error(`aborted: ${String(opts.signal.reason ?? 'signal')}`), { name: 'AbortError' }));
    const timer = setTimeout(() => finish(Object.assign(new Error(`no complete answer from ${server.host}:${server.port} within ${opts.timeoutMs} ms`), { name: 'TimeoutError', code: 'ETIMEDOUT' })), opts.timeoutMs);
    if (opts.signal.aborted) return onAbort();
    opts.signal.addEventListener('abort', onAbort, { once: true });

    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(Object.assign(new Error(`${server.host}:${server.port} closed the connection before the answer was complete`), { code: 'ECONNRESET' })));
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const len = buffered.readUInt16BE(0);
        if (buffered.length < 2 + len) break;
        const msg = buffered.subarray(2, 2 + len);
        buffered = buffered.subarray(2 + len);
        let done: boolean;
        try {
          done = opts.onMessage(msg);
        } catch (err) {
          finish(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (done) {
          finish();
          return;
        }
      }
    });
    socket.connect(server.port, server.host, () => {
      const frame = Buffer.alloc(2);
      frame.writeUInt16BE(message.length, 0);
      socket.write(Buffer.concat([frame, message]));
    });
  });
}
