// `kfed sandbox` and `kfed sandbox ctl`.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { ControlPlane } from '../app/control-plane.js';
import { createLogger, type LogLevel } from '../observability/logger.js';
import { startSandbox } from '../sandbox/sandbox.js';
import { oneLine } from '../clusters/join-steps.js';
import { failure } from './cli-support.js';
import { CONTROL_EXTENSION } from '../sandbox/kubeconfig.js';
import type { ControlAction, ControlRequest } from '../sandbox/control-server.js';

function int(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`not an integer: ${v}`);
  return n;
}

export function registerSandboxCommands(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description('start in-process Kubernetes API servers (cluster-1 is the host) and write a kubeconfig for them')
    .option('--clusters <n>', 'number of clusters', int, 3)
    .option('--kubeconfig <path>', 'where to write the kubeconfig', './kfed-sandbox.kubeconfig')
    .option('--dns-port <port>', 'port of the embedded DNS server on 127.0.0.1', int, 5353)
    .option('--no-demo', 'only start the clusters: no control plane, no demo app')
    .option('--log-level <level>', 'control plane log level (logs go to stderr)', 'warn')
    .action(async (opts: { clusters: number; kubeconfig: string; dnsPort: number; demo: boolean; logLevel: LogLevel }) => {
      const path = resolve(opts.kubeconfig);
      const sb = await startSandbox({ clusters: opts.clusters, kubeconfigPath: path });
      const out = (s: string): boolean => process.stdout.write(`${s}\n`);
      for (const c of sb.clusters) {
        const region = c.options.topology.region;
        out(`cluster ${c.name.padEnd(10)} ${c.url}  region ${region} zones ${c.options.topology.zones.join(',')}`);
      }
      out(`kubeconfig written to ${path} (contexts ${sb.clusters.map((c) => c.name).join(', ')}; current cluster-1)`);
      let cp: ControlPlane | undefined;
      if (opts.demo) {
        try {
          const { startSandboxControlPlane } = await import('../app/sandbox-control-plane.js');
          cp = await startSandboxControlPlane(sb, { out, logger: createLogger({ level: opts.logLevel, destination: process.stderr }) });
        } catch (err) {
          await sb.close();
          throw failure(`sandbox control plane: ${oneLine(err)}`);
        }
        out(`try: kubectl --kubeconfig ${path} --context cluster-1 -n kube-federation-system get kubefedclusters`);
      }
      out(`try: kubectl --kubeconfig ${path} --context cluster-1 get nodes`);
      out(`faults: kfed sandbox ctl --kubeconfig ${path} stop cluster-2`);
      out('sandbox ready (Ctrl-C to stop)');
      await new Promise<void>((done) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void (async () => {
            await cp?.stop();
            await sb.close();
          })().then(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
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
