// The `kfed sandbox` demo after the control plane is up: apply examples/go-app.yaml to the
// host, wait until go-app is propagated to every member and its global DNS name answers
// on the embedded server, and say what to try next. The ready line is printed only
// after all of that, so a user who copies a command never races the control plane.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../api/meta.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { pause } from '../runtime/clock.js';
import { applyManifestFile, type AppliedObject } from './apply-manifest.js';
import type { ControlPlane } from './control-plane.js';
import { queryDns } from './dns-probe.js';

export const GO_APP_DNS_NAME = 'go-app.go-app.myfed.svc.example.com';
const FEDERATED_KINDS = ['FederatedNamespace', 'FederatedDeployment', 'FederatedService'] as const;

/** The repository's examples/go-app.yaml, found from this module (src/ or dist/src/). */
export function findGoAppExample(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'examples', 'go-app.yaml');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('cannot find examples/go-app.yaml next to the kfed sources');
}

export interface GoAppDemoOptions {
  out: (line: string) => void;
  /** Members go-app must reach (every sandbox cluster). */
  clusters: readonly string[];
  /** Where the control plane's DNS server listens. */
  dns: { address: string; port: number };
  /** For progress lines: the host's kubeconfig context. */
  hostContext?: string;
  /** Default: findGoAppExample(). */
  example?: string;
  /** Propagation and DNS together. Default 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
}

export interface GoAppDemoResult {
  applied: AppliedObject[];
  /** What the global name answered with, one load-balancer address per cluster. */
  addresses: string[];
  /** From apply to the DNS answer. */
  elapsedMs: number;
}

interface FederatedStatusView {
  status?: { conditions?: { type: string; status: string; reason?: string }[]; clusters?: { name: string; status?: string }[] };
}

/** Why a federated object is not yet propagated everywhere, or undefined when it is. */
export function propagationGap(obj: (KubeObject & FederatedStatusView) | undefined, clusters: readonly string[]): string | undefined {
  if (!obj) return 'not found';
  const cond = obj.status?.conditions?.find((c) => c.type === 'Propagation');
  if (cond?.status !== 'True') return `Propagation ${cond ? `${cond.status}${cond.reason ? ` (${cond.reason})` : ''}` : 'not reported yet'}`;
  const ok = new Set((obj.status?.clusters ?? []).filter((c) => !c.status).map((c) => c.name));
  const missing = clusters.filter((c) => !ok.has(c));
  return missing.length > 0 ? `not yet in ${missing.join(', ')}` : undefined;
}

async function federatedGaps(host: ClusterClient, clusters: readonly string[]): Promise<string[]> {
  const gaps: string[] = [];
  for (const kind of FEDERATED_KINDS) {
    const ref = await host.discovery.resourceFor('types.kubefed.io/v1beta1', kind);
    const obj = await host.dynamic.getIfExists<KubeObject & FederatedStatusView>(ref, 'go-app', { namespace: 'go-app' });
    const gap = propagationGap(obj, clusters);
    if (gap) gaps.push(`${kind} go-app/go-app: ${gap}`);
  }
  return gaps;
}

export async function runGoAppDemo(cp: ControlPlane, o: GoAppDemoOptions): Promise<GoAppDemoResult> {
  const started = Date.now();
  const deadline = started + (o.timeoutMs ?? 60_000);
  const example = o.example ?? findGoAppExample();
  const signalOpt = o.signal ? { signal: o.signal } : {};
  const applied = await applyManifestFile(cp.host, example, { fieldManager: 'kfed-sandbox', ...signalOpt });
  o.out(`applied ${example} to ${o.hostContext ?? cp.host.name}: ${applied.map((a) => a.kind).join(', ')}`);

  let gaps: string[] = ['not checked yet'];
  while (gaps.length > 0) {
    gaps = await federatedGaps(cp.host, o.clusters);
    if (gaps.length === 0) break;
    if (Date.now() > deadline || o.signal?.aborted) throw new Error(`go-app not propagated within ${Math.round((deadline - started) / 1000)} s: ${gaps.join('; ')}`);
    await pause(100, o.signal);
  }
  o.out(`go-app propagated to ${o.clusters.join(', ')} (${FEDERATED_KINDS.join(', ')})`);

  // One load-balancer address per member once every Service has one and DNS caught up.
  let last: string;
  for (;;) {
    try {
      const answer = await queryDns(GO_APP_DNS_NAME, { ...o.dns, timeoutMs: 500 });
      if (answer.rcode === 'NOERROR' && answer.addresses.length >= o.clusters.length) {
        o.out(`${GO_APP_DNS_NAME} answers ${answer.addresses.join(', ')}`);
        return { applied, addresses: answer.addresses, elapsedMs: Date.now() - started };
      }
      last = `${answer.rcode} ${answer.addresses.join(', ') || '(no addresses)'}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline || o.signal?.aborted) throw new Error(`${GO_APP_DNS_NAME} did not answer with ${o.clusters.length} addresses within ${Math.round((deadline - started) / 1000)} s: ${last}`);
    await pause(100, o.signal);
  }
}

export interface InstructionsInput {
  kubeconfig: string;
  hostContext: string;
  /** A member to look at and to stop in the failover (cluster-2 in the Kubefed demo). */
  member: string;
  dns: { address: string; port: number };
  metricsUrl: string | undefined;
  /** How the user runs kfed from here, e.g. `kfed` or `npm run -s kfed --`. */
  kfed: string;
  region: string | undefined;
}

/** The commands printed before the ready line; each works as printed. */
export function demoInstructions(i: InstructionsInput): string[] {
  const kc = `kubectl --kubeconfig ${i.kubeconfig}`;
  const dig = `dig @${i.dns.address} -p ${i.dns.port}`;
  const regional = i.region ? GO_APP_DNS_NAME.replace('.svc.', `.svc.${i.region}.`) : undefined;
  return [
    '',
    'try:',
    `  ${kc} --context ${i.hostContext} -n kube-federation-system get kubefedclusters`,
    `  ${kc} --context ${i.hostContext} describe federateddeployment go-app -n go-app`,
    `  ${kc} --context ${i.member} -n go-app get deployment,service go-app`,
    `  ${dig} ${GO_APP_DNS_NAME}`,
    ...(regional ? [`  ${dig} ${regional}`] : []),
    `  ${dig} go.example.com`,
    ...(i.metricsUrl ? [`  curl -s ${i.metricsUrl}/metrics | grep -E '^(kubefedcluster_total|kfed_dns_queries_total)'`] : []),
    `failover: stop ${i.member}, then ask again; its address leaves the answer within a few seconds:`,
    `  ${i.kfed} sandbox ctl --kubeconfig ${i.kubeconfig} stop ${i.member}`,
    `  ${dig} ${GO_APP_DNS_NAME}`,
    `  ${i.kfed} sandbox ctl --kubeconfig ${i.kubeconfig} start ${i.member}`,
    '',
  ];
}
