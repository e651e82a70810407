// The member object a federated object asks for in one cluster, and the rules that keep
// kfed from fighting member controllers over fields they own.
//
// desired = spec.template
//         + apiVersion/kind of the target type (always: the member informer watches that GVR)
//         + metadata.name (and namespace for namespaced targets) of the federated object
//         + the cluster's overrides (policies first, then the object's own)
//         + label kubefed.io/managed=true (added last so no override can drop it)
//
// Member-owned fields, never flagged as drift and kept on a PUT:
//   Service       spec.clusterIP(s), ipFamilies, ipFamilyPolicy, ports[].nodePort,
//                 healthCheckNodePort (allocated by the member API server)
//   ServiceAccount secrets (token controller), unless the template sets them
//   Job           spec.selector and the controller-uid labels of spec.template (generated)
//   any workload  spec.replicas when the federated object has retainReplicas: true (HPA)
//   metadata      annotations and finalizers set in the member are kept; labels follow the template
import type { KubeObject } from '../../api/meta.js';
import { apiVersionOf, type FederatedTypeConfig } from '../../api/core.js';
import { MANAGED_LABEL, MANAGED_LABEL_VALUE, type ClusterOverride, type FederatedObject } from '../../api/federation.js';
import { applyClusterOverrides, type OverrideOutcome } from '../policy/overrides.js';
import { fieldsEqual } from './field-compare.js';

export interface TargetTypeInfo {
  group?: string;
  version: string;
  kind: string;
  /** the target (not the federated type) is namespaced; false for Namespace, ClusterRole... */
  namespaced: boolean;
}

export function targetTypeInfo(ftc: FederatedTypeConfig): TargetTypeInfo {
  const t = ftc.spec.targetType;
  return { ...(t.group ? { group: t.group } : {}), version: t.version, kind: t.kind, namespaced: t.scope === 'Namespaced' };
}

export interface RetainOptions {
  /** the federated object's spec.retainReplicas */
  retainReplicas?: boolean;
}

// Set by the member API server; meaningless (or harmful) when copied into another cluster.
const SERVER_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences'];

export interface BaseObject {
  object: KubeObject;
  /** problems worth a Warning event on the federated object (e.g. FinalizersNotSupported) */
  warnings: string[];
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The template turned into an object of the target type, before overrides. */
export function baseObject(fed: FederatedObject, target: TargetTypeInfo): BaseObject {
  const template = structuredClone(asRecord(fed.spec.template) ?? {});
  const metadata = { ...(asRecord(template.metadata) ?? {}) };
  const warnings: string[] = [];
  for (const key of SERVER_METADATA) delete metadata[key];
  if (Array.isArray(metadata.finalizers) && metadata.finalizers.length > 0) {
    // As Kubefed: member controllers own finalizers; setting them from the template would fight them.
    warnings.push('metadata.finalizers cannot be set via template to avoid conflicting with controllers in member clusters; use an override');
  }
  delete metadata.finalizers;
  delete template.status;
  metadata.name = fed.metadata.name;
  if (target.namespaced && fed.metadata.namespace) metadata.namespace = fed.metadata.namespace;
  else delete metadata.namespace;
  const object = { ...template, apiVersion: apiVersionOf(target), kind: target.kind, metadata } as KubeObject;
  return { object, warnings };
}

export function withManagedLabel(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, [MANAGED_LABEL]: MANAGED_LABEL_VALUE } } };
}

/** Base object + the cluster's override operations + managed label. */
export function desiredObject(base: KubeObject, ops: readonly ClusterOverride[]): OverrideOutcome<KubeObject> {
  const patched = applyClusterOverrides(base, ops);
  if (!patched.ok) return patched;
  return { ok: true, value: withManagedLabel(patched.value) };
}

function isKind(obj: KubeObject, apiVersion: string, kind: string): boolean {
  return obj.apiVersion === apiVersion && obj.kind === kind;
}

function spec(obj: KubeObject): Record<string, unknown> | undefined {
  return asRecord(obj.spec);
}

function retainService(out: Record<string, unknown>, live: Record<string, unknown>): void {
  for (const key of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) {
    if (out[key] === undefined && live[key] !== undefined) out[key] = structuredClone(live[key]);
  }
  const type = (out.type as string | undefined) ?? 'ClusterIP';
  // Node ports exist only for NodePort/LoadBalancer; retaining them across a type change
  // to ClusterIP would make the update invalid (a Kubefed bug).
  if (type !== 'NodePort' && type !== 'LoadBalancer') return;
  if (type === 'LoadBalancer' && out.healthCheckNodePort === undefined && typeof live.healthCheckNodePort === 'number' && live.healthCheckNodePort > 0) {
    out.healthCheckNodePort = live.healthCheckNodePort;
  }
  const livePorts = Array.isArray(live.ports) ? (live.ports as Record<string, unknown>[]) : [];
  if (!Array.isArray(out.ports)) return;
  out.ports = (out.ports as Record<string, unknown>[]).map((port) => {
    if (port.nodePort !== undefined) return port;
    const match = livePorts.find((lp) => lp.name === port.name && (lp.protocol ?? 'TCP') === (port.protocol ?? 'TCP') && lp.port === port.port);
    return match?.nodePort !== undefined ? { ...port, nodePort: match.nodePort } : port;
  });
}

