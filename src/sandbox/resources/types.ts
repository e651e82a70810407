// What the sandbox API server knows about each resource it serves.

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceDef {
  group: string; // '' for core
  /** every served version; the first entry of `versions` that is `storage` holds the stored form */
  versions: string[];
  storageVersion: string;
  /** versions hidden from discovery's preferred version ordering are still served */
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  verbs: Verb[];
  /** has a `status` subresource; main-resource writes then ignore status and vice versa */
  statusSubresource: boolean;
  /** has a `scale` subresource: paths into the object */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  /** server-side table columns after NAME (AGE is implicit for built-ins) */
  columns?: PrinterColumn[];
  /** defined by a CustomResourceDefinition */
  crd?: {
    name: string;
    /** openAPIV3Schema per version */
    schemas: Record<string, unknown>;
    columnsByVersion: Record<string, PrinterColumn[]>;
  };
  /** names must be DNS-1035 labels (services, namespaces) instead of DNS-1123 subdomains */
  nameRule: 'subdomain' | 'label' | 'label1035' | 'path';
  /** only readable, like componentstatuses; writes are refused */
  readOnly?: boolean;
  /** virtual resources that only support create (reviews) */
  createOnly?: boolean;
}

export const ALL_VERBS: Verb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

export function gvString(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

export function resourceKey(group: string, plural: string): string {
  return group === '' ? plural : `${plural}.${group}`;
}
