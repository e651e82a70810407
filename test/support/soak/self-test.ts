// Proof that the soak's checks have teeth, run once the world converged: with the
// controller killed (so nothing repairs), a propagated member object is deleted, a stray
// managed object and a stray ownership claim appear, and a foreign object is edited; each
// must show up as a violation. The tampering happens after the report's own checks.
import type { KubeObject } from '../../../src/api/meta.js';
import { MANAGED_LABEL } from '../../../src/api/federation.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { setKey } from '../route53-fake/record-set.js';
import { checkPublished } from './check-dns.js';
import { checkPropagation } from './check-propagation.js';
import { checkForeign, type ForeignSnapshot } from './foreign.js';
import { pollUntil } from '../until.js';
import { CLUSTERS, OWNER_ID, type SoakRig } from './rig.js';
import { FEDERATED } from './resources.js';

const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', resource: 'configmaps', namespaced: true, kind: 'ConfigMap' };

export interface SelfTestResult {
  tampered: string[];
  /** tamperings no violation reported */
  missed: string[];
}

export async function selfTest(rig: SoakRig, foreign: ForeignSnapshot, namespace: string): Promise<SelfTestResult> {
  const member = rig.members[CLUSTERS[1]]!;
  // An object known to be propagated, to delete behind kfed's back.
  await rig.host.dynamic.create(FEDERATED.configmaps, { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap', metadata: { name: 'self-test', namespace }, spec: { template: { data: { a: '1' } }, placement: { clusterSelector: {} } } } as KubeObject);
  await pollUntil(async () => (await member.dynamic.getIfExists(CONFIGMAPS, 'self-test', { namespace })) !== undefined, 60_000, 200);
  await rig.killController();
  const tampered: string[] = [];
  const expectations: [string, RegExp][] = [];
  await member.dynamic.delete(CONFIGMAPS, 'self-test', { namespace });
  tampered.push(`deleted managed ConfigMap ${namespace}/self-test in ${CLUSTERS[1]}`);
  expectations.push([tampered.at(-1)!, new RegExp(`${namespace}/self-test: missing in ${CLUSTERS[1]}`)]);
  await member.dynamic.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stray', namespace, labels: { [MANAGED_LABEL]: 'true' } }, data: { a: 'b' } } as KubeObject);
  tampered.push(`created a stray managed ConfigMap ${namespace}/stray`);
  expectations.push([tampered.at(-1)!, new RegExp(`${namespace}/stray: orphan in ${CLUSTERS[1]}`)]);
  const f = foreign.objects.find((o) => o.ref.resource === 'configmaps' && o.namespace === namespace)!;
  await rig.members[f.cluster]!.dynamic.patch(f.ref, f.name, { data: { k: 'edited' } }, { namespace, type: 'merge' });
  tampered.push(`edited foreign ConfigMap ${namespace}/${f.name} in ${f.cluster}`);
  expectations.push([tampered.at(-1)!, new RegExp(`foreign ConfigMap ${namespace}/${f.name} in ${f.cluster} changed`)]);
  const claim = { name: 'a-stray.example.com.', type: 'TXT', ttl: 300, values: [`"heritage=external-dns,external-dns/owner=${OWNER_ID},external-dns/resource=service/x/stray"`] };
  rig.fake.state.zone(rig.zoneId).sets.set(setKey(claim), claim);
  tampered.push('added an ownership claim of kfed\'s owner for a record nothing renders');
  expectations.push([tampered.at(-1)!, /orphan ownership claim a-stray\.example\.com/]);

  const found = [...(await checkPropagation(rig)), ...(await checkPublished(rig)), ...(await checkForeign(rig, foreign))];
  return { tampered, missed: expectations.filter(([, re]) => !found.some((v) => re.test(v))).map(([what]) => what) };
}