function retainJob(out: Record<string, unknown>, live: Record<string, unknown>): void {
  if (out.selector === undefined && live.selector !== undefined) out.selector = structuredClone(live.selector);
  const liveTemplate = asRecord(live.template);
  const liveLabels = asRecord(asRecord(liveTemplate?.metadata)?.labels);
  if (!liveLabels) return;
  const tmpl = { ...(asRecord(out.template) ?? {}) };
  const meta = { ...(asRecord(tmpl.metadata) ?? {}) };
  meta.labels = { ...liveLabels, ...(asRecord(meta.labels) ?? {}) };
  tmpl.metadata = meta;
  out.template = tmpl;
}

/** Copy the member-owned fields of `live` into a copy of `desired` (see the file comment). */
export function retainMemberFields(desired: KubeObject, live: KubeObject, opts: RetainOptions = {}): KubeObject {
  const out = structuredClone(desired);
  const outSpec = spec(out);
  const liveSpec = spec(live);
  if (outSpec && liveSpec) {
    if (isKind(out, 'v1', 'Service')) retainService(outSpec, liveSpec);
    if (isKind(out, 'batch/v1', 'Job')) retainJob(outSpec, liveSpec);
    if (opts.retainReplicas && typeof liveSpec.replicas === 'number') outSpec.replicas = liveSpec.replicas;
  }
  if (isKind(out, 'v1', 'ServiceAccount')) {
    const mine = out.secrets;
    if ((!Array.isArray(mine) || mine.length === 0) && Array.isArray(live.secrets) && live.secrets.length > 0) out.secrets = structuredClone(live.secrets);
  }
  return out;
}

/**
 * The body for a plain PUT of `desired` over `live`: member-owned fields retained, the
 * live resourceVersion (optimistic concurrency), live finalizers and ownerReferences, and
 * live annotations under the desired ones.
 */
export function mergeForUpdate(desired: KubeObject, live: KubeObject, opts: RetainOptions = {}): KubeObject {
  const out = retainMemberFields(desired, live, opts);
  const lm = live.metadata;
  const annotations = { ...lm.annotations, ...out.metadata.annotations };
  out.metadata = {
    ...out.metadata,
    ...(lm.resourceVersion !== undefined ? { resourceVersion: lm.resourceVersion } : {}),
    ...(lm.finalizers && lm.finalizers.length > 0 ? { finalizers: [...lm.finalizers] } : {}),
    ...(lm.ownerReferences && lm.ownerReferences.length > 0 ? { ownerReferences: structuredClone(lm.ownerReferences) } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
  return out;
}

/**
 * The body for a server-side apply under kfed's field manager: fields kfed must not own are
 * simply not sent (with retainReplicas, spec.replicas), so member controllers keep them.
 */
export function applyConfiguration(desired: KubeObject, opts: RetainOptions = {}): KubeObject {
  const out = structuredClone(desired);
  const s = spec(out);
  if (opts.retainReplicas && s) delete s.replicas;
  return out;
}

/** The API server folds Secret stringData into data (base64) and drops it; compare in that form. */
function foldStringData(obj: KubeObject): KubeObject {
  if (!isKind(obj, 'v1', 'Secret')) return obj;
  const stringData = asRecord(obj.stringData);
  if (!stringData) return obj;
  const data: Record<string, unknown> = { ...(asRecord(obj.data) ?? {}) };
  for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  const { stringData: _sd, ...rest } = obj;
  return { ...rest, data } as KubeObject;
}

/**
 * Drift check: does the member object differ from what kfed wants, in any field kfed sets?
 * Fields kfed does not set (server defaults, status, member-owned fields) never count.
 */
export function needsUpdate(desired: KubeObject, observed: KubeObject, opts: RetainOptions = {}): boolean {
  const want = foldStringData(retainMemberFields(desired, observed, opts));
  if (want.apiVersion !== observed.apiVersion || want.kind !== observed.kind) return true;
  if (want.metadata.name !== observed.metadata.name || (want.metadata.namespace ?? '') !== (observed.metadata.namespace ?? '')) return true;
  if (!fieldsEqual(want.metadata.labels ?? {}, observed.metadata.labels ?? {})) return true;
  if (!fieldsEqual(want.metadata.annotations ?? {}, observed.metadata.annotations ?? {})) return true;
  for (const [key, value] of Object.entries(want)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata' || key === 'status') continue;
    if (!fieldsEqual(value, observed[key], key)) return true;
  }
  return false;
}
