// The target type's schema for a Federated<Kind>'s spec.template, read from the host's
// OpenAPI v3 document of the target's group and version (/openapi/v3 lists one path per
// group-version; kube-apiserver includes CRD-defined kinds). Anything that keeps the
// schema from being read (an old server, a kind the document does not describe, a
// schema too large for a CRD) leaves the template open, with the reason, as before.
import type { ClusterClient } from '../kube/cluster-client.js';
import type { JSONSchemaProps, TargetAPIResource } from '../propagation/types/federated-crd.js';
import { templateSchema, type OpenAPIComponents } from '../propagation/types/template-schema.js';

export interface TargetSchema {
  schema?: JSONSchemaProps;
  /** Why the template stays open, when it does. */
  reason?: string;
}

interface V3Index {
  paths?: Record<string, { serverRelativeURL?: string }>;
}

/** Reads the template schema for `target` from the host; never throws for a missing schema. */
export async function fetchTemplateSchema(host: ClusterClient, target: TargetAPIResource, signal?: AbortSignal): Promise<TargetSchema> {
  const key = target.group === '' ? `api/${target.version}` : `apis/${target.group}/${target.version}`;
  const sig = signal ? { signal } : {};
  let index: V3Index;
  try {
    index = await host.rest.request<V3Index>({ method: 'GET', path: '/openapi/v3', ...sig });
  } catch (err) {
    return { reason: `the host serves no OpenAPI v3 document (${(err as Error).message})` };
  }
  const url = index.paths?.[key]?.serverRelativeURL ?? `/openapi/v3/${key}`;
  const [path, query] = url.split('?', 2) as [string, string | undefined];
  let doc: { components?: { schemas?: OpenAPIComponents } };
  try {
    doc = await host.rest.request({ method: 'GET', path, ...(query ? { query: Object.fromEntries(new URLSearchParams(query)) } : {}), ...sig });
  } catch (err) {
    return { reason: `cannot read ${path}: ${(err as Error).message}` };
  }
  const schema = templateSchema(doc.components?.schemas ?? {}, { group: target.group, version: target.version, kind: target.kind });
  return schema ? { schema } : { reason: `${path} has no usable schema for ${target.kind} (or it is too large for a CRD)` };
}
