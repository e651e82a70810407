// One DNS question over UDP with dns-packet, returning every answer record (the soak
// compares A and CNAME answers of the embedded server with the expected records).
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export interface Answer {
  rcode: string;
  answers: { name: string; type: string; data: string }[];
}

export function ask(name: string, type: 'A' | 'AAAA' | 'CNAME' | 'TXT', port: number, timeoutMs = 2000): Promise<Answer> {
  const id = Math.floor(Math.random() * 65535);
  const query = dnsPacket.encode({ type: 'query', id, questions: [{ type, name, class: 'IN' }] });
  const socket = dgram.createSocket('udp4');
  return new Promise<Answer>((resolve, reject) => {
    const finish = (err: Error | undefined, a?: Answer): void => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(a!);
    };
    const timer = setTimeout(() => finish(new Error(`dns ${name} ${type} @127.0.0.1:${port}: no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (err) => finish(err));
    socket.on('message', (msg) => {
      let res: dnsPacket.Packet;
      try {
        res = dnsPacket.decode(msg);
      } catch {
        return;
      }
      if (res.id !== id) return;
      const answers = (res.answers ?? []).map((a) => {
        const data = 'data' in a ? (a as { data: unknown }).data : undefined;
        return { name: a.name.toLowerCase(), type: a.type, data: typeof data === 'string' ? data.toLowerCase() : JSON.stringify(data) };
      });
      finish(undefined, { rcode: RCODES[(res.flags ?? 0) & 0xf] ?? `RCODE${(res.flags ?? 0) & 0xf}`, answers });
    });
    socket.send(query, port, '127.0.0.1');
  });
}
