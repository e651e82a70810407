// Pure mappings from an event's object to the work-queue key it concerns (docs/contributing.md:
// handlers compute a key and enqueue it; the reconciler re-reads state).
//
// Record controllers key by the record's `ns/name`. A ServiceDNSRecord is
// name-associated with the member Services of the same namespace and name (Kubefed), so
// a member Service maps to its own key and an EndpointSlice to the key of the Service it
// carries in the `kubernetes.io/service-name` label. IngressDNSRecords likewise follow
// the member Ingress of the same name.
//
// The DNSEndpoint controller keys by `<kind>:ns/name` of the record that owns the
// DNSEndpoint, so one queue serves both record kinds.
import type { KubeObject } from '../../api/meta.js';
import { DNS_GROUP } from '../../api/multiclusterdns.js';
import type { DNSRecordKind } from '../naming.js';
import { SERVICE_NAME_LABEL } from './service-dns-status.js';

export type EndpointKey = `${DNSRecordKind}:${string}`;

function nsName(namespace: string | undefined, name: string | undefined): string | undefined {
  return namespace && name ? `${namespace}/${name}` : undefined;
}

/** Record key of a member Service (same namespace and name). */
export function recordKeyOfService(svc: KubeObject): string | undefined {
  return nsName(svc.metadata.namespace, svc.metadata.name);
}

/** Record key of a member EndpointSlice: the Service named by its service-name label. */
export function recordKeyOfEndpointSlice(slice: KubeObject): string | undefined {
  return nsName(slice.metadata.namespace, slice.metadata.labels?.[SERVICE_NAME_LABEL]);
}

/** Record key of a member Ingress (same namespace and name). */
export function recordKeyOfIngress(ing: KubeObject): string | undefined {
  return nsName(ing.metadata.namespace, ing.metadata.name);
}

export function endpointKey(kind: DNSRecordKind, recordKey: string): EndpointKey {
  return `${kind}:${recordKey}`;
}

export function parseEndpointKey(key: string): { kind: DNSRecordKind; namespace: string; name: string; recordKey: string } | undefined {
  const m = /^(service|ingress):([^/]+)\/([^/]+)$/.exec(key);
  if (!m) return undefined;
  const [, kind, namespace, name] = m as unknown as [string, DNSRecordKind, string, string];
  return { kind, namespace, name, recordKey: `${namespace}/${name}` };
}

const KIND_OF_OWNER: Readonly<Record<string, DNSRecordKind>> = { ServiceDNSRecord: 'service', IngressDNSRecord: 'ingress' };

/**
 * Key of the record that controls a DNSEndpoint (its controller ownerReference), so an
 * edited or deleted DNSEndpoint is put back by reconciling its record.
 */
export function endpointKeyOfDNSEndpoint(obj: KubeObject): EndpointKey | undefined {
  const ns = obj.metadata.namespace;
  if (!ns) return undefined;
  for (const ref of obj.metadata.ownerReferences ?? []) {
    const kind = KIND_OF_OWNER[ref.kind];
    if (ref.controller && kind && ref.apiVersion.startsWith(`${DNS_GROUP}/`)) return endpointKey(kind, `${ns}/${ref.name}`);
  }
  return undefined;
}
