// Spread constraints of a PropagationPolicy (Karmada's spreadByField region|zone with
// minGroups/maxGroups) over the clusters its placement selected. Groups are the clusters'
// regions or zones as cluster selection sees them (cluster-match.ts). maxGroups keeps the
// groups with the most selected clusters (ties: group name); fewer groups than minGroups is
// a placement failure, reported as ComputePlacementFailed and nothing is changed.
import type { SpreadConstraint } from '../../api/federation.js';
import { REGION_KEY, clusterZones, selectionLabels, type SelectableCluster } from './cluster-match.js';

function groupsOf(c: SelectableCluster, by: SpreadConstraint['spreadByField']): readonly string[] {
  if (by === 'region') {
    const r = selectionLabels(c)[REGION_KEY];
    return r ? [r] : [];
  }
  return clusterZones(c);
}

/** Why the constraints are invalid, or undefined. */
export function spreadError(constraints: readonly SpreadConstraint[]): string | undefined {
  for (const [i, s] of constraints.entries()) {
    if (s.spreadByField !== 'region' && s.spreadByField !== 'zone') return `spreadConstraints[${i}]: spreadByField must be region or zone`;
    if (s.minGroups !== undefined && s.maxGroups !== undefined && s.minGroups > s.maxGroups) return `spreadConstraints[${i}]: minGroups ${s.minGroups} exceeds maxGroups ${s.maxGroups}`;
  }
  return undefined;
}

/** The selected clusters after every constraint, or an error text. */
export function applySpread<C extends SelectableCluster>(selected: readonly C[], constraints: readonly SpreadConstraint[]): { ok: true; clusters: C[] } | { ok: false; message: string } {
  const invalid = spreadError(constraints);
  if (invalid) return { ok: false, message: invalid };
  let kept = [...selected];
  for (const s of constraints) {
    const members = new Map<string, C[]>();
    for (const c of kept) for (const g of groupsOf(c, s.spreadByField)) members.set(g, [...(members.get(g) ?? []), c]);
    if (s.minGroups !== undefined && members.size < s.minGroups) {
      return { ok: false, message: `spread constraint: the selected clusters span ${members.size} ${s.spreadByField}(s) (${[...members.keys()].sort().join(', ') || 'none'}), fewer than minGroups ${s.minGroups}` };
    }
    if (s.maxGroups !== undefined && members.size > s.maxGroups) {
      const chosen = [...members].sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : 1)).slice(0, s.maxGroups);
      const keep = new Set(chosen.flatMap(([, cs]) => cs));
      // A cluster in several zones stays when one of its zones is chosen.
      kept = kept.filter((c) => keep.has(c));
    }
  }
  return { ok: true, clusters: kept };
}
