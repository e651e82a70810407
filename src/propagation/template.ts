// An existing object as a Federated<Kind> template: what a user wrote (spec/data/rules...,
// labels, annotations) stays; what the API server or member controllers filled in goes, so
// propagating it to another cluster neither fails (immutable allocated fields) nor fights a
// controller. Shared by `kfed federate` (src/kubefedctl) and the plain-resource controller
// (propagation/plain/).
import type { KubeObject } from '../api/meta.js';

const SERVER_METADATA = [
  'uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'ownerReferences', 'finalizers', 'generateName', 'namespace', 'name',
];
const DROPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision'];
const JOB_GENERATED_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid', 'job-name', 'batch.kubernetes.io/job-name'];

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The object as a template: server-populated metadata, status and member-allocated fields removed. */
export function templateFrom(obj: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata, status: _s, ...rest } = structuredClone(obj);
  const meta: Record<string, unknown> = { ...metadata };
  for (const key of SERVER_METADATA) delete meta[key];
  const annotations = { ...(metadata.annotations ?? {}) };
  for (const key of DROPPED_ANNOTATIONS) delete annotations[key];
  if (Object.keys(annotations).length > 0) meta.annotations = annotations;
  else delete meta.annotations;
  if (meta.labels && Object.keys(meta.labels).length === 0) delete meta.labels;
  const template: Record<string, unknown> = { ...(Object.keys(meta).length > 0 ? { metadata: meta } : {}), ...rest };
  const spec = record(template.spec);
  if (obj.apiVersion === 'v1' && obj.kind === 'Service' && spec) {
    for (const key of ['clusterIP', 'clusterIPs', 'healthCheckNodePort']) delete spec[key];
    if (Array.isArray(spec.ports)) spec.ports = (spec.ports as Record<string, unknown>[]).map(({ nodePort: _n, ...p }) => p);
  }
  if (obj.apiVersion === 'v1' && obj.kind === 'ServiceAccount') delete template.secrets;
  if (obj.apiVersion === 'batch/v1' && obj.kind === 'Job' && spec) {
    delete spec.selector;
    const podMeta = record(record(spec.template)?.metadata);
    const labels = record(podMeta?.labels);
    if (labels) for (const key of JOB_GENERATED_LABELS) delete labels[key];
  }
  return template;
}
