import { describe, expect, it } from 'vitest';
import { isProtectedNamespace, misplacedFederatedNamespace } from '../../../../src/propagation/sync/namespace-guard.js';

describe('namespace guard', () => {
  it.each([
    ['demo', 'demo', false],
    ['kube-public', 'tenant', true],
    ['demo', 'other', true],
  ])('FederatedNamespace %s in %s misplaced: %s', (name, namespace, misplaced) => {
    expect(misplacedFederatedNamespace({ apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedNamespace', metadata: { name, namespace }, spec: {} }) !== undefined).toBe(misplaced);
  });

  it.each([
    ['kube-system', true], ['kube-public', true], ['kube-node-lease', true], ['default', true],
    ['kube-federation-system', true], ['demo', false], ['kube-systemx', false],
  ])('%s protected: %s', (name, expected) => {
    expect(isProtectedNamespace(name, 'kube-federation-system')).toBe(expected);
  });
});
