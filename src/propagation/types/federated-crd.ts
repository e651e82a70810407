// `kfed enable`'s pure core: from a target API resource (as discovery describes it) build
// the Federated<Kind> CRD and its FederatedTypeConfig, named as kubefedctl names them:
// CRD federated<plural>.types.kubefed.io, kind Federated<Kind>, short names f<short>,
// FTC `<plural>` (core group) or `<plural>.<group>`.
import type { KubeObject, ObjectMeta } from '../../api/meta.js';
import { CORE_API_VERSION, DEFAULT_KUBEFED_NAMESPACE, groupQualifiedName, type APIResource, type FederatedTypeConfig } from '../../api/core.js';
import { TYPES_GROUP, TYPES_VERSION } from '../../api/federation.js';

/** A target type as discovery reports it. */
export interface TargetAPIResource {
  /** '' for the core group */
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  namespaced: boolean;
  /** spec.replicas exists (discovery shows a `<plural>/scale` subresource); adds retainReplicas */
  hasReplicas: boolean;
}

export interface FederatedTypeOptions {
  federatedGroup?: string;
  federatedVersion?: string;
  /** FTC statusCollection: Enabled (member status copied into status.clusters[].remoteStatus) */
  statusCollection?: boolean;
  /** spec.template's schema (the target's own, see template-schema.ts); default: open (preserve unknown fields). */
  templateSchema?: JSONSchemaProps | undefined;
}

export interface JSONSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  pattern?: string;
  enum?: string[];
  required?: string[];
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps;
  items?: JSONSchemaProps;
  nullable?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date' | 'number' | 'boolean';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface CustomResourceDefinition extends KubeObject {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: ObjectMeta;
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames?: string[] };
    scope: 'Namespaced' | 'Cluster';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status?: Record<string, never> };
      additionalPrinterColumns?: PrinterColumn[];
      schema: { openAPIV3Schema: JSONSchemaProps };
    }[];
  };
}

/** The Namespace target is the one whose federated type is namespaced although it is not. */
function isNamespaceTarget(t: TargetAPIResource): boolean {
  return t.group === '' && t.plural === 'namespaces';
}

/** The federated type (FTC spec.federatedType) for a target. */
export function federatedTypeFor(target: TargetAPIResource, opts: FederatedTypeOptions = {}): APIResource {
  return {
    group: opts.federatedGroup ?? TYPES_GROUP,
    version: opts.federatedVersion ?? TYPES_VERSION,
    kind: `Federated${target.kind}`,
    pluralName: `federated${target.plural}`,
    scope: target.namespaced || isNamespaceTarget(target) ? 'Namespaced' : 'Cluster',
  };
}

export function federatedTypeConfigFor(target: TargetAPIResource, opts: FederatedTypeOptions & { namespace?: string } = {}): FederatedTypeConfig {
  const targetType: APIResource = {
    ...(target.group ? { group: target.group } : {}),
    version: target.version,
    kind: target.kind,
    pluralName: target.plural,
    scope: target.namespaced ? 'Namespaced' : 'Cluster',
  };
  return {
    apiVersion: CORE_API_VERSION,
    kind: 'FederatedTypeConfig',
    metadata: { name: groupQualifiedName(targetType), namespace: opts.namespace ?? DEFAULT_KUBEFED_NAMESPACE },
    spec: {
      federatedType: federatedTypeFor(target, opts),
      propagation: 'Enabled',
      targetType,
      ...(opts.statusCollection ? { statusCollection: 'Enabled' as const } : {}),
    },
  };
}

const str: JSONSchemaProps = { type: 'string' };
const int64: JSONSchemaProps = { type: 'integer', format: 'int64' };
const preserve: JSONSchemaProps = { 'x-kubernetes-preserve-unknown-fields': true };

const labelSelector: JSONSchemaProps = {
  type: 'object',
  properties: {
    matchLabels: { type: 'object', additionalProperties: str },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'operator'],
        properties: { key: str, operator: { type: 'string', enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }, values: { type: 'array', items: str } },
      },
    },
  },
};

function specSchema(target: TargetAPIResource, template: JSONSchemaProps | undefined): JSONSchemaProps {
  const description = `The ${target.kind} to create in each placed cluster.`;
  return {
    type: 'object',
    properties: {
      template: template ? { ...template, description } : { type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true },
      placement: {
        type: 'object',
        description: 'clusters (even empty) wins over clusterSelector; no selector selects no cluster, {} selects all.',
        properties: {
          clusters: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: str } } },
          clusterSelector: labelSelector,
        },
      },
      overrides: {
        type: 'array',
        items: {
          type: 'object',
          required: ['clusterName'],
          properties: {
            clusterName: str,
            clusterOverrides: {
              type: 'array',
              items: {
                type: 'object',
                required: ['path'],
                properties: { op: { type: 'string', pattern: '^(add|remove|replace)?$' }, path: str, value: preserve },
              },
            },
          },
        },
      },
      ...(target.hasReplicas ? { retainReplicas: { type: 'boolean' as const, description: 'Keep spec.replicas as set in each member (e.g. by an HPA).' } } : {}),
    },
  };
}

