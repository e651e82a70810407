// The long fault soak (issue 13 item 3): `npm run bench -- soak [--duration=30m] [--seed=N]`
// (or KFED_SOAK_DURATION / KFED_SOAK_SEED). The same rig, workload, faults and invariant
// checks as the short run in `npm test` (test/e2e/soak), for longer, with more objects
// and three fault lanes. Prints the seed first, progress lines, then the report; exits
// non-zero when a violation remains or the world did not converge.
import { seedFrom } from '../../test/support/soak/rng.js';
import { formatSoakReport, runSoak } from '../../test/support/soak/soak.js';

/** `30m`, `90s`, `1h` or plain minutes. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(h|m|s)?$/.exec(value.trim());
  if (!m) throw new Error(`soak: --duration ${JSON.stringify(value)} is not a duration like 30m, 90s or 1h`);
  const n = Number(m[1]);
  return Math.round(n * (m[2] === 'h' ? 3_600_000 : m[2] === 's' ? 1000 : 60_000));
}

function flag(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

export async function runSoakBench(): Promise<void> {
  const seed = seedFrom(flag('seed') ?? process.env.KFED_SOAK_SEED);
  const faultPhaseMs = parseDuration(flag('duration') ?? process.env.KFED_SOAK_DURATION ?? '30m');
  const started = Date.now();
  const stamp = (): string => `[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s]`;
  const report = await runSoak({
    seed, faultPhaseMs, convergeTimeoutMs: 300_000, namespaces: 3, maxPerKind: 10, lanes: 3, maxHoldMs: 10_000, opGapMs: [100, 600],
    log: (line) => console.log(`${stamp()} ${line}`),
  });
  console.log(formatSoakReport(report));
  if (report.violations.length > 0 || report.convergenceMs === undefined) {
    process.exitCode = 1;
  }
}
