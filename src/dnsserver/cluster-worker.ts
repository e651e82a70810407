// Entry point of a ClusteredDnsServer worker process.
import { AggregatorRegistry, Registry } from 'prom-client';
import type { PrimaryMessage, WorkerMessage } from './cluster.js';
import { openMaxmindGeoLocator, type GeoLocator } from './geo-locator.js';
import { createLatencyTable } from './regions.js';
import { DnsServer, type DnsLogger } from './server.js';
import { buildSnapshot } from './snapshot.js';

function send(m: PrimaryMessage): void {
  process.send?.(m);
}

function plain(obj: object): object {
  // Errors do not survive IPC serialization; keep their message.
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = v instanceof Error ? { message: v.message } : v;
  return out;
}

const logger: DnsLogger = {
  info: (obj, msg) => send({ kind: 'kfed-dns:log', level: 'info', obj: plain(obj), msg }),
  warn: (obj, msg) => send({ kind: 'kfed-dns:log', level: 'warn', obj: plain(obj), msg }),
  debug: () => {},
};

let server: DnsServer | undefined;

// prom-client answers the primary's aggregation requests once an AggregatorRegistry
// exists in the worker; it reports the registries set here.
const registry = new Registry();
AggregatorRegistry.setRegistries([registry]);
new AggregatorRegistry();

process.on('message', (m: WorkerMessage) => {
  if (m.kind === 'kfed-dns:init') {
    void (async () => {
      try {
        const o = m.options;
        const geo: GeoLocator | undefined = o.geo === false ? undefined : await openMaxmindGeoLocator(o.geo ?? {});
        const { geo: _g, latency, ...rest } = o;
        server = new DnsServer({ ...rest, ...(geo ? { geo } : {}), latency: createLatencyTable(latency), metrics: registry, logger });
        send({ kind: 'kfed-dns:listening', ports: await server.start() });
      } catch (err) {
        send({ kind: 'kfed-dns:failed', error: (err as Error).message });
        process.exit(1);
      }
    })();
  } else if (m.kind === 'kfed-dns:snapshot') {
    server?.setSnapshot(buildSnapshot(m.input));
    send({ kind: 'kfed-dns:installed', serial: m.input.serial });
  }
});

send({ kind: 'kfed-dns:ready' });

// Ctrl-C reaches the whole process group; the primary stops its workers with SIGTERM.
process.on('SIGINT', () => {});

process.on('SIGTERM', () => {
  void (server?.close() ?? Promise.resolve()).then(() => process.exit(0));
});
