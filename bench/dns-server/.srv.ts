import { ClusteredDnsServer } from '../../src/dnsserver/cluster.js';
import { DnsServer } from '../../src/dnsserver/server.js';
import { buildSnapshot } from '../../src/dnsserver/snapshot.js';
import { plainEndpoints, routedEndpoints } from './zone.js';
const workers = Number(process.argv[2]);
const geo = process.argv[3] === 'geo';
const snap = buildSnapshot({ zones: [{ domain: 'bench.example' }], endpoints: geo ? routedEndpoints(10000, 'latency') : plainEndpoints(10000) });
if (workers === 0) {
  const s = new DnsServer({ port: 15400, rateLimit: false, udpRecvBufferSize: 8 << 20 });
  await s.start(); s.setSnapshot(snap);
} else {
  const s = new ClusteredDnsServer({ port: 15400, workers, rateLimit: false, udpRecvBufferSize: 8 << 20, geo: geo ? {} : false });
  await s.start(); await s.setSnapshot(snap);
}
console.log('ready');
