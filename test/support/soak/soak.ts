// One fault soak: the rig, the workload's namespaces and a first controller; foreign
// objects seeded; then the seeded workload and the seeded faults together for
// `faultPhaseMs`; then every fault healed, a bounded wait for convergence (the first
// check with no violation, confirmed by a second one a few seconds later), and the
// report: seed, faults by kind, operations, convergence time and violations.
import { checkDns } from './check-dns.js';
import { checkPropagation } from './check-propagation.js';
import { FaultInjector, type FaultKind } from './faults.js';
import { checkForeign, seedForeign } from './foreign.js';
import { CLUSTERS, startSoakRig, type SoakRig } from './rig.js';
import { Rng } from './rng.js';
import { DNS_ENDPOINTS, SERVICE_DNS_RECORDS } from '../../../src/api/multiclusterdns.js';
import { FEDERATED, NAMESPACES, OVERRIDE_POLICIES, PROPAGATION_POLICIES, RSPS, WORKLOAD_NS_PREFIX } from './resources.js';
import { selfTest, type SelfTestResult } from './self-test.js';
import { Workload } from './workload.js';

export interface SoakOptions {
  seed: number;
  /** how long the workload and the faults run, ms */
  faultPhaseMs: number;
  /** bound of the wait for convergence after the faults stop, ms */
  convergeTimeoutMs: number;
  namespaces?: number;
  maxPerKind?: number;
  /** pause between two workload operations, ms */
  opGapMs?: [number, number];
  lanes?: number;
  maxHoldMs?: number;
  log?: (line: string) => void;
  /** after the report's checks, tamper with the world and prove the checks see it (self-test.ts) */
  selfTest?: boolean;
}

export interface SoakReport {
  seed: number;
  /** how long the faults ran (at least the asked phase: until every kind ran once) */
  faultPhaseMs: number;
  /** what the invariants were checked over, at the end: objects of each kind on the host */
  inventory: Record<string, number | string>;
  faults: Partial<Record<FaultKind, number>>;
  faultErrors: string[];
  operations: number;
  failedOperations: number;
  controllerProcesses: number;
  /** ms from the faults stopping to the first check without a violation; undefined if never */
  convergenceMs: number | undefined;
  violations: string[];
  selfTest?: SelfTestResult;
}

