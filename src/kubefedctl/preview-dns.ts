// `kfed preview --dns`: the DNSEndpoint the ServiceDNSRecord (IngressDNSRecord) of a
// FederatedService's (FederatedIngress's) name and namespace would get, computed with the DNS
// controllers' own functions (src/dns/records: the per-cluster status of service-dns-status.ts,
// validate.ts, render-endpoints.ts), from the members' current Services, EndpointSlices and
// Ingresses read the way the record controllers' member caches hold them. Writes nothing.
import type { KubeObject } from '../api/meta.js';
import { ENDPOINT_SLICES, INGRESSES, SERVICES } from '../api/kubernetes.js';
import {
  DNS_ENDPOINTS, DOMAINS, INGRESS_DNS_RECORDS, SERVICE_DNS_RECORDS,
  type ClusterDNS, type DNSEndpoint, type DomainObject, type IngressDNSRecord, type ServiceDNSRecord,
} from '../api/multiclusterdns.js';
import type { MemberCluster } from '../clusters/member-registry.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { dnsEndpointName, type DNSRecordKind } from '../dns/naming.js';
import { buildDNSEndpoint, renderIngressEndpoints, renderServiceEndpoints, type SkippedName } from '../dns/records/render-endpoints.js';
import { computeIngressClusterDNS, computeServiceClusterDNS, SERVICE_NAME_LABEL, type IngressClusterFacts, type ServiceClusterFacts } from '../dns/records/service-dns-status.js';
import { hasErrors, validateIngressDNSRecord, validateServiceDNSRecord, type ValidationProblem } from '../dns/records/validate.js';

/** The annotation on the DNSEndpoint item of `kfed preview --dns -o yaml|json`: `<record kind>/<name>`. */
export const PREVIEW_DNS_ANNOTATION = 'kfed.io/preview-dns';

const RECORD_KIND: Readonly<Record<DNSRecordKind, 'ServiceDNSRecord' | 'IngressDNSRecord'>> = { service: 'ServiceDNSRecord', ingress: 'IngressDNSRecord' };

export interface DNSPreview {
  recordKind: 'ServiceDNSRecord' | 'IngressDNSRecord';
  namespace: string;
  name: string;
  /** where the record previewed comes from; `default`: none exists, this is what a minimal one would give */
  source: 'host' | 'file' | 'default';
  /** `ns/name` of the DNSEndpoint */
  dnsEndpoint: string;
  /** what the DNSEndpoint controller would write; absent when it would write nothing (see problem) */
  endpoint?: DNSEndpoint;
  /** why nothing would be written (no record, invalid record, missing Domain, another owner) */
  problem?: string;
  /** the DNSEndpoint on the host now */
  current?: DNSEndpoint;
  /** `status.dns[]` as the record controller would compute it now */
  dns: ClusterDNS[];
  skipped: SkippedName[];
  /** warnings and per-cluster remarks (not Ready, no Service, no ready endpoint, unreadable) */
  notes: string[];
}

export interface DNSPreviewInput {
  host: ClusterClient;
  kubefedNamespace: string;
  /** the target type of the federated object: only Service (v1) and Ingress (networking.k8s.io) have DNS records */
  target: { group?: string | undefined; kind: string };
  namespace: string;
  name: string;
  /** the joined clusters, as the record controllers' member registry lists them */
  members: readonly MemberCluster[];
  /** records and Domains given in a file: they win over the host's of the same name */
  given?: readonly KubeObject[];
}

/** The kind of DNS record a target type has, if any. */
export function dnsRecordKindOf(target: { group?: string | undefined; kind: string }): DNSRecordKind | undefined {
  if (target.kind === 'Service' && !target.group) return 'service';
  if (target.kind === 'Ingress' && target.group === 'networking.k8s.io') return 'ingress';
  return undefined;
}

function given<T extends KubeObject>(i: DNSPreviewInput, kind: string, namespace: string, name: string): T | undefined {
  return i.given?.find((o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? '') === namespace) as T | undefined;
}

