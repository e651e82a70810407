// Version tracking that survives a controller restart (Kubefed's PropagatedVersion).
//
// For each federated object kfed records, in a PropagatedVersion (namespaced) or
// ClusterPropagatedVersion named `<target-kind>-<name>`:
//   templateVersion   md5 of spec.template (canonical JSON)
//   overridesVersion  md5 of {"overrides": spec.overrides} (plus policy overrides if any)
//   clusterVersions[] per cluster: the member object's version right after kfed wrote it,
//                     `gen:<generation>` when the object has a generation, else `rv:<rv>`,
//                     and (kfed) the md5 of the operations applied to that cluster.
// A member whose recorded entry is still valid (same template hash, same override hash
// for that cluster) and whose current version equals the recorded one is up to date and
// is neither compared nor written. Generation-based versions do not move on metadata
// edits, so `memberIsCurrent` also checks the labels and annotations kfed sets.
import { createHash } from 'node:crypto';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import {
  CORE_ALPHA_API_VERSION,
  propagatedVersionName,
  type ClusterObjectVersion,
  type PropagatedVersion,
  type PropagatedVersionStatus,
} from '../../api/core.js';
import type { ClusterOverride, FederatedObject } from '../../api/federation.js';
import { fieldsEqual } from './field-compare.js';

/** JSON with object keys sorted at every level (Go's encoding/json order), so hashes are stable. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function md5Hex(value: unknown): string {
  return createHash('md5').update(canonicalJson(value)).digest('hex');
}

/** Kubefed's template version: '' when the object has no template. */
export function templateVersion(fed: FederatedObject): string {
  return fed.spec.template === undefined ? '' : md5Hex(fed.spec.template);
}

/**
 * Object-wide override version. With no policy overrides this is Kubefed's hash of
 * `{"overrides": spec.overrides}`; policy operations per cluster are folded in when present.
 */
export function overridesVersion(fed: FederatedObject, policyOpsByCluster?: Readonly<Record<string, readonly ClusterOverride[]>>): string {
  const base: Record<string, unknown> = { overrides: fed.spec.overrides ?? null };
  if (policyOpsByCluster && Object.keys(policyOpsByCluster).length > 0) base.policyOverrides = policyOpsByCluster;
  return md5Hex(base);
}

/** Hash of the operations that apply to one cluster (policy + own, in order). */
export function clusterOverridesVersion(ops: readonly ClusterOverride[]): string {
  return md5Hex(ops);
}

export interface DesiredHashes {
  templateVersion: string;
  overridesVersion: string;
  /** per cluster name: clusterOverridesVersion of its operations */
  clusterOverrides: Readonly<Record<string, string>>;
}

/** The version kfed records for a member object: `gen:N` when it has a generation, else `rv:X`. */
export function objectVersion(member: KubeObject): string {
  const gen = member.metadata.generation;
  return gen !== undefined && gen !== 0 ? `gen:${gen}` : `rv:${member.metadata.resourceVersion ?? ''}`;
}

function entryValid(status: PropagatedVersionStatus, entry: ClusterObjectVersion, hashes: DesiredHashes): boolean {
  if (status.templateVersion !== hashes.templateVersion) return false;
  if (entry.overridesVersion !== undefined) return entry.overridesVersion === hashes.clusterOverrides[entry.clusterName];
  return status.overridesVersion === hashes.overridesVersion;
}

/** Is the recorded version for `clusterName` still valid and equal to the member's current version? */
export function isUpToDate(record: PropagatedVersionStatus | undefined, hashes: DesiredHashes, clusterName: string, memberVersion: string): boolean {
  const entry = record?.clusterVersions?.find((v) => v.clusterName === clusterName);
  if (!record || !entry) return false;
  return entryValid(record, entry, hashes) && entry.version === memberVersion;
}

/**
 * isUpToDate plus, for generation-based versions (which metadata edits do not move), the
 * labels and annotations kfed sets must still be present on the member.
 */
export function memberIsCurrent(record: PropagatedVersionStatus | undefined, hashes: DesiredHashes, clusterName: string, desired: KubeObject, member: KubeObject): boolean {
  const version = objectVersion(member);
  if (!isUpToDate(record, hashes, clusterName, version)) return false;
  if (!version.startsWith('gen:')) return true;
  return fieldsEqual(desired.metadata.labels ?? {}, member.metadata.labels ?? {}) && fieldsEqual(desired.metadata.annotations ?? {}, member.metadata.annotations ?? {});
}

