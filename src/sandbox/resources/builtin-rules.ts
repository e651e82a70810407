// Defaulting and validation of built-in kinds: the part of kube-apiserver's
// per-kind strategies that clients can observe.
import type { KubeObject } from '../../api/meta.js';
import { matchLabelSelector } from '../store/selectors.js';
import type { FieldProblem } from './crd-schema.js';

type Obj = Record<string, any>;

export interface Allocators {
  clusterIP(): string;
  nodePort(): number;
}

function defaultContainers(list: Obj[] | undefined): void {
  for (const c of list ?? []) {
    const image = String(c.image ?? '');
    const tag = image.includes('@') ? 'digest' : image.split('/').pop()!.split(':')[1];
    c.imagePullPolicy ??= tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
    for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  }
}

function defaultPodTemplate(t: Obj | undefined): void {
  if (!t) return;
  t.metadata ??= {};
  const spec = (t.spec ??= {});
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  defaultContainers(spec.containers);
  defaultContainers(spec.initContainers);
}

/** Fill defaults on create (and on update, with `old` for allocated values). */
export function defaultBuiltin(kind: string, obj: KubeObject, alloc: Allocators, old?: KubeObject): void {
  const o = obj as Obj;
  switch (kind) {
    case 'Namespace':
      o.spec ??= {};
      o.spec.finalizers ??= ['kubernetes'];
      o.status ??= { phase: 'Active' };
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
      break;
    case 'Service': {
      const spec = (o.spec ??= {});
      const prev = (old as Obj | undefined)?.spec;
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      for (const p of spec.ports ?? []) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
        if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
          const before = (prev?.ports ?? []).find((q: Obj) => q.port === p.port && (q.protocol ?? 'TCP') === p.protocol);
          p.nodePort ??= before?.nodePort ?? alloc.nodePort();
        }
      }
      if (spec.type !== 'ExternalName') {
        // An update that leaves allocated values unset keeps the old ones, as since Kubernetes 1.20.
        spec.clusterIP ??= prev?.clusterIP ?? alloc.clusterIP();
        if (spec.clusterIP === '') spec.clusterIP = prev?.clusterIP ?? alloc.clusterIP();
        spec.clusterIPs ??= prev?.clusterIPs ?? [spec.clusterIP];
        spec.ipFamilies ??= prev?.ipFamilies ?? ['IPv4'];
        spec.ipFamilyPolicy ??= prev?.ipFamilyPolicy ?? 'SingleStack';
        spec.internalTrafficPolicy ??= 'Cluster';
      }
      if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
      if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
      o.status ??= { loadBalancer: {} };
      break;
    }
    case 'Deployment':
    case 'ReplicaSet': {
      const spec = (o.spec ??= {});
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      if (kind === 'Deployment') {
        spec.progressDeadlineSeconds ??= 600;
        spec.strategy ??= {};
        spec.strategy.type ??= 'RollingUpdate';
        if (spec.strategy.type === 'RollingUpdate') spec.strategy.rollingUpdate = { maxUnavailable: '25%', maxSurge: '25%', ...(spec.strategy.rollingUpdate ?? {}) };
      }
      defaultPodTemplate(spec.template);
      break;
    }
    case 'Job': {
      const spec = (o.spec ??= {});
      spec.completions ??= 1;
      spec.parallelism ??= 1;
      spec.backoffLimit ??= 6;
      defaultPodTemplate(spec.template);
      if (spec.template?.spec) spec.template.spec.restartPolicy = spec.template.spec.restartPolicy === 'Always' ? 'Never' : spec.template.spec.restartPolicy;
      break;
    }
    case 'Pod':
      defaultPodTemplate({ spec: (o.spec ??= {}) });
      break;
    case 'Secret': {
      o.type ??= 'Opaque';
      if (o.stringData) {
        o.data ??= {};
        for (const [k, v] of Object.entries(o.stringData as Record<string, string>)) o.data[k] = Buffer.from(String(v)).toString('base64');
        delete o.stringData;
      }
      break;
    }
    default:
      break;
  }
}

function req(problems: FieldProblem[], cond: boolean, field: string): void {
  if (!cond) problems.push({ field, message: 'Required value', reason: 'FieldValueRequired' });
}

function validateContainers(problems: FieldProblem[], list: unknown, path: string): void {
  if (!Array.isArray(list) || list.length === 0) {
    problems.push({ field: path, message: 'Required value', reason: 'FieldValueRequired' });
    return;
  }
  list.forEach((c: Obj, i) => {
    req(problems, typeof c?.name === 'string' && c.name !== '', `${path}[${i}].name`);
    req(problems, typeof c?.image === 'string' && c.image !== '', `${path}[${i}].image`);
  });
}

