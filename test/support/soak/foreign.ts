// Objects and records kfed does not own, made before the soak and compared byte for byte
// after it: in every member (in a namespace of their own and inside the namespaces kfed
// federates), on the host, and in the Route53 zone kfed publishes to. Any write, label,
// deletion or re-creation shows as a different serialization (resourceVersion included).
import type { KubeObject } from '../../../src/api/meta.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import type { FakeRecordSet } from '../route53-fake/record-set.js';
import { setKey } from '../route53-fake/record-set.js';
import { CLUSTERS, type SoakRig } from './rig.js';

const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', resource: 'configmaps', namespaced: true, kind: 'ConfigMap' };
const SECRETS: ResourceRef = { group: '', version: 'v1', resource: 'secrets', namespaced: true, kind: 'Secret' };
const SERVICES: ResourceRef = { group: '', version: 'v1', resource: 'services', namespaced: true, kind: 'Service' };
const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' };

const FOREIGN_NS = 'soak-foreign';

interface ForeignObject {
  cluster: string;
  ref: ResourceRef;
  name: string;
  namespace: string | undefined;
  snapshot: string;
}

export interface ForeignSnapshot {
  objects: ForeignObject[];
  records: { key: string; snapshot: string }[];
}

const FOREIGN_SETS: FakeRecordSet[] = [
  { name: 'manual.example.com.', type: 'A', ttl: 300, values: ['198.51.100.250'] },
  { name: 'manual.example.com.', type: 'TXT', ttl: 300, values: ['"owned by someone else"'] },
  { name: 'www.example.com.', type: 'CNAME', ttl: 60, values: ['manual.example.com.'] },
  // A claim of another owner: kfed must read it as foreign and leave it.
  { name: 'a-other.example.com.', type: 'TXT', ttl: 300, values: ['"heritage=external-dns,external-dns/owner=someone-else,external-dns/resource=service/x/y"'] },
  { name: 'other.example.com.', type: 'A', ttl: 300, values: ['203.0.113.250'] },
];

function objectsFor(workloadNamespaces: readonly string[]): { ref: ResourceRef; obj: KubeObject }[] {
  const out: { ref: ResourceRef; obj: KubeObject }[] = [
    { ref: NAMESPACES, obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: FOREIGN_NS, labels: { owner: 'someone-else' } } } },
    { ref: CONFIGMAPS, obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', namespace: FOREIGN_NS }, data: { a: '1' } } as KubeObject },
  ];
  for (const ns of workloadNamespaces) {
    out.push(
      { ref: CONFIGMAPS, obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'foreign-cm', namespace: ns, labels: { app: 'foreign' } }, data: { k: ns } } as KubeObject },
      { ref: SECRETS, obj: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'foreign-secret', namespace: ns }, type: 'Opaque', data: { k: Buffer.from(ns).toString('base64') } } as KubeObject },
      { ref: SERVICES, obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'foreign-svc', namespace: ns }, spec: { ports: [{ port: 81 }] } } as KubeObject },
    );
  }
  return out;
}

async function read(rig: SoakRig, o: Pick<ForeignObject, 'cluster' | 'ref' | 'name' | 'namespace'>): Promise<string> {
  const got = await rig.members[o.cluster]!.dynamic.getIfExists(o.ref, o.name, o.namespace !== undefined ? { namespace: o.namespace } : {});
  return got === undefined ? '<absent>' : JSON.stringify(got);
}

/** Creates the foreign objects (the workload namespaces must exist in every member) and records. */
export async function seedForeign(rig: SoakRig, workloadNamespaces: readonly string[]): Promise<ForeignSnapshot> {
  const objects: ForeignObject[] = [];
  for (const cluster of CLUSTERS) {
    for (const { ref, obj } of objectsFor(workloadNamespaces)) {
      await rig.members[cluster]!.dynamic.create(ref, obj);
      const o = { cluster, ref, name: obj.metadata.name ?? '', namespace: obj.metadata.namespace };
      objects.push({ ...o, snapshot: '' });
    }
  }
  const zone = rig.fake.state.zone(rig.zoneId);
  for (const s of FOREIGN_SETS) zone.sets.set(setKey(s), structuredClone(s));
  zone.version++;
  // Snapshots after every create: a namespace's creation touches nothing else we compare.
  for (const o of objects) o.snapshot = await read(rig, o);
  return { objects, records: FOREIGN_SETS.map((s) => ({ key: setKey(s), snapshot: JSON.stringify(zone.sets.get(setKey(s))) })) };
}

/** Violations: every foreign object or record that differs from its snapshot. */
export async function checkForeign(rig: SoakRig, snap: ForeignSnapshot): Promise<string[]> {
  const out: string[] = [];
  for (const o of snap.objects) {
    const now = await read(rig, o);
    if (now !== o.snapshot) out.push(`foreign ${o.ref.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} in ${o.cluster} changed: ${now === '<absent>' ? 'deleted' : 'rewritten'}`);
  }
  const zone = rig.fake.state.zone(rig.zoneId);
  for (const r of snap.records) {
    const now = zone.sets.get(r.key);
    if (JSON.stringify(now) !== r.snapshot) out.push(`foreign record ${r.key.replaceAll('\u0000', ' ')} changed: ${now === undefined ? 'deleted' : JSON.stringify(now)}`);
  }
  return out;
}

/** Keys of the foreign record sets, which the provider check leaves out. */
export const FOREIGN_RECORD_KEYS: ReadonlySet<string> = new Set(FOREIGN_SETS.map((s) => setKey(s)));