/** What a reconcile established about clusters it did not (successfully) write. */
export interface RecordEvidence {
  /** clusters now known to hold no member object (removal finished, or nothing was there) */
  cleared?: readonly string[];
  /** clusters where a create or update was attempted and failed (it may have applied all the same) */
  attempted?: readonly string[];
}

/**
 * The record after a reconcile. `written` maps cluster -> member version just observed or
 * written ('' = the object was deleted there). Still-valid entries of placed clusters not
 * in `written` are kept (Kubefed's updateClusterVersions). The record is also where a
 * deletion learns which members kfed ever wrote to, so an entry is dropped only once its
 * cluster is known to be clean (`written` '' or `evidence.cleared`): an entry that is no
 * longer valid (template changed, cluster unplaced while not Ready, a failed removal) is
 * kept with version '' (never up to date, so a placed cluster is rewritten), and a failed
 * write adds such an entry. Before, these were dropped, and deleting the object while
 * that member was unreachable left its member object behind for good (found by the soak).
 */
export function nextVersionRecord(
  previous: PropagatedVersionStatus | undefined,
  hashes: DesiredHashes,
  placedClusters: readonly string[],
  written: Readonly<Record<string, string>>,
  evidence: RecordEvidence = {},
): PropagatedVersionStatus {
  const placed = new Set(placedClusters);
  const cleared = new Set(evidence.cleared ?? []);
  const byCluster = new Map<string, ClusterObjectVersion>();
  for (const entry of previous?.clusterVersions ?? []) {
    if (entry.clusterName in written || cleared.has(entry.clusterName)) continue;
    if (placed.has(entry.clusterName) && entry.version !== '' && entryValid(previous!, entry, hashes)) {
      byCluster.set(entry.clusterName, { ...entry, overridesVersion: hashes.clusterOverrides[entry.clusterName] ?? entry.overridesVersion ?? '' });
    } else {
      byCluster.set(entry.clusterName, { clusterName: entry.clusterName, version: '' });
    }
  }
  for (const cluster of evidence.attempted ?? []) {
    if (!byCluster.has(cluster) && !(cluster in written) && !cleared.has(cluster)) byCluster.set(cluster, { clusterName: cluster, version: '' });
  }
  for (const [clusterName, version] of Object.entries(written)) {
    if (version === '') continue;
    const ov = hashes.clusterOverrides[clusterName];
    byCluster.set(clusterName, { clusterName, version, ...(ov !== undefined ? { overridesVersion: ov } : {}) });
  }
  const clusterVersions = [...byCluster.values()].sort((a, b) => (a.clusterName < b.clusterName ? -1 : a.clusterName > b.clusterName ? 1 : 0));
  return { templateVersion: hashes.templateVersion, overridesVersion: hashes.overridesVersion, ...(clusterVersions.length > 0 ? { clusterVersions } : {}) };
}

/** Equal records need no write. */
export function versionRecordsEqual(a: PropagatedVersionStatus | undefined, b: PropagatedVersionStatus | undefined): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

/**
 * The (Cluster)PropagatedVersion object holding `status` for a federated object, owned by
 * it so the garbage collector removes the record with the object.
 */
export function propagatedVersionFor(fed: FederatedObject, targetKind: string, status: PropagatedVersionStatus): PropagatedVersion {
  const namespaced = fed.metadata.namespace !== undefined && fed.metadata.namespace !== '';
  const owner: OwnerReference = { apiVersion: fed.apiVersion, kind: fed.kind, name: fed.metadata.name ?? '', uid: fed.metadata.uid ?? '' };
  return {
    apiVersion: CORE_ALPHA_API_VERSION,
    kind: namespaced ? 'PropagatedVersion' : 'ClusterPropagatedVersion',
    metadata: {
      name: propagatedVersionName(targetKind, fed.metadata.name ?? ''),
      ...(namespaced ? { namespace: fed.metadata.namespace } : {}),
      ownerReferences: [owner],
    },
    status,
  };
}
