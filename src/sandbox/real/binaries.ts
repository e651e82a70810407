// Where the real backend's programs come from: paths given by the user, or the build cache
// that scripts/build-go-tools.sh fills from the Go module proxy (built on first use).
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RealBinaries {
  kubeApiserver: string;
  etcd: string;
  kubeControllerManager: string;
  /** with kwok only */
  kubeScheduler?: string;
  kwok?: string;
}

export interface BinaryOptions {
  kubeApiserverBin?: string;
  etcdBin?: string;
  kubeControllerManagerBin?: string;
  /** also kube-scheduler and kwok (`--kwok`): simulated pods run by the real controllers */
  kwok?: boolean;
  kubeSchedulerBin?: string;
  kwokBin?: string;
  /** the build cache (scripts/build-go-tools.sh's KFED_TOOLS_DIR) */
  toolsDir: string;
  /** build what is missing from the cache (default true) */
  build?: boolean;
  /** progress lines */
  out?: (line: string) => void;
}

/** The build cache's default location, as scripts/build-go-tools.sh computes it. */
export function defaultToolsDir(env: Record<string, string | undefined>, home: string): string {
  return env.KFED_TOOLS_DIR ?? join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'kfed', 'bin');
}

async function executable(p: string): Promise<boolean> {
  return access(p, constants.X_OK).then(() => true, () => false);
}

const BUILD_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scripts', 'build-go-tools.sh');

/** Runs the build script for the API server programs (and kwok's); resolves with the seconds it took. */
export async function buildApiServerTools(toolsDir: string, out: (line: string) => void, targets: readonly string[] = ['apiserver']): Promise<number> {
  const started = Date.now();
  if (!(await executable(BUILD_SCRIPT))) throw new Error(`cannot build kube-apiserver: ${BUILD_SCRIPT} is missing (an installed kfed has no build scripts: pass --kube-apiserver-bin, --etcd-bin and --kube-controller-manager-bin)`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(BUILD_SCRIPT, [...targets], { env: { ...process.env, KFED_TOOLS_DIR: toolsDir }, stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      tail = (tail + d).slice(-4000);
      for (const line of d.split('\n')) if (line.startsWith('build-go-tools:')) out(line.replace(/^build-go-tools: /, ''));
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${BUILD_SCRIPT} ${targets.join(' ')} exited ${code}:\n${tail}`))));
  });
  return (Date.now() - started) / 1000;
}

export async function resolveBinaries(o: BinaryOptions): Promise<RealBinaries> {
  const out = o.out ?? (() => undefined);
  const pick = (given: string | undefined, name: string): string => given ?? join(o.toolsDir, name);
  const bins: RealBinaries = {
    kubeApiserver: pick(o.kubeApiserverBin, 'kube-apiserver'),
    etcd: pick(o.etcdBin, 'etcd'),
    kubeControllerManager: pick(o.kubeControllerManagerBin, 'kube-controller-manager'),
    ...(o.kwok ? { kubeScheduler: pick(o.kubeSchedulerBin, 'kube-scheduler'), kwok: pick(o.kwokBin, 'kwok') } : {}),
  };
  const missing = async (): Promise<string[]> => {
    const m: string[] = [];
    for (const p of Object.values(bins) as string[]) if (!(await executable(p))) m.push(p);
    return m;
  };
  let gone = await missing();
  if (gone.length === 0) return bins;
  const given = [o.kubeApiserverBin, o.etcdBin, o.kubeControllerManagerBin, o.kubeSchedulerBin, o.kwokBin].filter((p): p is string => p !== undefined);
  const givenMissing = gone.filter((p) => given.includes(p));
  if (givenMissing.length > 0) throw new Error(`not executable: ${givenMissing.join(', ')}`);
  const targets = o.kwok ? ['apiserver', 'kwok'] : ['apiserver'];
  if (o.build === false) throw new Error(`not built yet: ${gone.join(', ')} (run scripts/build-go-tools.sh ${targets.join(' ')})`);
  out(`building kube-apiserver, etcd and kube-controller-manager${o.kwok ? ', kube-scheduler and kwok' : ''} from the Go module proxy into ${o.toolsDir} (first use only; tens of minutes on 2 cores)...`);
  const seconds = await buildApiServerTools(o.toolsDir, out, targets);
  out(`built in ${seconds.toFixed(0)} s`);
  gone = await missing();
  if (gone.length > 0) throw new Error(`the build left no ${gone.join(', ')}`);
  return bins;
}