/** A ConfigMap or Secret marked `immutable: true` keeps its data and the mark (as ValidateConfigMapUpdate says). */
function immutableData(p: FieldProblem[], o: Obj, old: Obj | undefined, fields: string[]): void {
  if (old?.immutable !== true) return;
  const message = 'Forbidden: field is immutable when `immutable` is set';
  if (o.immutable !== true) p.push({ field: 'immutable', message, reason: 'FieldValueForbidden' });
  for (const f of fields) if (JSON.stringify(sortKeys(o[f])) !== JSON.stringify(sortKeys(old[f]))) p.push({ field: f, message, reason: 'FieldValueForbidden' });
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sortDeep(x)]));
  return v;
}

function sortKeys(m: unknown): unknown {
  return m && typeof m === 'object' ? Object.fromEntries(Object.entries(m).sort(([a], [b]) => a.localeCompare(b))) : m;
}

/** ConfigMaps and Secrets hold at most 1 MiB of data (core validation's MaxSecretSize). */
const MAX_DATA_BYTES = 1024 * 1024;
/** All annotations of an object together: keys and values (ValidateAnnotationsSize). */
const MAX_ANNOTATION_BYTES = 256 * 1024;

/** Whether strings of these lengths could be over `limit` bytes (a UTF-16 unit is at most 3 UTF-8 bytes). */
function mayExceed(values: unknown[], limit: number): boolean {
  let chars = 0;
  for (const v of values) if (typeof v === 'string') chars += v.length;
  return chars * 3 > limit;
}

/** UTF-8 bytes of the strings (base64-decoded bytes with `base64`). */
function byteSize(values: unknown[], base64 = false): number {
  let bytes = 0;
  for (const v of values) if (typeof v === 'string') bytes += base64 ? Buffer.from(v, 'base64').length : Buffer.byteLength(v);
  return bytes;
}

function tooLong(field: string, limit: number): FieldProblem {
  return { field, message: `Too long: may not be more than ${limit} bytes`, reason: 'FieldValueTooLong' };
}

/** Annotation size, checked for every kind (custom resources included). */
export function annotationProblems(annotations: Record<string, unknown> | undefined): FieldProblem[] {
  if (!annotations) return [];
  const parts = Object.entries(annotations).flat();
  return mayExceed(parts, MAX_ANNOTATION_BYTES) && byteSize(parts) > MAX_ANNOTATION_BYTES ? [tooLong('metadata.annotations', MAX_ANNOTATION_BYTES)] : [];
}

