// ServiceDNSRecord controller: `status.dns[]` from every joined member's Service of the
// same name and namespace, its EndpointSlices (a ready endpoint makes the cluster
// healthy unless allowServiceWithoutEndpoints), and the member's readiness and location.
import type { ServiceDNSRecord } from '../../api/multiclusterdns.js';
import { recordKeyOfEndpointSlice, recordKeyOfService } from './record-keys.js';
import { RecordController, type MemberView, type RecordControllerOptions, type RecordKindSpec } from './record-controller.js';
import { SERVICE_DNS_RECORDS } from '../../api/multiclusterdns.js';
import { computeServiceClusterDNS, type ServiceClusterFacts } from './service-dns-status.js';
import { validateServiceDNSRecord } from './validate.js';

/** The member facts of one ServiceDNSRecord (exported for tests). */
export function serviceFacts(key: string, members: readonly MemberView[]): ServiceClusterFacts[] {
  return members.map(({ member, observed, watches }) => ({
    cluster: member.name,
    ready: observed,
    region: member.region,
    zones: member.zones,
    service: observed ? watches.get(member.name, 'services', key) : undefined,
    endpointSlices: observed ? watches.endpointSlices(member.name, key) : [],
  }));
}

export const SERVICE_RECORD_SPEC: RecordKindSpec<ServiceDNSRecord> = {
  name: 'servicednsrecord',
  kind: 'ServiceDNSRecord',
  resource: SERVICE_DNS_RECORDS,
  memberKeys: { services: recordKeyOfService, endpointslices: recordKeyOfEndpointSlice },
  domainRefOf: (r) => (typeof r.spec?.domainRef === 'string' ? r.spec.domainRef : undefined),
  validate: (r, domain, ctx) => validateServiceDNSRecord(r, domain, ctx),
  computeDNS: (key, r, members) => computeServiceClusterDNS(serviceFacts(key, members), r.spec?.allowServiceWithoutEndpoints === true),
};

export function createServiceDNSRecordController(options: RecordControllerOptions<ServiceDNSRecord>): RecordController<ServiceDNSRecord> {
  return new RecordController(SERVICE_RECORD_SPEC, options);
}
