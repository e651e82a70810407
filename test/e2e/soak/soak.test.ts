// The short fault soak (issue 13 item 3): a seeded workload of federated ConfigMaps,
// Secrets, Deployments (with ReplicaSchedulingPreferences), Services with
// ServiceDNSRecords, PropagationPolicies and OverridePolicies, under every fault kind at
// least once (member stop, partition, host outage longer than the lease, 500/429 rates,
// dropped watches, compaction, controller SIGKILL, Route53 throttling and rejected
// records); then convergence and zero invariant violations. Replay a run with the seed it
// prints: KFED_SOAK_SEED=<seed> npx vitest run test/e2e/soak. The long run is
// `npm run bench -- soak` (bench/soak/).
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from '../../support/soak/faults.js';
import { seedFrom } from '../../support/soak/rng.js';
import { formatSoakReport, runSoak } from '../../support/soak/soak.js';

describe('fault soak (short)', () => {
  it('converges with no violation after every kind of fault', { timeout: 300_000 }, async () => {
    const seed = seedFrom(process.env.KFED_SOAK_SEED);
    const report = await runSoak({ seed, faultPhaseMs: 15_000, convergeTimeoutMs: 120_000, namespaces: 2, maxPerKind: 4, lanes: 3, selfTest: true, log: (l) => console.log(`[soak] ${l}`) });
    console.log(formatSoakReport(report));
    for (const kind of FAULT_KINDS) expect(report.faults[kind] ?? 0, `${kind} injected (seed ${seed})`).toBeGreaterThan(0);
    expect(report.violations, `violations (seed ${seed})`).toEqual([]);
    expect(report.convergenceMs, `converged (seed ${seed})`).toBeDefined();
    // The checks are not vacuous: each tampering after convergence is reported.
    expect(report.selfTest?.tampered.length).toBe(4);
    expect(report.selfTest?.missed).toEqual([]);
  });
});
