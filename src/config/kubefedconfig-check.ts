// What kfed does with a stored KubeFedConfig that is invalid or that changed while it ran.
//
// Start-up: a bad value stored in the host (a duration such as `10 seconds`, a renew
// deadline longer than the lease) used to make every start exit 1, so a pod restart
// became a crash loop that only editing the object could end. Now each invalid field falls
// back to its default, and the problems are returned for an error log and a Warning event;
// the valid fields (scope above all) are still honoured.
//
// Run time: kfed reads the KubeFedConfig once. A later edit is compared with what runs:
// invalid edits are reported, valid ones name the fields that need a restart.
import type { KubeFedConfig } from '../api/core.js';
import { defaultKubeFedConfig, validateKubeFedConfig } from '../api/core-validation.js';

export interface CheckedKubeFedConfig {
  /** defaulted and valid */
  config: KubeFedConfig;
  /** `field: message` of every value replaced by its default; empty when the stored one was valid */
  problems: string[];
}

function deletePath(spec: Record<string, unknown>, field: string): boolean {
  const parts = field.replace(/^spec\./, '').split('.');
  let at: Record<string, unknown> | undefined = spec;
  for (const p of parts.slice(0, -1)) {
    const next: unknown = at?.[p];
    if (next === null || typeof next !== 'object') return false;
    at = next as Record<string, unknown>;
  }
  const last = parts[parts.length - 1] ?? '';
  if (!at || !(last in at)) return false;
  delete at[last];
  return true;
}

/** The stored KubeFedConfig with each invalid field reset to its default. */
export function checkKubeFedConfig(stored: KubeFedConfig): CheckedKubeFedConfig {
  const problems: string[] = [];
  const current = structuredClone(stored);
  // A few rounds: a relation between fields (leaseDuration > renewDeadline) can fail again
  // once one side is defaulted.
  for (let round = 0; round < 4; round++) {
    const defaulted = defaultKubeFedConfig(current);
    const errs = validateKubeFedConfig(defaulted);
    if (errs.length === 0) return { config: defaulted, problems };
    let removed = false;
    for (const e of errs) {
      problems.push(`${e.field}: ${e.message}`);
      const spec = current.spec as unknown as Record<string, unknown>;
      // A field that is not there (a relation error on a defaulted value): reset the whole group.
      removed = deletePath(spec, e.field) || deletePath(spec, e.field.split('.').slice(0, 2).join('.')) || removed;
    }
    if (!removed) break;
  }
  const scope = current.spec.scope === 'Namespaced' ? 'Namespaced' : 'Cluster';
  if (current.spec.scope !== scope) problems.push(`spec.scope: Unsupported value ${JSON.stringify(current.spec.scope)}`);
  return { config: defaultKubeFedConfig({ ...stored, spec: { scope } }), problems: [...new Set(problems)] };
}

/** KubeFedConfig fields kfed reads once at start-up; a change to one needs a restart. */
const START_UP_FIELDS: readonly (readonly [string, (c: KubeFedConfig) => unknown])[] = [
  ['spec.scope', (c) => c.spec.scope],
  ['spec.leaderElect', (c) => c.spec.leaderElect],
  ['spec.clusterHealthCheck', (c) => c.spec.clusterHealthCheck],
  ['spec.syncController', (c) => c.spec.syncController],
  ['spec.controllerDuration', (c) => c.spec.controllerDuration],
  ['spec.featureGates', (c) => c.spec.featureGates],
];

export type KubeFedConfigVerdict =
  | { kind: 'unchanged' }
  | { kind: 'invalid'; problems: string[] }
  | { kind: 'restartRequired'; fields: string[] };

/** A stored KubeFedConfig compared with the one the running process uses (both defaulted). */
export function compareKubeFedConfig(running: KubeFedConfig, stored: KubeFedConfig): KubeFedConfigVerdict {
  const defaulted = defaultKubeFedConfig(stored);
  const errs = validateKubeFedConfig(defaulted);
  if (errs.length > 0) return { kind: 'invalid', problems: errs.map((e) => `${e.field}: ${e.message}`) };
  const fields = START_UP_FIELDS.filter(([, get]) => JSON.stringify(get(running)) !== JSON.stringify(get(defaulted))).map(([f]) => f);
  return fields.length === 0 ? { kind: 'unchanged' } : { kind: 'restartRequired', fields };
}
