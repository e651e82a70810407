// External tools for end-to-end tests. On a developer's laptop a missing tool skips
// the test with a notice; under CI (KFED_E2E_REQUIRED=1) a missing tool is a failure.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const EXTRA_PATHS = ['/usr/sbin', '/sbin', '/usr/local/sbin'];

/** Where scripts/build-go-tools.sh puts the programs it builds (kubectl, kube-apiserver, etcd, external-dns). */
export function kfedToolsDir(): string {
  return process.env.KFED_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kfed', 'bin');
}

/** Absolute path of `name`: one built by scripts/build-go-tools.sh first, then PATH, then the sbin folders. */
export function findTool(name: string): string | undefined {
  const built = join(kfedToolsDir(), name);
  if (existsSync(built)) return built;
  try {
    const out = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    if (out) return out;
  } catch {
    // not on PATH; look in sbin folders below
  }
  for (const dir of EXTRA_PATHS) {
    const p = `${dir}/${name}`;
    if (existsSync(p)) return p;
  }
  return undefined;
}

export const e2eRequired = process.env.KFED_E2E_REQUIRED === '1';

/** The scripts/build-go-tools.sh target that builds a tool, for the message when it is missing. */
const BUILT_BY: Record<string, string> = {
  kubectl: 'kubectl',
  'kube-apiserver': 'apiserver',
  etcd: 'apiserver',
  'kube-controller-manager': 'apiserver',
  'external-dns': 'external-dns',
};

/**
 * Resolve tools for a test file. Returns the paths, or undefined when one is missing
 * and e2e is optional (callers then `describe.skipIf(!tools)`). Throws under CI.
 */
export function requireTools<T extends string>(...names: T[]): Record<T, string> | undefined {
  const found = {} as Record<T, string>;
  const missing: string[] = [];
  for (const n of names) {
    const p = findTool(n);
    if (p) found[n] = p;
    else missing.push(n);
  }
  if (missing.length === 0) return found;
  const targets = [...new Set(missing.flatMap((n) => (BUILT_BY[n] ? [BUILT_BY[n]] : [])))];
  const build = targets.length > 0 ? `; scripts/build-go-tools.sh ${targets.join(' ')} builds ${missing.filter((n) => BUILT_BY[n]).join(', ')} into ${kfedToolsDir()}` : '';
  const msg = `missing tool(s) ${missing.join(', ')}: install them (see .ci/run)${build}`;
  if (e2eRequired) throw new Error(`e2e required but ${msg}`);
  console.warn(`[kfed tests] skipping: ${msg}`);
  return undefined;
}
