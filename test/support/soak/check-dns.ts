// The soak's DNS invariants: each ServiceDNSRecord's DNSEndpoint holds exactly the
// endpoints the DNS controllers render from the members' Services and the clusters'
// status (computed with kfed's own status and rendering functions), no DNSEndpoint
// outlives its record, the embedded DNS server answers exactly those records (and
// NXDOMAIN for the names of deleted records), and the Route53 zone holds exactly those
// records with one ownership claim each, beside the foreign records.
import { isClusterReady, type KubeFedCluster, KUBEFED_CLUSTERS } from '../../../src/api/core.js';
import type { KubeObject } from '../../../src/api/meta.js';
import type { DNSEndpoint, DomainObject, Endpoint, ServiceDNSRecord } from '../../../src/api/multiclusterdns.js';
import { normalizeDNSName, dnsEndpointName } from '../../../src/dns/naming.js';
import { claimName, parseClaim } from '../../../src/dns/publish/registry.js';
import { renderServiceEndpoints } from '../../../src/dns/records/render-endpoints.js';
import { computeServiceClusterDNS, SERVICE_NAME_LABEL } from '../../../src/dns/records/service-dns-status.js';
import { DNS_ENDPOINTS, DOMAINS, SERVICE_DNS_RECORDS } from '../../../src/api/multiclusterdns.js';
import { ENDPOINT_SLICES, SERVICES } from '../../../src/api/kubernetes.js';
import { ask } from './dns-query.js';
import { FOREIGN_RECORD_KEYS } from './foreign.js';
import { DOMAIN_OBJECT, NS, OWNER_ID, type SoakRig } from './rig.js';
import { WORKLOAD_NS_PREFIX } from './resources.js';

const inWorkload = (o: KubeObject): boolean => (o.metadata.namespace ?? '').startsWith(WORKLOAD_NS_PREFIX);
const bare = (name: string): string => normalizeDNSName(name).replace(/\.$/, '');

/** name|type -> sorted targets, the form every source is compared in. */
function recordMap(endpoints: readonly Pick<Endpoint, 'dnsName' | 'recordType' | 'targets'>[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of endpoints) m.set(`${bare(e.dnsName)}|${e.recordType}`, [...e.targets].map(bare).sort().join(','));
  return m;
}

function compareMaps(what: string, want: Map<string, string>, have: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of want) if (have.get(k) !== v) out.push(`${what}: ${k.replace('|', ' ')} is ${have.get(k) ?? '<absent>'}, want ${v}`);
  for (const [k, v] of have) if (!want.has(k)) out.push(`${what}: unexpected ${k.replace('|', ' ')} ${v}`);
  return out;
}

/** Endpoints every ServiceDNSRecord of the workload should have now, by record key. */
async function expectedEndpoints(rig: SoakRig): Promise<{ byRecord: Map<string, Endpoint[]>; violations: string[] }> {
  const violations: string[] = [];
  const domain = await rig.host.dynamic.get<DomainObject>(DOMAINS, DOMAIN_OBJECT, { namespace: NS });
  const clusters = (await rig.host.dynamic.listAll<KubeFedCluster>(KUBEFED_CLUSTERS, { namespace: NS })).items;
  const byRecord = new Map<string, Endpoint[]>();
  for (const record of (await rig.host.dynamic.listAll<ServiceDNSRecord>(SERVICE_DNS_RECORDS)).items.filter(inWorkload)) {
    const ns = record.metadata.namespace ?? '';
    const name = record.metadata.name ?? '';
    if (record.metadata.deletionTimestamp) violations.push(`ServiceDNSRecord ${ns}/${name}: still being deleted`);
    const facts = [];
    for (const c of clusters) {
      const member = rig.members[c.metadata.name ?? '']!;
      facts.push({
        cluster: c.metadata.name ?? '',
        ready: isClusterReady(c),
        region: c.status?.region,
        zones: c.status?.zones,
        service: await member.dynamic.getIfExists(SERVICES, name, { namespace: ns }),
        endpointSlices: (await member.dynamic.listAll(ENDPOINT_SLICES, { namespace: ns, labelSelector: `${SERVICE_NAME_LABEL}=${name}` })).items,
      });
    }
    const dns = computeServiceClusterDNS(facts, record.spec.allowServiceWithoutEndpoints === true);
    byRecord.set(`${ns}/${name}`, renderServiceEndpoints(record, domain, dns).endpoints);
  }
  return { byRecord, violations };
}

