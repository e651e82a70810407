// What `kfed enable|disable|federate|join|unjoin` print: kubectl's and kubefedctl's lines for the
// structured results src/kubefedctl returns. The end-to-end tests compare these byte for byte.
import { stringify } from 'yaml';
import type { DisableResult } from '../kubefedctl/disable.js';
import type { EnableChange } from '../kubefedctl/enable.js';
import type { FederateStep } from '../kubefedctl/federate.js';
import type { PlacementDecision } from '../kubefedctl/federate-placement.js';
import type { JoinResult } from '../kubefedctl/join.js';
import type { UnjoinResult } from '../kubefedctl/unjoin.js';
import { describeTouched, describeUndo, type JoinStep } from '../kubefedctl/join-steps.js';

/** Objects as kubectl-appliable YAML documents. */
export function yamlDocuments(objects: readonly unknown[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`).join('');
}

export function enableLine(c: EnableChange): string {
  if (c.kind === 'CustomResourceDefinition') return `customresourcedefinition.apiextensions.k8s.io/${c.name} ${c.action}`;
  return `federatedtypeconfig.core.kubefed.io/${c.name} ${c.action} in namespace ${c.namespace ?? ''}`;
}

export function disableLines(r: DisableResult): string[] {
  const ftc = `FederatedTypeConfig "${r.namespace}/${r.name}"`;
  if (!r.found) return [`${ftc} does not exist`];
  const lines = [r.disabledPropagation ? `Disabled propagation for ${ftc}` : `Propagation already disabled for ${ftc}`, `Propagation controller for ${ftc} is stopped`];
  if (r.crd) lines.push(`customresourcedefinition "${r.crd.name}" ${r.crd.deleted ? 'deleted' : 'does not exist'}`);
  lines.push(`federatedtypeconfig "${r.namespace}/${r.name}" deleted`);
  return lines;
}

export function federateLines(steps: readonly FederateStep[]): string[] {
  return steps.flatMap((s) => {
    if (s.step === 'enabled') return s.changes.map(enableLine);
    const label = `${s.kind.toLowerCase()}.types.kubefed.io/${s.name}`;
    const placed = s.created ? placementLine(s.kind, s.name, s.placement) : undefined;
    return [s.created ? `${label} created${s.namespace ? ` in namespace ${s.namespace}` : ''}` : `${label} already exists`, ...(placed ? [placed] : [])];
  });
}

/** kfed's note on a federated object written without kubefedctl's placement (or with it despite a policy); none otherwise. */
export function placementLine(kind: string, name: string, d: PlacementDecision): string | undefined {
  const label = `${kind.toLowerCase()}.types.kubefed.io/${name}`;
  if (d.policyOverridden) return `${label}: placed on every cluster (--placement all); ${d.policy ?? 'a PropagationPolicy'} selects it but does not apply to an object with its own placement`;
  if (d.placement) return undefined;
  return d.policy ? `${label}: no placement written; ${d.policy} places it` : `${label}: no placement written and no PropagationPolicy selects it: placed on no cluster until one does`;
}

export function joinLine(name: string, r: JoinResult): string {
  const ref = `KubeFedCluster ${r.cluster.metadata.namespace}/${r.cluster.metadata.name}`;
  if (r.dryRun) return `dry run: cluster "${name}" can be joined (${ref}); nothing was changed`;
  if (r.changes.length === 0) return `cluster "${name}" is already joined (${ref}); nothing to change`;
  return `cluster "${name}" joined (${ref}, secret ${r.cluster.spec.secretRef.name})`;
}

export function unjoinLine(name: string, r: UnjoinResult, dryRun: boolean): string {
  if (dryRun) return `dry run: cluster "${name}" can be unjoined; nothing was changed`;
  return `cluster "${name}" unjoined (${r.deleted.length} objects deleted${r.warnings.length > 0 ? `; ${r.warnings.length} warning(s)` : ''})`;
}

/** A join or unjoin step as kubefedctl's --v lines put it. */
export function joinStepLine(s: JoinStep): string {
  switch (s.step) {
    case 'created':
    case 'updated':
    case 'unchanged':
    case 'deleted':
      return `${s.step} ${describeTouched(s)}`;
    case 'rolled-back':
      return `rolled back: ${describeUndo(s.undo)}`;
    case 'preflight':
      return `performing preflight checks (host ${s.host}, member ${s.member})`;
    case 'would-join':
      return `dry run: would join ${s.cluster} (${s.server}) with service account ${s.serviceAccount} and ${s.roleKind} ${s.role}`;
    case 'would-clean-member':
      return `dry run: would delete the service account, token Secret and RBAC of ${s.serviceAccount} in ${s.where}${s.namespace ? ` and namespace ${s.namespace}` : ''}`;
    case 'would-unjoin':
      return `dry run: would delete KubeFedCluster ${s.namespace}/${s.name} and its Secret from host ${s.host}`;
    case 'kept-namespace':
      return `kept namespace ${s.namespace} in ${s.where}: it still holds ServiceAccount ${s.serviceAccounts.join(', ')} of another join`;
    case 'warning':
      return `warning: ${s.message}`;
  }
}

export function printLines(lines: readonly string[]): void {
  for (const line of lines) process.stdout.write(`${line}\n`);
}
