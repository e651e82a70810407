// Partitions: how long a member that goes silent (a blackhole, not a refused connection)
// stays in DNS. Member cluster-2 sits behind a loopback FaultProxy; the control plane runs
// the health and DNS controllers and the embedded DNS server (all in this process, beside
// the sandbox). Per trial: wait a random phase against the probe cadence, blackhole the
// proxy, and time (a) detection: the member registry reports cluster-2 not ready, and
// (b) withdrawal: its address is gone from the A answer of the global name (polled every
// 20 ms). Then the false-failover check: 500 ms latency spikes (2 s on, 1 s off) for 30 s,
// counting notReady transitions and answers without cluster-2. Settings compared: kfed's
// defaults, a tighter probe timeout, and Kubefed's defaults (fewer trials: each is slow).
import type { ConfigFlags } from '../../src/config/config.js';
import { startPartitionRig, type PartitionRig } from '../../test/support/partition-rig.js';

interface Settings {
  label: string;
  flags: Partial<ConfigFlags>;
  trials: number;
  spikes: boolean;
}

export interface PartitionFigures {
  label: string;
  detectP50Ms: number;
  detectP95Ms: number;
  withdrawP50Ms: number;
  withdrawP95Ms: number;
  withdrawMaxMs: number;
  /** notReady transitions + DNS answers missing the member during latency spikes; undefined = not measured */
  falseFailovers: number | undefined;
  missingAnswers: number | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

async function until(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(20);
  }
}

/** One partition: [detection ms, withdrawal ms]. */
async function trial(rig: PartitionRig, periodMs: number): Promise<[number, number]> {
  const ip = rig.ips['cluster-2']!;
  await until(async () => (await rig.answer()).includes(ip) && rig.cp.members.get('cluster-2')?.ready === true, 60_000, 'cluster-2 back in DNS');
  await sleep(Math.random() * periodMs);
  let detected = 0;
  const unsubscribe = rig.cp.members.subscribe((n, change) => {
    if (n === 'cluster-2' && change === 'notReady' && !detected) detected = performance.now();
  });
  const silentAt = performance.now();
  rig.proxy.blackhole();
  await until(async () => !(await rig.answer()).includes(ip), 120_000, 'cluster-2 withdrawn');
  const withdrawn = performance.now() - silentAt;
  unsubscribe();
  rig.proxy.heal();
  return [detected ? detected - silentAt : withdrawn, withdrawn];
}

/** 500 ms latency spikes (2 s on, 1 s off) for `ms`: [notReady transitions, answers without the member]. */
async function spikes(rig: PartitionRig, ms: number): Promise<[number, number]> {
  const ip = rig.ips['cluster-2']!;
  await until(async () => (await rig.answer()).includes(ip) && rig.cp.members.get('cluster-2')?.ready === true, 60_000, 'cluster-2 in DNS before spikes');
  await sleep(2000);
  let flips = 0;
  const unsubscribe = rig.cp.members.subscribe((n, change) => {
    if (n === 'cluster-2' && change === 'notReady') flips++;
  });
  let missing = 0;
  let stop = false;
  const sampler = (async () => {
    while (!stop) {
      if (!(await rig.answer()).includes(ip)) missing++;
      await sleep(100);
    }
  })();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    rig.proxy.latency(500);
    await sleep(2000);
    rig.proxy.latency(0);
    await sleep(1000);
  }
  stop = true;
  await sampler;
  unsubscribe();
  return [flips, missing];
}

async function measure(s: Settings): Promise<PartitionFigures> {
  const rig = await startPartitionRig(s.flags);
  try {
    const periodMs = rig.cp.config.clusterHealthCheck.periodMs;
    const hc = rig.cp.config.clusterHealthCheck;
    console.log(`${s.label}: period ${hc.periodMs} ms, timeout ${hc.timeoutMs} ms, failureThreshold ${hc.failureThreshold}, fast probes ${hc.fastProbeIntervalMs} ms apart`);
    const detect: number[] = [];
    const withdraw: number[] = [];
    for (let i = 0; i < s.trials; i++) {
      const [d, w] = await trial(rig, periodMs);
      detect.push(d);
      withdraw.push(w);
    }
    let falseFailovers: number | undefined;
    let missingAnswers: number | undefined;
    if (s.spikes) [falseFailovers, missingAnswers] = await spikes(rig, 30_000);
    const ds = [...detect].sort((a, b) => a - b);
    const ws = [...withdraw].sort((a, b) => a - b);
    const f: PartitionFigures = {
      label: s.label,
      detectP50Ms: pct(ds, 50), detectP95Ms: pct(ds, 95),
      withdrawP50Ms: pct(ws, 50), withdrawP95Ms: pct(ws, 95), withdrawMaxMs: ws[ws.length - 1] ?? 0,
      falseFailovers, missingAnswers,
    };
    const spikeText = falseFailovers === undefined ? '' : `; 500 ms spikes for 30 s: ${falseFailovers} false failovers, ${missingAnswers} answers without the member`;
    console.log(`  ${s.trials} partitions: detection p50 ${f.detectP50Ms.toFixed(0)} p95 ${f.detectP95Ms.toFixed(0)} ms; DNS withdrawal p50 ${f.withdrawP50Ms.toFixed(0)} p95 ${f.withdrawP95Ms.toFixed(0)} max ${f.withdrawMaxMs.toFixed(0)} ms${spikeText}`);
    return f;
  } finally {
    await rig.close();
  }
}

export async function runPartitionBench(opts: { trials?: number } = {}): Promise<PartitionFigures[]> {
  const trials = opts.trials ?? 20;
  const settings: Settings[] = [
    { label: 'kfed defaults', flags: {}, trials, spikes: true },
    { label: 'tighter: timeout 1s', flags: { healthCheckTimeout: '1s' }, trials: Math.ceil(trials / 2), spikes: true },
    { label: "Kubefed's defaults (10s/3s/3, no fast path)", flags: { healthCheckPeriod: '10s', healthCheckTimeout: '3s', healthCheckFailureThreshold: 3, healthCheckFastProbeInterval: '0' }, trials: 3, spikes: false },
  ];
  const out: PartitionFigures[] = [];
  for (const s of settings) out.push(await measure(s));
  const target = out[0]!;
  console.log(`target p95 <= 5000 ms from silence to DNS withdrawal with 0 false failovers: ${target.withdrawP95Ms <= 5000 && target.falseFailovers === 0 ? 'met' : 'MISSED'}`);
  return out;
}
