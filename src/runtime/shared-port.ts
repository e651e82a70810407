// The port for a DNS server whose UDP sockets use SO_REUSEPORT (kfed's worker processes and
// serving threads, BIND's listeners in the sandbox) when it is asked for "any free port".
//
// On Linux, a UDP socket bound to port 0 with SO_REUSEPORT may be given a port that
// SO_REUSEPORT sockets of the same user already hold: the kernel's ephemeral search does
// not count them as taken. dig sets SO_REUSEPORT on its client sockets, and binds them to
// 0.0.0.0:0 and connects them to the server. When such a socket lands on the server's
// port, it is the better match for its own query (connected to the query's source) and
// receives it: dig reads back its own question ("query response not set") and the server
// never sees it. Likewise a server binding port 0 with SO_REUSEPORT may join another
// process's group and take a share of its queries. A port below the kernel's ephemeral
// range is handed to no port-0 bind, so neither can happen there.
import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import net, { isIPv6 } from 'node:net';

const RANGE_FILE = '/proc/sys/net/ipv4/ip_local_port_range';
/** Linux's default ephemeral range, when the file cannot be read. */
const DEFAULT_EPHEMERAL = { low: 32768, high: 60999 };
/** The shared port is picked from [FLOOR, ephemeral low): above the well-known and most registered services. */
const FLOOR = 10_000;

/** The kernel's ephemeral port range (ports that a bind to port 0 or a connect may be given). */
export async function ephemeralPortRange(file = RANGE_FILE): Promise<{ low: number; high: number }> {
  try {
    const [low, high] = (await readFile(file, 'utf8')).trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high) && low > 0 && high >= low) return { low, high };
  } catch {
    // Not Linux, or no /proc: the default range.
  }
  return DEFAULT_EPHEMERAL;
}

/** True when both UDP and TCP can bind `port` on `address` right now (no SO_REUSEPORT: a held port fails). */
async function freeForBoth(address: string, port: number): Promise<boolean> {
  const udp = dgram.createSocket(isIPv6(address) ? 'udp6' : 'udp4');
  try {
    const bound = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind({ address, port, exclusive: true }, () => resolve(true));
    });
    if (!bound) return false;
    return await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen({ host: address, port, exclusive: true }, () => srv.close(() => resolve(true)));
    });
  } finally {
    await new Promise<void>((r) => {
      try {
        udp.close(() => r());
      } catch {
        r(); // never bound
      }
    });
  }
}

/**
 * A port free for UDP and TCP on `address`, below the ephemeral range, for sockets that
 * will bind it with SO_REUSEPORT (see the file comment). Another process may still take it
 * before the caller binds it; callers retry on EADDRINUSE.
 */
export async function sharedPortFor(address: string, random: () => number = Math.random): Promise<number> {
  const { low } = await ephemeralPortRange();
  const floor = low - 1 > FLOOR ? FLOOR : 1024;
  for (let i = 0; i < 50; i++) {
    const port = floor + Math.floor(random() * (low - floor));
    if (port >= low) continue;
    if (await freeForBoth(address, port)) return port;
  }
  throw new Error(`no port below ${low} free for both UDP and TCP on ${address}`);
}
