// Cluster selection by label and by discovered location. A KubeFedCluster's discovered
// region (status.region) and zones (status.zones, from its Nodes) are selectable as if they
// were the labels `topology.kubernetes.io/region` and `topology.kubernetes.io/zone`; a label
// set on the KubeFedCluster itself wins over the discovered value.
//
// A cluster has one region but may span several zones, so the zone key has set semantics:
// `zone=a` / `In [a,b]` hold when one of the cluster's zones is listed, `NotIn [a]` when none
// is, `Exists` when it has any zone, `DoesNotExist` when it has none.
import type { LabelSelector, LabelSelectorRequirement } from '../../api/meta.js';
import { selectorError, selectorMatches } from '../../kube/label-selector.js';

export const REGION_KEY = 'topology.kubernetes.io/region';
export const ZONE_KEY = 'topology.kubernetes.io/zone';

/** What cluster selection reads of a joined cluster. */
export interface SelectableCluster {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** discovered (KubeFedCluster status.region) */
  region?: string | undefined;
  /** discovered (KubeFedCluster status.zones) */
  zones?: readonly string[] | undefined;
}

/** The labels a selector sees: the cluster's own, plus the discovered region where not set. */
export function selectionLabels(c: SelectableCluster): Readonly<Record<string, string>> {
  if (!c.region || c.labels[REGION_KEY] !== undefined) return c.labels;
  return { ...c.labels, [REGION_KEY]: c.region };
}

/** The zones a selector sees: the label's value when set, else the discovered zones. */
export function clusterZones(c: SelectableCluster): readonly string[] {
  const label = c.labels[ZONE_KEY];
  return label !== undefined ? [label] : c.zones ?? [];
}

function zoneRequirementHolds(req: LabelSelectorRequirement, zones: readonly string[]): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return zones.some((z) => values.includes(z));
    case 'NotIn':
      return !zones.some((z) => values.includes(z));
    case 'Exists':
      return zones.length > 0;
    case 'DoesNotExist':
      return zones.length === 0;
    default:
      return false;
  }
}

/**
 * Does `selector` select the cluster (label selector semantics: missing selects none, `{}` all,
 * invalid none)? Requirements on the zone key are evaluated against every zone of the cluster.
 */
export function clusterSelectorMatches(selector: LabelSelector | undefined, c: SelectableCluster): boolean {
  if (!selector || selectorError(selector) !== undefined) return false;
  const labels = selectionLabels(c);
  const zoneReqs: LabelSelectorRequirement[] = [];
  const rest: LabelSelector = {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (key === ZONE_KEY) zoneReqs.push({ key, operator: 'In', values: [value] });
    else (rest.matchLabels ??= {})[key] = value;
  }
  for (const req of selector.matchExpressions ?? []) {
    if (req.key === ZONE_KEY) zoneReqs.push(req);
    else (rest.matchExpressions ??= []).push(req);
  }
  if (!selectorMatches(rest, labels)) return false;
  const zones = clusterZones(c);
  return zoneReqs.every((req) => zoneRequirementHolds(req, zones));
}
