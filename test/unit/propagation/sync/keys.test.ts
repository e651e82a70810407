import { describe, expect, it } from 'vitest';
import { federatedKeyForMember, keysInNamespace, memberKeyForFederated, versionRecordKey } from '../../../../src/propagation/sync/keys.js';

const namespaced = { targetNamespaced: true, namespaceTarget: false };
const cluster = { targetNamespaced: false, namespaceTarget: false };
const nsTarget = { targetNamespaced: false, namespaceTarget: true };

describe('key mapping', () => {
  it.each([
    ['a namespaced member object', { metadata: { name: 'go-app', namespace: 'go-app' } }, namespaced, 'go-app/go-app', 'go-app/go-app'],
    ['a cluster-scoped member object', { metadata: { name: 'reader' } }, cluster, 'reader', 'reader'],
    ['a Namespace (its FederatedNamespace lives in itself)', { metadata: { name: 'shop' } }, nsTarget, 'shop/shop', 'shop'],
  ])('%s maps to its federated key and back', (_what, obj, scope, fedKey, memberKey) => {
    expect(federatedKeyForMember({ apiVersion: 'v1', kind: 'X', ...obj }, scope)).toBe(fedKey);
    expect(memberKeyForFederated(fedKey, scope)).toBe(memberKey);
  });

  it('names version records as Kubefed does', () => {
    expect(versionRecordKey('go-app/go-app', 'Deployment')).toBe('go-app/deployment-go-app');
    expect(versionRecordKey('reader', 'ClusterRole')).toBe('clusterrole-reader');
  });

  it('selects the keys of one namespace', () => {
    expect(keysInNamespace(['a/x', 'ab/y', 'a/z', 'b'], 'a')).toEqual(['a/x', 'a/z']);
  });
});
