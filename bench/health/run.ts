// Member health at scale: 50 sandbox members (in their own process), health period 1 s.
// Reports the control plane's CPU per probe round in steady state, and the distribution
// over 20 trials of the time from stopping a member to the registry seeing it not ready
// (Offline written to status and observed back through the host informer), for the
// periodic path (fast path off) and the fast path (refused connections / failed watches).
import { startControlPlane, type ControlPlane } from '../../src/app/control-plane.js';
import { ensureKubeFedNamespaceAndConfig, installCrds } from '../../src/app/host-setup.js';
import { ClusterHealthController } from '../../src/clusters/health-controller.js';
import { joinCluster } from '../../src/kubefedctl/join.js';
import { buildConfig } from '../../src/config/config.js';
import { clusterClientFromKubeconfig } from '../../src/kube/cluster-client.js';
import { startSandboxProcess, type SandboxProcess } from '../support/sandbox-process.js';

const PERIOD_MS = 1000;
const FAILURE_THRESHOLD = 3;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `min ${s[0]?.toFixed(0)} p50 ${pct(s, 50).toFixed(0)} p90 ${pct(s, 90).toFixed(0)} p95 ${pct(s, 95).toFixed(0)} max ${s[s.length - 1]?.toFixed(0)} ms`;
}

async function controlPlane(sb: SandboxProcess, fastProbeInterval: string): Promise<{ cp: ControlPlane; health: ClusterHealthController }> {
  let health: ClusterHealthController | undefined;
  const config = buildConfig({
    kubeconfigPath: sb.kubeconfigPath,
    context: 'cluster-1',
    metricsAddr: '0',
    leaderElect: false,
    healthCheckPeriod: `${PERIOD_MS}ms`,
    healthCheckTimeout: '800ms',
    healthCheckFailureThreshold: FAILURE_THRESHOLD,
    healthCheckSuccessThreshold: 1,
    healthCheckFastProbeInterval: fastProbeInterval,
    logLevel: 'silent',
  });
  const cp = await startControlPlane(config, {
    controllers: [
      {
        name: 'cluster-health',
        create: (d) => (health = new ClusterHealthController({ members: d.members, host: d.host.dynamic, config: d.config.clusterHealthCheck, logger: d.logger, registry: d.metrics })),
      },
    ],
  });
  await cp.ready();
  return { cp, health: health! };
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function detectionTrials(sb: SandboxProcess, cp: ControlPlane, members: string[], trials: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < trials; i++) {
    const name = members[(i * 7) % members.length]!;
    await waitFor(() => cp.members.get(name)?.ready === true, 30_000, `${name} ready before trial`);
    // A random phase against the probe cadence.
    await new Promise((r) => setTimeout(r, Math.random() * PERIOD_MS));
    let seenAt = 0;
    const unsubscribe = cp.members.subscribe((n, change) => {
      if (n === name && change === 'notReady' && !seenAt) seenAt = performance.now();
    });
    const stoppedAt = performance.now();
    await sb.control({ action: 'stop', cluster: name });
    await waitFor(() => seenAt > 0, 20_000, `${name} not ready`);
    unsubscribe();
    out.push(seenAt - stoppedAt);
    await sb.control({ action: 'start', cluster: name });
  }
  return out;
}

export async function runHealthBench(opts: { members?: number; trials?: number; rounds?: number } = {}): Promise<Record<string, number>> {
  const n = opts.members ?? 50;
  const trials = opts.trials ?? 20;
  const rounds = opts.rounds ?? 20;
  const sb = await startSandboxProcess(n);
  const result: Record<string, number> = {};
  try {
    const host = await clusterClientFromKubeconfig({ kubeconfigPath: sb.kubeconfigPath, context: 'cluster-1' });
    await installCrds(host);
    await ensureKubeFedNamespaceAndConfig(host, { namespace: 'kube-federation-system' });
    host.close();
    const names = Array.from({ length: n }, (_, i) => `cluster-${i + 1}`);
    const joinStart = performance.now();
    for (let i = 0; i < names.length; i += 10) {
      await Promise.all(names.slice(i, i + 10).map((name) => joinCluster({ clusterName: name, kubeconfig: { kubeconfigPath: sb.kubeconfigPath }, clusterContext: name, hostClusterContext: 'cluster-1' })));
    }
    console.log(`joined ${n} members in ${((performance.now() - joinStart) / 1000).toFixed(1)} s`);

    // ---- steady state, fast path on (the default configuration)
    let { cp, health } = await controlPlane(sb, '200ms');
    await waitFor(() => names.every((m) => cp.members.get(m)?.ready), 60_000, 'all members ready');
    await waitFor(() => names.every((m) => (cp.members.get(m)?.zones.length ?? 0) > 0), 60_000, 'all zones discovered');
    await new Promise((r) => setTimeout(r, 2 * PERIOD_MS));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, rounds * PERIOD_MS));
    const cpu = process.cpuUsage(cpu0);
    const elapsedRounds = (performance.now() - t0) / PERIOD_MS;
    result.cpuMsPerRound = (cpu.user + cpu.system) / 1000 / elapsedRounds;
    result.cpuUsPerProbe = ((cpu.user + cpu.system) / elapsedRounds) / n;
    console.log(`steady state, ${n} members, period ${PERIOD_MS} ms: CPU ${result.cpuMsPerRound.toFixed(1)} ms per probe round (${result.cpuUsPerProbe.toFixed(0)} µs per member probe, ${(result.cpuMsPerRound / PERIOD_MS * 100).toFixed(1)}% of one core)`);
    if (!names.every((m) => health.health(m)?.reported === 'Ready')) throw new Error('a member flapped in steady state');

    const fast = await detectionTrials(sb, cp, names.slice(1), trials);
    const fs = [...fast].sort((a, b) => a - b);
    result.fastP50Ms = pct(fs, 50);
    result.fastP95Ms = pct(fs, 95);
    console.log(`detection, fast path (refused connections, failed node watch; confirmations 200 ms apart): ${summary(fast)}  target p95 <= 1500 ms: ${result.fastP95Ms <= 1500 ? 'met' : 'MISSED'}`);
    await cp.stop();

    // ---- periodic path only
    ({ cp, health } = await controlPlane(sb, '0'));
    await waitFor(() => names.every((m) => cp.members.get(m)?.ready), 60_000, 'all members ready (periodic)');
    const periodic = await detectionTrials(sb, cp, names.slice(1), trials);
    const ps = [...periodic].sort((a, b) => a - b);
    result.periodicP50Ms = pct(ps, 50);
    result.periodicP95Ms = pct(ps, 95);
    const target = PERIOD_MS * FAILURE_THRESHOLD + 500;
    console.log(`detection, periodic path only (failureThreshold ${FAILURE_THRESHOLD}): ${summary(periodic)}  target p95 <= ${target} ms: ${result.periodicP95Ms <= target ? 'met' : 'MISSED'}`);
    await cp.stop();
    return result;
  } finally {
    await sb.stop();
  }
}
