// `kfed sandbox` and `kfed sandbox ctl`.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { ControlPlane } from '../app/control-plane.js';
import { ConfigError, parseDnsWorkers } from '../config/config.js';
import { createLogger, type LogLevel } from '../observability/logger.js';
import { homedir } from 'node:os';
import { checkClusterNames, startSandbox, type Sandbox } from '../sandbox/sandbox.js';
import type { SandboxMember } from '../sandbox/member.js';
import { oneLine } from '../runtime/errors.js';
import { failure, int } from './cli-support.js';
import { runUntilSignal } from './controller-command-runtime.js';
import { CONTROL_EXTENSION } from '../sandbox/kubeconfig.js';
import type { ControlAction, ControlRequest } from '../sandbox/control-server.js';

/** The message and every cause's, for matching an errno anywhere in the chain. */
/** `--dns-workers`, validated as `kfed controller`'s is, and reported as commander reports bad values. */
function dnsWorkers(v: string): number {
  try {
    return parseDnsWorkers(v);
  } catch (err) {
    if (err instanceof ConfigError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

/** `--cluster-names a,b,c`: checked as the sandbox checks them, reported as commander reports bad values. */
function clusterNameList(v: string): string[] {
  try {
    return checkClusterNames(v.split(',').map((s) => s.trim()));
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^sandbox: /, ''));
  }
}

/** `--pod-capacity cluster-2=4,cluster-3=10`. */
function podCapacityList(v: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of v.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(item);
    if (!m) throw new InvalidArgumentError(`"${item}" is not NAME=PODS (e.g. cluster-2=4)`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/**
 * How the user runs kfed again from this shell: the installed binary, or through npm in
 * a checkout (`npm start` runs the TypeScript sources, and `kfed` is not on PATH there).
 */
function kfedInvocation(): string {
  const entry = process.argv[1] ?? '';
  return /bin[/\\]kfed(\.js)?$/.test(entry) ? 'kfed' : 'npm run -s kfed --';
}

interface SandboxFlags {
  clusters: number;
  clusterNames?: string[];
  podCapacity?: Record<string, number>;
  rspUnschedulableAfter?: string;
  kubeconfig: string;
  dnsPort: number;
  dnsWorkers: number;
  metricsPort: number;
  demo: boolean;
  bind: boolean;
  logLevel: LogLevel;
  realApiserver: boolean;
  kubeApiserverBin?: string;
  etcdBin?: string;
  kubeControllerManagerBin?: string;
  kwok: boolean;
}

export function registerSandboxCommands(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description('start in-process Kubernetes API servers (the first cluster is the host), the control plane, the embedded DNS server and the go-app demo')
    .option('--clusters <n>', 'number of clusters', int, 3)
    .option('--cluster-names <names>', 'the clusters\' names, comma-separated, the first is the host (e.g. cluster1,cluster2 for Kubefed\'s examples); sets the count too (default: cluster-1..N)', clusterNameList)
    .option('--pod-capacity <name=pods,...>', 'allocatable pods of these clusters (default 100 per node); replicas beyond stay Pending, Unschedulable', podCapacityList)
    .option('--rsp-unschedulable-after <duration>', 'control plane: a pod Unschedulable this long counts against its cluster\'s capacity (kfed controller\'s flag; default 60s)')
    .option('--kubeconfig <path>', 'where to write the kubeconfig', './kfed-sandbox.kubeconfig')
    .option('--dns-port <port>', 'port of the embedded DNS server on 127.0.0.1 (0: a free port)', int, 5353)
    .option('--dns-workers <n|auto>', 'answer DNS in N worker processes sharing the socket ("auto": one per core; 0: in this process)', dnsWorkers, 0)
    .option('--metrics-port <port>', 'port of /metrics, /healthz and /readyz on 127.0.0.1 (0: a free port)', int, 0)
    .option('--no-demo', 'only start the clusters: no control plane, no DNS server, no demo app')
    .option('--bind', 'also run a real BIND9 (named) on loopback with a TSIG key and a DNSProvider publishing to it over RFC2136', false)
    .option('--log-level <level>', 'control plane log level (JSON logs go to stderr)', 'warn')
    .option('--real-apiserver', 'run every cluster on a real kube-apiserver, etcd and kube-controller-manager (built from the Go module proxy on first use)', false)
    .option('--kube-apiserver-bin <path>', 'with --real-apiserver: this kube-apiserver instead of the built one')
    .option('--etcd-bin <path>', 'with --real-apiserver: this etcd instead of the built one')
    .option('--kube-controller-manager-bin <path>', 'with --real-apiserver: this kube-controller-manager instead of the built one')
    .option('--kwok', 'with --real-apiserver: real pods, simulated by kwok (kube-scheduler places them; kube-controller-manager runs Deployments and ReplicaSets)', false)
    .action(async (opts: SandboxFlags) => {
      const path = resolve(opts.kubeconfig);
      const out = (s: string): boolean => process.stdout.write(`${s}\n`);
      const started = Date.now();
      const count = opts.clusterNames?.length ?? opts.clusters;
      const shape = { ...(opts.clusterNames ? { clusterNames: opts.clusterNames } : {}), ...(opts.podCapacity ? { podCapacity: opts.podCapacity } : {}) };
      out(`starting ${count} clusters${opts.realApiserver ? ' on real API servers' : ''}...`);
      let sb: Sandbox<SandboxMember>;
      if (opts.realApiserver) {
        const [{ startRealSandbox }, { defaultToolsDir }] = await Promise.all([import('../sandbox/real/real-sandbox.js'), import('../sandbox/real/binaries.js')]);
        sb = await startRealSandbox({
          clusters: opts.clusters, ...shape, kubeconfigPath: path, out, toolsDir: defaultToolsDir(process.env, homedir()),
          ...(opts.kubeApiserverBin ? { kubeApiserverBin: resolve(opts.kubeApiserverBin) } : {}),
          ...(opts.etcdBin ? { etcdBin: resolve(opts.etcdBin) } : {}),
          ...(opts.kubeControllerManagerBin ? { kubeControllerManagerBin: resolve(opts.kubeControllerManagerBin) } : {}),
          kwok: opts.kwok,
        });
      } else {
        if (opts.kubeApiserverBin || opts.etcdBin || opts.kubeControllerManagerBin || opts.kwok) throw new Error('--kube-apiserver-bin, --etcd-bin, --kube-controller-manager-bin and --kwok need --real-apiserver');
        sb = await startSandbox({ clusters: opts.clusters, ...shape, kubeconfigPath: path });
      }
      for (const c of sb.clusters) {
        const region = c.options.topology.region;
        out(`cluster ${c.name.padEnd(10)} ${c.url}  region ${region} zones ${c.options.topology.zones.join(',')}`);
      }
      const host = sb.clusters[0]!.name;
      out(`kubeconfig written to ${path} (contexts ${sb.clusters.map((c) => c.name).join(', ')}; current ${host})`);
      let cp: ControlPlane | undefined;
      let bind: { stop(): Promise<void> } | undefined;
      if (opts.bind && !opts.demo) throw failure('--bind needs the demo (drop --no-demo)');
      if (opts.demo) {
        try {
          const [{ startSandboxControlPlane }, { runGoAppDemo, demoInstructions }] = await Promise.all([import('../app/sandbox-control-plane.js'), import('../app/sandbox-demo.js')]);
          cp = await startSandboxControlPlane(sb, {
            out,
            logger: createLogger({ level: opts.logLevel, destination: process.stderr }),
            metricsAddr: `127.0.0.1:${opts.metricsPort}`,
            dnsListen: `127.0.0.1:${opts.dnsPort}`,
            dnsWorkers: opts.dnsWorkers,
            ...(opts.rspUnschedulableAfter !== undefined ? { rspUnschedulableAfter: opts.rspUnschedulableAfter } : {}),
          });
          const dns = { address: '127.0.0.1', port: cp.dns?.ports.udpPort ?? opts.dnsPort };
          const clusters = sb.clusters.map((c) => c.name);
          await runGoAppDemo(cp, { out, clusters, dns, hostContext: host });
          if (opts.bind) {
            const { startSandboxBind } = await import('../app/sandbox-bind.js');
            const GO_APP = 'go-app.go-app.myfed.svc.example.com';
            const b = await startSandboxBind(cp.host);
            bind = b;
            out(`BIND9 on ${b.bind.server} (TSIG key ${b.bind.tsig.name}); DNSProvider kube-federation-system/bind publishes example.com there`);
            const addresses = await b.waitForName(GO_APP, clusters.length, 60_000);
            out(`${GO_APP} answers ${addresses.join(', ')} at BIND`);
            out(`  dig @${b.bind.host} -p ${b.bind.port} ${GO_APP}`);
            out(`  dig @${b.bind.host} -p ${b.bind.port} a-${GO_APP} TXT    # kfed's ownership record`);
            out(`  kubectl --kubeconfig ${path} --context ${host} -n kube-federation-system get dnsproviders`);
          }
          const member = sb.clusters[1] ?? sb.clusters[0]!;
          for (const line of demoInstructions({
            kubeconfig: path,
            hostContext: host,
            member: member.name,
            dns,
            metricsUrl: cp.health?.url,
            kfed: kfedInvocation(),
            region: member.options.topology.region,
          })) out(line);
        } catch (err) {
          await bind?.stop();
          await cp?.stop();
          await sb.close();
          const hint = opts.dnsPort !== 0 && /EADDRINUSE|address already in use/i.test(oneLine(err)) ? ` (port ${opts.dnsPort} is taken: try --dns-port 0 or another port)` : '';
          throw failure(`sandbox control plane: ${oneLine(err)}${hint}`);
        }
      } else {
        out(`try: kubectl --kubeconfig ${path} --context ${host} get nodes`);
        out(`faults: ${kfedInvocation()} sandbox ctl --kubeconfig ${path} stop ${(sb.clusters[1] ?? sb.clusters[0]!).name}`);
      }
      out(`sandbox ready in ${((Date.now() - started) / 1000).toFixed(1)} s (Ctrl-C to stop)`);
      const running = cp;
      let stopping: Promise<void> | undefined;
      let stopped!: () => void;
      const done = new Promise<void>((r) => (stopped = r));
      await runUntilSignal({
        stop: () => {
          stopping ??= (async () => {
            await running?.stop();
            await bind?.stop();
            await sb.close();
          })().finally(stopped);
          return stopping;
        },
        // A control plane that fails on its own takes the sandbox down with it.
        wait: () => Promise.race([done, running ? running.wait().then(() => done) : done]),
      });
      out('sandbox stopped');
    });

  sandbox
    .command('ctl')
    .description('drive the fault controls of a running sandbox')
    .argument('<action>', 'stop | start | fail | latency | drop-watches | compact | clear | status')
    .argument('<cluster>', 'cluster name, e.g. cluster-2')
    .argument('[value]', 'fail: fraction of requests (0..1); latency: milliseconds')
    .option('--kubeconfig <path>', 'the sandbox kubeconfig', './kfed-sandbox.kubeconfig')
    .option('--code <code>', 'fail: HTTP status to inject (500 or 429)', int, 500)
    .option('--retry-after <s>', 'fail with 429: Retry-After seconds', int, 1)
    .action(async (action: string, cluster: string, value: string | undefined, opts: { kubeconfig: string; code: number; retryAfter: number }) => {
      const actions: ControlAction[] = ['stop', 'start', 'fail', 'latency', 'drop-watches', 'compact', 'clear', 'status'];
      if (!actions.includes(action as ControlAction)) throw new Error(`unknown action "${action}" (one of ${actions.join(', ')})`);
      if (opts.code !== 500 && opts.code !== 429) throw new Error('--code must be 500 or 429');
      const kc = parseYaml(await readFile(resolve(opts.kubeconfig), 'utf8')) as { extensions?: { name: string; extension: { url: string; token: string } }[] };
      const ext = kc.extensions?.find((e) => e.name === CONTROL_EXTENSION)?.extension;
      if (!ext) throw new Error(`${opts.kubeconfig} is not a kfed sandbox kubeconfig (no ${CONTROL_EXTENSION} extension)`);
      const body: ControlRequest = {
        action: action as ControlAction, cluster,
        ...(value !== undefined ? { value: Number(value) } : {}),
        code: opts.code as 500 | 429, retryAfterSeconds: opts.retryAfter,
      };
      let res: Response;
      try {
        res = await fetch(`${ext.url}/control`, { method: 'POST', headers: { Authorization: `Bearer ${ext.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      } catch (err) {
        throw new Error(`sandbox at ${ext.url} is not running`, { cause: err });
      }
      const text = await res.text();
      if (!res.ok) throw new Error(`sandbox ctl ${action} ${cluster}: ${text}`);
      process.stdout.write(`${text}\n`);
    });
}