function statusSchema(target: TargetAPIResource): JSONSchemaProps {
  const aggregated: Record<string, JSONSchemaProps> = { readyClusters: int64, totalClusters: int64, ready: str };
  if (target.hasReplicas) Object.assign(aggregated, { replicas: int64, readyReplicas: int64, availableReplicas: int64, updatedReplicas: int64 });
  return {
    type: 'object',
    properties: {
      observedGeneration: int64,
      conditions: {
        type: 'array',
        items: {
          type: 'object',
          required: ['type', 'status'],
          properties: {
            type: str, status: str, reason: str, message: str,
            lastUpdateTime: { type: 'string', format: 'date-time' },
            lastTransitionTime: { type: 'string', format: 'date-time' },
          },
        },
      },
      clusters: {
        type: 'array',
        items: { type: 'object', required: ['name'], properties: { name: str, status: str, message: str, remoteStatus: preserve } },
      },
      aggregated: { type: 'object', required: ['readyClusters', 'totalClusters', 'ready'], properties: aggregated },
    },
  };
}

function printerColumns(target: TargetAPIResource): PrinterColumn[] {
  const cols: PrinterColumn[] = [{ name: 'ready', type: 'string', jsonPath: '.status.aggregated.ready', description: 'Placed clusters that are propagated (and ready)' }];
  if (target.hasReplicas) {
    cols.push({ name: 'replicas', type: 'integer', jsonPath: '.status.aggregated.replicas', description: 'Replicas across clusters' });
    cols.push({ name: 'available', type: 'integer', jsonPath: '.status.aggregated.availableReplicas', description: 'Available replicas across clusters' });
  }
  cols.push({ name: 'propagation', type: 'string', jsonPath: ".status.conditions[?(@.type=='Propagation')].status" });
  cols.push({ name: 'age', type: 'date', jsonPath: '.metadata.creationTimestamp' });
  return cols;
}

/** The Federated<Kind> CRD (apiextensions.k8s.io/v1, structural schema, status subresource). */
export function federatedTypeCRD(target: TargetAPIResource, opts: FederatedTypeOptions = {}): CustomResourceDefinition {
  const fed = federatedTypeFor(target, opts);
  const shortNames = target.shortNames.map((s) => `f${s}`);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${fed.pluralName}.${fed.group}` },
    spec: {
      group: fed.group ?? TYPES_GROUP,
      names: {
        kind: fed.kind,
        listKind: `${fed.kind}List`,
        plural: fed.pluralName,
        singular: `federated${target.singular}`,
        ...(shortNames.length > 0 ? { shortNames } : {}),
      },
      scope: fed.scope,
      versions: [
        {
          name: fed.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: printerColumns(target),
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: ['spec'],
              // metadata is not declared: the API server always treats it as ObjectMeta, and a
              // bare `metadata: {type: object}` makes the sandbox prune name and namespace.
              properties: { apiVersion: str, kind: str, spec: specSchema(target, opts.templateSchema), status: statusSchema(target) },
            },
          },
        },
      ],
    },
  };
}

/**
 * Does `key` name this resource the way kubefedctl accepts it: kind, plural, singular, a
 * short name or `plural.group` (case-insensitive)?
 */
export function nameMatchesResource(key: string, r: TargetAPIResource): boolean {
  const k = key.toLowerCase();
  return k === r.plural || k === r.singular || k === r.kind.toLowerCase() || (r.group !== '' && k === `${r.plural}.${r.group}`) || r.shortNames.some((s) => s.toLowerCase() === k);
}

/** Resolve a user's TYPE argument against discovery; ambiguity is an error as in kubefedctl. */
export function resolveTargetResource(key: string, resources: readonly TargetAPIResource[]): TargetAPIResource {
  const matches = resources.filter((r) => nameMatchesResource(key, r));
  const names = [...new Set(matches.map((r) => groupQualifiedName({ pluralName: r.plural, group: r.group })))];
  if (names.length > 1) throw new Error(`multiple resources are matched by ${JSON.stringify(key)}: ${names.join(', ')}; a group-qualified plural name must be provided`);
  const found = matches[0];
  if (!found) throw new Error(`unable to find api resource named ${JSON.stringify(key)}`);
  return found;
}
