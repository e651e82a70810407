// A wire-level stand-in for a DNS server over TCP on 127.0.0.1 port 0: the handler
// gets each framed request and returns the messages to answer with (none: stay silent).
import { createServer, type Socket } from 'node:net';

export interface FakeDns {
  port: number;
  requests: Buffer[];
  close(): Promise<void>;
}

export type Handler = (request: Buffer, socket: Socket) => Buffer[];

export async function startFakeDns(handler: Handler): Promise<FakeDns> {
  const requests: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = Buffer.from(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + msg.length);
        requests.push(msg);
        for (const out of handler(msg, socket)) socket.write(Buffer.concat([Buffer.from([out.length >> 8, out.length & 0xff]), out]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