async function hostGet<T extends KubeObject>(host: ClusterClient, ref: typeof DOMAINS, name: string, namespace: string): Promise<T | undefined> {
  return host.dynamic.getIfExists<T>(ref, name, { namespace });
}

/** What one member looks like to the record controller: Ready with a client, and its objects readable. */
async function serviceFacts(i: DNSPreviewInput, notes: string[]): Promise<ServiceClusterFacts[]> {
  return Promise.all(i.members.map(async (m): Promise<ServiceClusterFacts> => {
    const base = { cluster: m.name, region: m.region, zones: m.zones };
    if (!m.ready || !m.client) return { ...base, ready: false, endpointSlices: [], ...note(notes, m.name, 'not Ready: no address from it') };
    try {
      const [service, slices] = await Promise.all([
        m.client.dynamic.getIfExists(SERVICES, i.name, { namespace: i.namespace }),
        m.client.dynamic.list(ENDPOINT_SLICES, { namespace: i.namespace, labelSelector: { matchLabels: { [SERVICE_NAME_LABEL]: i.name } } }),
      ]);
      if (!service) notes.push(`${m.name}: no Service ${i.namespace}/${i.name} there now`);
      return { ...base, ready: true, service, endpointSlices: slices.items };
    } catch (err) {
      return { ...base, ready: false, endpointSlices: [], ...note(notes, m.name, `could not be read (${(err as Error).message}): counted as unhealthy, as the controller does while its caches are not synced`) };
    }
  }));
}

async function ingressFacts(i: DNSPreviewInput, notes: string[]): Promise<IngressClusterFacts[]> {
  return Promise.all(i.members.map(async (m): Promise<IngressClusterFacts> => {
    const base = { cluster: m.name, region: m.region, zones: m.zones };
    if (!m.ready || !m.client) return { ...base, ready: false, ...note(notes, m.name, 'not Ready: no address from it') };
    try {
      const ingress = await m.client.dynamic.getIfExists(INGRESSES, i.name, { namespace: i.namespace });
      if (!ingress) notes.push(`${m.name}: no Ingress ${i.namespace}/${i.name} there now`);
      return { ...base, ready: true, ingress };
    } catch (err) {
      return { ...base, ready: false, ...note(notes, m.name, `could not be read (${(err as Error).message}): counted as unhealthy`) };
    }
  }));
}

function note(notes: string[], cluster: string, text: string): Record<string, never> {
  notes.push(`${cluster}: ${text}`);
  return {};
}

function problemText(problems: readonly ValidationProblem[], severity: 'error' | 'warning'): string {
  return problems.filter((p) => p.severity === severity).map((p) => `${p.field}: ${p.message}`).join('; ');
}