async function inventory(rig: SoakRig): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const refs = [...Object.values(FEDERATED), RSPS, PROPAGATION_POLICIES, OVERRIDE_POLICIES, SERVICE_DNS_RECORDS, DNS_ENDPOINTS];
  for (const ref of refs) {
    out[ref.kind ?? ref.resource] = (await rig.host.dynamic.listAll(ref)).items.filter((o) => (o.metadata.namespace ?? '').startsWith(WORKLOAD_NS_PREFIX)).length;
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A kubelet would restart a controller whose /healthz fails: the soak counts it as a violation instead. */
async function checkHealth(metricsPort: number): Promise<string[]> {
  try {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/healthz`, { signal: AbortSignal.timeout(5000) });
    return res.ok ? [] : [`controller /healthz answers ${res.status}: ${(await res.text()).slice(0, 300)}`];
  } catch (err) {
    return [`controller /healthz does not answer: ${err instanceof Error ? err.message : String(err)}`];
  }
}

async function allViolations(rig: SoakRig, workload: Workload, foreign: Awaited<ReturnType<typeof seedForeign>>): Promise<string[]> {
  const p = rig.controller();
  const port = p?.dnsPort;
  if (!p || !port) return ['no controller process is running'];
  if (p.child.exitCode !== null || p.child.signalCode !== null) return [`the controller process ${p.name} exited (${p.child.exitCode ?? p.child.signalCode}) by itself`];
  try {
    return [...(await checkHealth(p.metricsPort)), ...(await checkPropagation(rig)), ...(await checkDns(rig, port, workload.servicesCreated)), ...(await checkForeign(rig, foreign))];
  } catch (err) {
    return [`check failed: ${err instanceof Error ? err.message : String(err)}`];
  }
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? (() => undefined);
  log(`soak seed ${o.seed} (replay: KFED_SOAK_SEED=${o.seed}), fault phase ${Math.round(o.faultPhaseMs / 1000)} s`);
  const rng = new Rng(o.seed);
  const t0 = Date.now();
  const rig = await startSoakRig();
  try {
    const workload = new Workload(rig.host, new Rng(rng.int(0, 0xffffffff)), { namespaces: o.namespaces ?? 2, maxPerKind: o.maxPerKind ?? 6 });
    await workload.setup();
    log(`rig up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // The workload namespaces must reach every member before foreign objects go in them.
    for (const c of CLUSTERS) {
      for (const ns of workload.namespaces) {
        const end = Date.now() + 60_000;
        while (!(await rig.members[c]!.dynamic.getIfExists(NAMESPACES, ns))) {
          if (Date.now() > end) throw new Error(`soak: namespace ${ns} never reached ${c}\n${rig.diagnostics()}`);
          await sleep(200);
        }
      }
    }
    const foreign = await seedForeign(rig, workload.namespaces);
    log(`ready after ${((Date.now() - t0) / 1000).toFixed(1)} s: 3 clusters joined, controller running, namespaces propagated, foreign objects and records seeded`);

    const faults = new FaultInjector(rig, new Rng(rng.int(0, 0xffffffff)), { lanes: o.lanes ?? 2, maxHoldMs: o.maxHoldMs ?? 5000, gapMs: [300, 1500] });
    const faultsFrom = Date.now();
    const deadline = faultsFrom + o.faultPhaseMs;
    const gap = o.opGapMs ?? [50, 300];
    const opRng = new Rng(rng.int(0, 0xffffffff));
    let faultsDone = false;
    const work = (async () => {
      while (!faultsDone) {
        await workload.step();
        await sleep(opRng.int(...gap));
      }
    })();
    await faults.run(deadline, log).finally(() => (faultsDone = true));
    await work;
    await faults.healAll();
    const healed = Date.now();
    const operations = [...workload.ops.values()].reduce((a, b) => a + b, 0);
    log(`faults stopped after ${((healed - faultsFrom) / 1000).toFixed(1)} s: ${JSON.stringify(Object.fromEntries(faults.counts))}; ${operations} operations (${workload.failed} refused or timed out); converging`);

    let violations: string[] = [];
    let convergenceMs: number | undefined;
    let lastLog = Date.now();
    while (Date.now() - healed < o.convergeTimeoutMs) {
      violations = await allViolations(rig, workload, foreign);
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        log(`converging: ${violations.length} violations after ${((Date.now() - healed) / 1000).toFixed(0)} s (${summarize(violations)})`);
      }
      if (violations.length === 0) {
        convergenceMs ??= Date.now() - healed;
        // Confirm: converged means it stays so.
        await sleep(3000);
        violations = await allViolations(rig, workload, foreign);
        if (violations.length === 0) break;
        convergenceMs = undefined;
      }
      await sleep(1000);
    }
    const selfTested = o.selfTest ? await selfTest(rig, foreign, workload.namespaces[0]!) : undefined;
    if (violations.length > 0) log(`not converged within ${o.convergeTimeoutMs} ms; controller diagnostics:\n${rig.diagnostics()}`);
    return {
      seed: o.seed,
      faultPhaseMs: healed - faultsFrom,
      inventory: await inventory(rig).catch((err: unknown) => ({ error: err instanceof Error ? err.message : String(err) })),
      faults: Object.fromEntries(faults.counts),
      faultErrors: faults.errors,
      operations,
      failedOperations: workload.failed,
      controllerProcesses: rig.controllersStarted(),
      convergenceMs,
      ...(selfTested ? { selfTest: selfTested } : {}),
      violations: [...faults.errors.map((e) => `fault could not be injected or healed: ${e}`), ...violations],
    };
  } finally {
    await rig.close();
  }
}

/** Violations counted by shape (names and numbers folded), for a report of hundreds. */
export function summarize(violations: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of violations) {
    const shape = v.replace(/\b(soak-w\d+\/)?[a-z]{3}-\d+\b/g, '<obj>').replace(/cluster-\d/g, '<cluster>').replace(/: (want|is|answers) .*/, ': $1 ...').replace(/differs from its rendering: .*/, 'differs from its rendering');
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}x ${k}`).join('; ');
}

export function formatSoakReport(r: SoakReport): string {
  const faults = Object.entries(r.faults).map(([k, n]) => `${k} ${n}`).join(', ');
  return [
    `seed: ${r.seed}`,
    `fault phase: ${(r.faultPhaseMs / 1000).toFixed(0)} s; faults injected: ${Object.values(r.faults).reduce((a, b) => a + (b ?? 0), 0)} (${faults})`,
    `checked at the end: ${Object.entries(r.inventory).map(([k, n]) => `${n} ${k}`).join(', ')} (and their member objects, DNS answers and Route53 records)`,
    `workload: ${r.operations} operations (${r.failedOperations} refused or timed out by the faults); controller processes: ${r.controllerProcesses}`,
    `convergence: ${r.convergenceMs === undefined ? 'NOT converged' : `${(r.convergenceMs / 1000).toFixed(1)} s after the faults stopped`}`,
    `violations: ${r.violations.length}${r.violations.length > 0 ? ` (${summarize(r.violations)})` : ''}`,
    ...(r.selfTest ? [`checker self-test: ${r.selfTest.tampered.length - r.selfTest.missed.length} of ${r.selfTest.tampered.length} tamperings reported${r.selfTest.missed.length > 0 ? ` (missed: ${r.selfTest.missed.join('; ')})` : ''}`] : []),
    ...r.violations.slice(0, 50).map((v) => `  - ${v}`),
  ].join('\n');
}