export function validateBuiltin(kind: string, obj: KubeObject, old?: KubeObject): FieldProblem[] {
  const o = obj as Obj;
  const p: FieldProblem[] = [];
  switch (kind) {
    case 'Deployment':
    case 'ReplicaSet': {
      const sel = o.spec?.selector;
      req(p, !!sel && (Object.keys(sel.matchLabels ?? {}).length > 0 || (sel.matchExpressions ?? []).length > 0), 'spec.selector');
      if (sel && !matchLabelSelector(sel, o.spec?.template?.metadata?.labels)) {
        p.push({ field: 'spec.template.metadata.labels', message: `Invalid value: ${JSON.stringify(o.spec?.template?.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\``, reason: 'FieldValueInvalid' });
      }
      validateContainers(p, o.spec?.template?.spec?.containers, 'spec.template.spec.containers');
      if (typeof o.spec?.replicas === 'number' && o.spec.replicas < 0) p.push({ field: 'spec.replicas', message: `Invalid value: ${o.spec.replicas}: must be greater than or equal to 0`, reason: 'FieldValueInvalid' });
      if (old && JSON.stringify((old as Obj).spec?.selector) !== JSON.stringify(sel)) p.push({ field: 'spec.selector', message: 'Invalid value: field is immutable', reason: 'FieldValueInvalid' });
      break;
    }
    case 'Service': {
      const type = o.spec?.type;
      if (!['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(type)) p.push({ field: 'spec.type', message: `Unsupported value: "${type}"`, reason: 'FieldValueNotSupported' });
      if (type !== 'ExternalName' && o.spec?.clusterIP !== 'None') req(p, Array.isArray(o.spec?.ports) && o.spec.ports.length > 0, 'spec.ports');
      (o.spec?.ports ?? []).forEach((port: Obj, i: number) => {
        if (typeof port.port !== 'number' || port.port < 1 || port.port > 65535) p.push({ field: `spec.ports[${i}].port`, message: `Invalid value: ${port.port}: must be between 1 and 65535, inclusive`, reason: 'FieldValueInvalid' });
      });
      if (old && (old as Obj).spec?.clusterIP && o.spec?.clusterIP !== (old as Obj).spec.clusterIP && (old as Obj).spec.type !== 'ExternalName' && type !== 'ExternalName') {
        p.push({ field: 'spec.clusterIPs[0]', message: 'Invalid value: field is immutable', reason: 'FieldValueInvalid' });
      }
      break;
    }
    case 'Pod':
      validateContainers(p, o.spec?.containers, 'spec.containers');
      break;
    case 'EndpointSlice':
      req(p, typeof o.addressType === 'string', 'addressType');
      break;
    case 'Role':
      ((o.rules ?? []) as Obj[]).forEach((r, i) => {
        if (Array.isArray(r?.nonResourceURLs) && r.nonResourceURLs.length > 0) {
          p.push({ field: `rules[${i}].nonResourceURLs`, message: `Invalid value: ${JSON.stringify(r.nonResourceURLs)}: namespaced rules cannot apply to non-resource URLs`, reason: 'FieldValueInvalid' });
        }
      });
      break;
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      req(p, !!o.roleRef?.name && !!o.roleRef?.kind, 'roleRef');
      if (old && JSON.stringify((old as Obj).roleRef) !== JSON.stringify(o.roleRef)) p.push({ field: 'roleRef', message: 'Invalid value: cannot change roleRef', reason: 'FieldValueInvalid' });
      break;
    case 'ConfigMap': {
      immutableData(p, o, old as Obj | undefined, ['data', 'binaryData']);
      const data = Object.values((o.data ?? {}) as Obj);
      const binary = Object.values((o.binaryData ?? {}) as Obj);
      // ValidateConfigMap's total names no field
      if (mayExceed([...data, ...binary], MAX_DATA_BYTES) && byteSize(data) + byteSize(binary, true) > MAX_DATA_BYTES) p.push(tooLong('[]', MAX_DATA_BYTES));
      break;
    }
    case 'Job': {
      validateContainers(p, o.spec?.template?.spec?.containers, 'spec.template.spec.containers');
      const prev = (old as Obj | undefined)?.spec;
      // a Job's selector, and its template unless it is suspended, are fixed once created
      if (prev && JSON.stringify(sortDeep(prev.selector)) !== JSON.stringify(sortDeep(o.spec?.selector))) p.push({ field: 'spec.selector', message: 'Invalid value: field is immutable', reason: 'FieldValueInvalid' });
      if (prev && prev.suspend !== true && JSON.stringify(sortDeep(prev.template)) !== JSON.stringify(sortDeep(o.spec?.template))) {
        p.push({ field: 'spec.template', message: 'Invalid value: field is immutable', reason: 'FieldValueInvalid' });
      }
      break;
    }
    case 'Secret': {
      immutableData(p, o, old as Obj | undefined, ['data']);
      for (const [k, v] of Object.entries((o.data ?? {}) as Record<string, unknown>)) {
        if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) p.push({ field: `data[${k}]`, message: 'Invalid value: illegal base64 data', reason: 'FieldValueInvalid' });
      }
      if (old && (old as Obj).type !== o.type) p.push({ field: 'type', message: 'Invalid value: field is immutable', reason: 'FieldValueInvalid' });
      const data = Object.values((o.data ?? {}) as Obj);
      if (mayExceed(data, MAX_DATA_BYTES) && byteSize(data, true) > MAX_DATA_BYTES) p.push(tooLong('data', MAX_DATA_BYTES));
      break;
    }
    case 'CustomResourceDefinition': {
      const spec = o.spec ?? {};
      req(p, typeof spec.group === 'string' && spec.group !== '', 'spec.group');
      req(p, typeof spec.names?.plural === 'string', 'spec.names.plural');
      req(p, typeof spec.names?.kind === 'string', 'spec.names.kind');
      req(p, spec.scope === 'Namespaced' || spec.scope === 'Cluster', 'spec.scope');
      const versions = Array.isArray(spec.versions) ? spec.versions : [];
      req(p, versions.length > 0, 'spec.versions');
      if (versions.length > 0 && versions.filter((v: Obj) => v.storage === true).length !== 1) {
        p.push({ field: 'spec.versions', message: 'Invalid value: must have exactly one version marked as storage version', reason: 'FieldValueInvalid' });
      }
      if (spec.group && spec.names?.plural && o.metadata.name !== `${spec.names.plural}.${spec.group}`) {
        p.push({ field: 'metadata.name', message: `Invalid value: "${o.metadata.name}": must be spec.names.plural+"."+spec.group`, reason: 'FieldValueInvalid' });
      }
      break;
    }
    default:
      break;
  }
  return p;
}
