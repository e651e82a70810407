import { buildSnapshot } from '../../src/dnsserver/snapshot.js';
import { routedEndpoints, plainEndpoints } from './zone.js';
for (const eps of [plainEndpoints(10000), routedEndpoints(10000, 'latency')]) {
  const t0 = performance.now();
  const s = buildSnapshot({ zones: [{ domain: 'bench.example' }], endpoints: eps });
  console.log(eps.length, s.names.size, (performance.now() - t0).toFixed(0), 'ms', s.warnings.slice(0, 3));
}
