import { describe, expect, it } from 'vitest';
import { Counter, createRegistry, registerOnce } from '../../../src/observability/metrics.js';

describe('metrics', () => {
  it('registerOnce returns the same group per registry and a new one per new registry', () => {
    const r1 = createRegistry({ defaultMetrics: false });
    const make = (r: typeof r1) => ({ c: new Counter({ name: 'x_total', help: 'x', registers: [r] }) });
    const a = registerOnce(r1, 'x', make);
    const b = registerOnce(r1, 'x', make);
    expect(a).toBe(b);
    const r2 = createRegistry({ defaultMetrics: false });
    expect(registerOnce(r2, 'x', make)).not.toBe(a);
  });

  it('includes default process metrics and default labels', async () => {
    const r = createRegistry({ defaultLabels: { replica: 'r1' } });
    const text = await r.metrics();
    expect(text).toContain('process_cpu_user_seconds_total{replica="r1"}');
  });
});
