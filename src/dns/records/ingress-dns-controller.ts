// IngressDNSRecord controller: `status.dns[]` from every joined member's Ingress of the
// same name and namespace (its load-balancer status) and the member's readiness and
// location. As in Kubefed there is no endpoint check for Ingresses.
import type { IngressDNSRecord } from '../../api/multiclusterdns.js';
import { recordKeyOfIngress } from './record-keys.js';
import { RecordController, type MemberView, type RecordControllerOptions, type RecordKindSpec } from './record-controller.js';
import { INGRESS_DNS_RECORDS } from '../../api/multiclusterdns.js';
import { computeIngressClusterDNS, type IngressClusterFacts } from './service-dns-status.js';
import { validateIngressDNSRecord } from './validate.js';

/** The member facts of one IngressDNSRecord (exported for tests). */
export function ingressFacts(key: string, members: readonly MemberView[]): IngressClusterFacts[] {
  return members.map(({ member, observed, watches }) => ({
    cluster: member.name,
    ready: observed,
    region: member.region,
    zones: member.zones,
    ingress: observed ? watches.get(member.name, 'ingresses', key) : undefined,
  }));
}

export const INGRESS_RECORD_SPEC: RecordKindSpec<IngressDNSRecord> = {
  name: 'ingressdnsrecord',
  kind: 'IngressDNSRecord',
  resource: INGRESS_DNS_RECORDS,
  memberKeys: { ingresses: recordKeyOfIngress },
  validate: (r, _domain, ctx) => validateIngressDNSRecord(r, ctx),
  computeDNS: (key, _r, members) => computeIngressClusterDNS(ingressFacts(key, members)),
};

export function createIngressDNSRecordController(options: RecordControllerOptions<IngressDNSRecord>): RecordController<IngressDNSRecord> {
  return new RecordController(INGRESS_RECORD_SPEC, options);
}
