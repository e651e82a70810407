// One DNS question over UDP, as `dig @address -p port NAME TYPE` asks it. The sandbox uses
// it to hold its ready line until the demo's name really answers on the wire (not merely
// when a snapshot was built).
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export interface DnsAnswer {
  rcode: string;
  /** A/AAAA addresses in the answer section, sorted. */
  addresses: string[];
}

export interface DnsQueryOptions {
  address: string;
  port: number;
  type?: 'A' | 'AAAA';
  timeoutMs?: number;
}

export function queryDns(name: string, o: DnsQueryOptions): Promise<DnsAnswer> {
  const type = o.type ?? 'A';
  const id = Math.floor(Math.random() * 65535);
  const query = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] });
  const socket = dgram.createSocket(isIPv6(o.address) ? 'udp6' : 'udp4');
  return new Promise<DnsAnswer>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`dns query ${name} ${type} @${o.address}:${o.port}: no answer within ${o.timeoutMs ?? 1000} ms`)), o.timeoutMs ?? 1000);
    function finish(err: Error | undefined, answer?: DnsAnswer): void {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(answer!);
    }
    socket.on('error', (err) => finish(new Error(`dns query ${name} ${type} @${o.address}:${o.port}`, { cause: err })));
    socket.on('message', (msg) => {
      let res: dnsPacket.Packet;
      try {
        res = dnsPacket.decode(msg);
      } catch {
        return; // not a DNS message; keep waiting for ours
      }
      if (res.id !== id) return;
      const addresses = (res.answers ?? [])
        .filter((a): a is dnsPacket.StringAnswer => (a.type === 'A' || a.type === 'AAAA') && typeof a.data === 'string')
        .map((a) => a.data)
        .sort();
      finish(undefined, { rcode: RCODES[(res.flags ?? 0) & 0xf] ?? `RCODE${(res.flags ?? 0) & 0xf}`, addresses });
    });
    socket.send(query, o.port, o.address);
  });
}