/** The DNS records a FederatedService/FederatedIngress's record would publish; undefined for other types. */
export async function previewDNS(i: DNSPreviewInput): Promise<DNSPreview | undefined> {
  const kind = dnsRecordKindOf(i.target);
  if (!kind) return undefined;
  const recordKind = RECORD_KIND[kind];
  const epName = dnsEndpointName(kind, i.name);
  const notes: string[] = [];
  const fromFile = given<ServiceDNSRecord | IngressDNSRecord>(i, recordKind, i.namespace, i.name);
  let record = fromFile ?? await hostGet<ServiceDNSRecord | IngressDNSRecord>(i.host, kind === 'service' ? SERVICE_DNS_RECORDS : INGRESS_DNS_RECORDS, i.name, i.namespace);
  const current = await hostGet<DNSEndpoint>(i.host, DNS_ENDPOINTS, epName, i.namespace);
  const out: DNSPreview = { recordKind, namespace: i.namespace, name: i.name, source: fromFile ? 'file' : 'host', dnsEndpoint: `${i.namespace}/${epName}`, dns: [], skipped: [], notes, ...(current ? { current } : {}) };
  if (!record) {
    const missing = `no ${recordKind} ${i.namespace}/${i.name}: kfed publishes no DNS records for it`;
    const fallback = await defaultRecord(i, kind);
    if (!fallback) return { ...out, problem: missing };
    record = fallback.record;
    out.source = 'default';
    out.problem = `${missing}; ${fallback.describe} would publish what follows`;
  } else if (record.metadata.deletionTimestamp) {
    return { ...out, problem: `${recordKind} ${i.namespace}/${i.name} is being deleted: its DNSEndpoint goes with it` };
  }
  const known = { knownClusters: i.members.map((m) => m.name) };
  let problems: ValidationProblem[];
  let render: () => ReturnType<typeof renderIngressEndpoints>;
  if (kind === 'service') {
    const r = record as ServiceDNSRecord;
    const ref = typeof r.spec?.domainRef === 'string' ? r.spec.domainRef : '';
    const domain = ref ? given<DomainObject>(i, 'Domain', i.kubefedNamespace, ref) ?? await hostGet<DomainObject>(i.host, DOMAINS, ref, i.kubefedNamespace) : undefined;
    const live = domain && !domain.metadata.deletionTimestamp ? domain : undefined;
    problems = validateServiceDNSRecord(r, live, known);
    out.dns = computeServiceClusterDNS(await serviceFacts(i, notes), r.spec?.allowServiceWithoutEndpoints === true);
    render = () => renderServiceEndpoints(r, live!, out.dns);
  } else {
    const r = record as IngressDNSRecord;
    problems = validateIngressDNSRecord(r, known);
    out.dns = computeIngressClusterDNS(await ingressFacts(i, notes));
    render = () => renderIngressEndpoints(r, out.dns);
  }
  if (kind === 'service') unhealthyNotes(out.dns, notes);
  const warnings = problemText(problems, 'warning');
  if (warnings) notes.push(`warnings: ${warnings}`);
  if (hasErrors(problems)) return { ...out, problem: `${recordKind} ${i.namespace}/${i.name} is invalid (Valid=False): ${problemText(problems, 'error')}; its DNSEndpoint is left as it is` };
  const owner = (current?.metadata.ownerReferences ?? []).find((r) => r.controller);
  if (owner && (owner.kind !== recordKind || owner.name !== i.name)) {
    return { ...out, problem: `DNSEndpoint ${out.dnsEndpoint} is controlled by ${owner.kind} ${owner.name}: kfed leaves it alone` };
  }
  const rendered = render();
  out.skipped = rendered.skipped;
  out.endpoint = buildDNSEndpoint(kind, record, rendered.endpoints);
  return out;
}

/** A cluster with a Service but no address in status.dns: the reason, when the facts say it. */
function unhealthyNotes(dns: readonly ClusterDNS[], notes: string[]): void {
  for (const d of dns) {
    if ((d.loadBalancer?.ingress ?? []).length > 0 || notes.some((n) => n.startsWith(`${d.cluster}: `))) continue;
    notes.push(`${d.cluster}: no load-balancer address or no ready endpoint yet: its region and zone names fall back to CNAMEs`);
  }
}

/** For a Service without a record: the record a user would most likely write, when there is one obvious Domain. */
async function defaultRecord(i: DNSPreviewInput, kind: DNSRecordKind): Promise<{ record: ServiceDNSRecord; describe: string } | undefined> {
  if (kind !== 'service') return undefined;
  const fileDomains = (i.given ?? []).filter((o) => o.kind === 'Domain' && (o.metadata.namespace ?? '') === i.kubefedNamespace);
  const domains = fileDomains.length > 0 ? fileDomains : (await i.host.dynamic.list<DomainObject>(DOMAINS, { namespace: i.kubefedNamespace }).catch(() => ({ items: [] as DomainObject[] }))).items;
  if (domains.length !== 1) return undefined;
  const domainRef = domains[0]!.metadata.name ?? '';
  return {
    record: { apiVersion: SERVICE_DNS_RECORDS.group + '/' + SERVICE_DNS_RECORDS.version, kind: 'ServiceDNSRecord', metadata: { name: i.name, namespace: i.namespace }, spec: { domainRef } },
    describe: `a ServiceDNSRecord with only domainRef: ${domainRef} (the one Domain in ${i.kubefedNamespace})`,
  };
}