async function checkEmbedded(port: number, expected: readonly Endpoint[], goneNames: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const e of expected) {
    const type = e.recordType === 'CNAME' ? 'CNAME' : e.recordType === 'AAAA' ? 'AAAA' : 'A';
    const a = await ask(bare(e.dnsName), type, port);
    const got = a.answers.filter((x) => x.name === bare(e.dnsName) && x.type === type).map((x) => bare(x.data)).sort().join(',');
    const want = [...e.targets].map(bare).sort().join(',');
    if (got !== want) out.push(`embedded DNS: ${bare(e.dnsName)} ${type} answers ${got || `<none, ${a.rcode}>`}, want ${want}`);
  }
  for (const name of goneNames) {
    const a = await ask(name, 'A', port);
    if (a.rcode !== 'NXDOMAIN' || a.answers.length > 0) out.push(`embedded DNS: ${name} of a deleted record answers ${a.rcode} ${a.answers.map((x) => x.data).join(',')}`);
  }
  return out;
}

function checkProvider(rig: SoakRig, expected: readonly Endpoint[]): string[] {
  const zone = rig.fake.state.zone(rig.zoneId);
  const records = new Map<string, string>();
  const claims = new Set<string>();
  const out: string[] = [];
  for (const [key, s] of zone.sets) {
    if (FOREIGN_RECORD_KEYS.has(key) || s.type === 'SOA' || s.type === 'NS') continue;
    const claim = s.type === 'TXT' && s.values.length === 1 ? parseClaim(s.values[0]!) : undefined;
    if (claim && claim.owner !== OWNER_ID) continue;
    if (claim) {
      if (claims.has(bare(s.name))) out.push(`Route53: two claims at ${bare(s.name)}`);
      claims.add(bare(s.name));
    } else {
      const k = `${bare(s.name)}|${s.type}`;
      if (records.has(k)) out.push(`Route53: duplicate record ${k}`);
      records.set(k, s.values.map(bare).sort().join(','));
    }
  }
  out.push(...compareMaps('Route53', recordMap(expected), records));
  const wantClaims = new Set(expected.map((e) => bare(claimName(e))));
  for (const c of wantClaims) if (!claims.has(c)) out.push(`Route53: no ownership claim ${c}`);
  for (const c of claims) if (!wantClaims.has(c)) out.push(`Route53: orphan ownership claim ${c}`);
  return out;
}

/**
 * Every DNS violation now. `dnsPort` is the running controller's embedded server;
 * `servicesEverCreated` (ns/name) lets deleted records' names be checked for NXDOMAIN.
 */
export async function checkDns(rig: SoakRig, dnsPort: number, servicesEverCreated: readonly string[]): Promise<string[]> {
  const { byRecord, violations: out } = await expectedEndpoints(rig);
  const objects = (await rig.host.dynamic.listAll<DNSEndpoint>(DNS_ENDPOINTS)).items.filter(inWorkload);
  const byName = new Map(objects.map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`, o]));
  const owned = new Set<string>();
  for (const [key, endpoints] of byRecord) {
    const [ns, name] = key.split('/') as [string, string];
    const objKey = `${ns}/${dnsEndpointName('service', name)}`;
    owned.add(objKey);
    const obj = byName.get(objKey);
    if (!obj) {
      if (endpoints.length > 0) out.push(`DNSEndpoint ${objKey}: missing`);
      continue;
    }
    out.push(...compareMaps(`DNSEndpoint ${objKey}`, recordMap(endpoints), recordMap(obj.spec?.endpoints ?? [])));
  }
  for (const k of byName.keys()) if (!owned.has(k)) out.push(`DNSEndpoint ${k}: orphan (its record is gone)`);
  const expected = [...byRecord.values()].flat();
  const gone = servicesEverCreated.filter((k) => !byRecord.has(k)).map((k) => {
    const [ns, name] = k.split('/') as [string, string];
    return `${name}.${ns}.${DOMAIN_OBJECT}.svc.example.com`;
  });
  out.push(...(await checkEmbedded(dnsPort, expected, gone)));
  out.push(...checkProvider(rig, expected));
  return out;
}

/** The Route53 zone against the records every ServiceDNSRecord should have (no DNS server needed). */
export async function checkPublished(rig: SoakRig): Promise<string[]> {
  const { byRecord } = await expectedEndpoints(rig);
  return checkProvider(rig, [...byRecord.values()].flat());
}
