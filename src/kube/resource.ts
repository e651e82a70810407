// Identifying an API resource and building its REST paths. ResourceRef itself is defined in
// src/api/meta.ts, beside the resource constants of every API group.
import type { ResourceRef } from '../api/meta.js';

export type { ResourceRef };

export function apiVersionOf(ref: Pick<ResourceRef, 'group' | 'version'>): string {
  return ref.group === '' ? ref.version : `${ref.group}/${ref.version}`;
}

export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

/**
 * Path of a collection or object. A namespaced resource without a namespace addresses
 * the all-namespaces collection (list and watch only).
 */
export function resourcePath(ref: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
  let path = groupVersionPath(ref.group, ref.version);
  if (ref.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${ref.resource}`;
  if (name !== undefined) {
    if (name === '') throw new Error(`${ref.resource}: empty object name`);
    if (ref.namespaced && !namespace) throw new Error(`${ref.resource}/${name}: namespace required for a namespaced resource`);
    path += `/${encodeURIComponent(name)}`;
    if (subresource) path += `/${subresource}`;
  }
  return path;
}

/** `group/version/resource` for logs and metric-free identification. */
export function resourceId(ref: ResourceRef): string {
  return `${ref.group || 'core'}/${ref.version}/${ref.resource}`;
}

/** Splits `apps/v1` into group and version; `v1` is the core group. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Cache key of an object: `ns/name`, or `name` when cluster-scoped. */
export function objectKey(obj: { metadata: { namespace?: string | undefined; name?: string | undefined } }): string {
  const name = obj.metadata.name ?? '';
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${name}` : name;
}

export function splitObjectKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
