// RBAC escalation: which rules a role grants beyond its author's, and how kube-apiserver lists them.
import { describe, expect, it } from 'vitest';
import { compactString, uncovered } from '../../../../src/sandbox/auth/escalation.js';

describe('uncovered rules', () => {
  it('breaks rules down per group, resource and verb, then compacts and sorts them', () => {
    const owner = [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }];
    const servant = [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list'] }, { nonResourceURLs: ['/x'], verbs: ['get'] }];
    expect(uncovered(owner, servant).map(compactString)).toEqual([
      '{APIGroups:[""], Resources:["configmaps"], Verbs:["list"]}',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
      '{NonResourceURLs:["/x"], Verbs:["get"]}',
    ]);
  });

  it('wildcards, subresources, resource names and URL prefixes cover', () => {
    expect(uncovered([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], [{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] }])).toEqual([]);
    expect(uncovered([{ apiGroups: ['apps'], resources: ['*/scale'], verbs: ['patch'] }], [{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] }])).toEqual([]);
    expect(uncovered([{ nonResourceURLs: ['/healthz/*'], verbs: ['get'] }], [{ nonResourceURLs: ['/healthz/etcd'], verbs: ['get'] }])).toEqual([]);
    const named = [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['a'], verbs: ['get'] }];
    expect(uncovered(named, [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['a'], verbs: ['get'] }])).toEqual([]);
    // a rule for every name is not covered by a rule for one
    expect(uncovered(named, [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]).map(compactString)).toEqual(['{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}']);
  });
});
