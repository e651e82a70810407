// Merge metadata of the built-in kinds the sandbox serves, transcribed from
// the `patchStrategy`/`patchMergeKey` tags and `+listType`/`+listMapKey`/
// `+structType`/`+mapType` markers of k8s.io/api. Only fields whose merge
// behaviour differs from the defaults (lists replace/atomic, maps granular)
// are listed.
import type { FieldMeta } from './patch-meta.js';
import { mergeFieldMeta } from './patch-meta.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export function gvkKey(gvk: GroupVersionKind): string {
  return gvk.group === '' ? `${gvk.version}/${gvk.kind}` : `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

const MAP: FieldMeta = { map: true };

function mergeList(key: string, listMapKeys: readonly string[] = [key], extra: FieldMeta = {}): FieldMeta {
  return { patchStrategies: ['merge'], patchMergeKey: key, listType: 'map', listMapKeys, ...extra };
}

const conditions = mergeList('type');

export const OBJECT_META: FieldMeta = {
  fields: {
    labels: MAP,
    annotations: MAP,
    finalizers: { patchStrategies: ['merge'], listType: 'set' },
    ownerReferences: mergeList('uid', ['uid'], { items: { atomic: true } }),
    managedFields: { listType: 'atomic' },
  },
};

const container: FieldMeta = {
  fields: {
    ports: mergeList('containerPort', ['containerPort', 'protocol'], { keyDefaults: { protocol: 'TCP' } }),
    env: mergeList('name'),
    volumeMounts: mergeList('mountPath'),
    volumeDevices: mergeList('devicePath'),
    resources: {
      implicit: true,
      fields: { limits: MAP, requests: MAP, claims: { listType: 'map', listMapKeys: ['name'] } },
    },
  },
};

const podSpec: FieldMeta = {
  fields: {
    volumes: { ...mergeList('name'), patchStrategies: ['merge', 'retainKeys'] },
    initContainers: mergeList('name', ['name'], { items: container }),
    // `json:"containers"` has no omitempty: the typed object always has the list.
    containers: mergeList('name', ['name'], { items: container, implicit: true }),
    ephemeralContainers: mergeList('name', ['name'], { items: container }),
    imagePullSecrets: mergeList('name', ['name'], { items: { atomic: true } }),
    hostAliases: mergeList('ip'),
    topologySpreadConstraints: mergeList('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    schedulingGates: mergeList('name'),
    resourceClaims: { ...mergeList('name'), patchStrategies: ['merge', 'retainKeys'] },
    nodeSelector: { map: true, atomic: true },
    overhead: MAP,
  },
};

const podTemplateSpec: FieldMeta = {
  implicit: true,
  fields: {
    metadata: { ...OBJECT_META, implicit: true },
    spec: { ...podSpec, implicit: true },
  },
};

const labelSelector: FieldMeta = { atomic: true, fields: { matchLabels: MAP } };

function kind(spec?: FieldMeta, status?: FieldMeta, extra?: Record<string, FieldMeta>): FieldMeta {
  const fields: Record<string, FieldMeta> = { metadata: { ...OBJECT_META, implicit: true }, ...(extra ?? {}) };
  if (spec !== undefined) fields['spec'] = { ...spec, implicit: true };
  if (status !== undefined) fields['status'] = { ...status, implicit: true };
  return { fields };
}

const loadBalancerStatus: FieldMeta = { implicit: true, fields: { ingress: { listType: 'atomic' } } };

const workloadStatus: FieldMeta = { fields: { conditions } };

const deployment = kind(
  {
    fields: {
      selector: labelSelector,
      template: podTemplateSpec,
      strategy: { implicit: true, patchStrategies: ['retainKeys'] },
    },
  },
  workloadStatus,
);

const replicaSet = kind({ fields: { selector: labelSelector, template: podTemplateSpec } }, workloadStatus);

const pod = kind(podSpec, {
  fields: {
    conditions,
    podIPs: mergeList('ip'),
    hostIPs: mergeList('ip'),
    containerStatuses: { listType: 'atomic' },
  },
});

const service = kind(
  {
    fields: {
      ports: mergeList('port', ['port', 'protocol'], { keyDefaults: { protocol: 'TCP' } }),
      selector: { map: true, atomic: true },
    },
  },
  { fields: { conditions, loadBalancer: loadBalancerStatus } },
);

const node = kind(
  { fields: { podCIDRs: { patchStrategies: ['merge'], listType: 'set' } } },
  {
    fields: {
      conditions,
      addresses: mergeList('type'),
      capacity: MAP,
      allocatable: MAP,
    },
  },
);

const dataKind = (): FieldMeta => kind(undefined, undefined, { data: MAP, binaryData: MAP, stringData: MAP });

const ingress = kind({ fields: {} }, { fields: { loadBalancer: loadBalancerStatus } });

const crd = kind(
  { fields: { names: { implicit: true }, versions: { listType: 'atomic' } } },
  { fields: { conditions: { listType: 'map', listMapKeys: ['type'] }, acceptedNames: { implicit: true } } },
);

const TABLE: Readonly<Record<string, FieldMeta>> = {
  'v1/Pod': pod,
  'v1/Namespace': kind({}, { fields: { conditions } }),
  'v1/Service': service,
  'v1/Endpoints': kind(),
  'v1/Secret': dataKind(),
  'v1/ConfigMap': dataKind(),
  'v1/ServiceAccount': kind(undefined, undefined, { secrets: mergeList('name', ['name'], { items: { atomic: true } }) }),
  'v1/Node': node,
  'v1/Event': kind(),
  'apps/v1/Deployment': deployment,
  'apps/v1/ReplicaSet': replicaSet,
  'networking.k8s.io/v1/Ingress': ingress,
  'discovery.k8s.io/v1/EndpointSlice': kind(),
  'coordination.k8s.io/v1/Lease': kind({}),
  'rbac.authorization.k8s.io/v1/Role': kind(),
  'rbac.authorization.k8s.io/v1/ClusterRole': kind(),
  'rbac.authorization.k8s.io/v1/RoleBinding': kind(undefined, undefined, { roleRef: { implicit: true } }),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': kind(undefined, undefined, { roleRef: { implicit: true } }),
  'apiextensions.k8s.io/v1/CustomResourceDefinition': crd,
};

/** Metadata of a built-in kind, or undefined when the table does not know it. */
export function builtinFieldMeta(gvk: GroupVersionKind): FieldMeta | undefined {
  return TABLE[gvkKey(gvk)];
}

/**
 * Metadata for a custom resource: ObjectMeta is always known; the rest comes
 * from the CRD's schema when the caller has it.
 */
export function customResourceFieldMeta(schemaMeta?: FieldMeta): FieldMeta {
  return mergeFieldMeta({ fields: { metadata: OBJECT_META } }, schemaMeta);
}

/** Every kind the table describes, for tests and discovery checks. */
export function builtinKinds(): string[] {
  return Object.keys(TABLE);
}
