// `kfed join` arguments refused before any request (README "Bad input", rows C9..C13).
import { describe, expect, it } from 'vitest';
import { JoinError } from '../../../src/kubefedctl/join-steps.js';
import { resolveTarget } from '../../../src/kubefedctl/join.js';

const kubeconfigYaml = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: { server: 'https://192.0.2.10:6443' }
users:
- name: u
  user: { token: t }
contexts:
- name: host
  context: { cluster: c, user: u }
- name: member
  context: { cluster: c, user: u }
- name: 'arn:aws:eks:x/y'
  context: { cluster: c, user: u }
current-context: host
`;

describe('join targets', () => {
  it.each([
    ['C9', { clusterName: 'Bad_Name' }, 'cluster name "Bad_Name" must be a DNS-1123 subdomain'],
    ['C10', { clusterName: '' }, 'cluster name "" must be a DNS-1123 subdomain'],
    ['C11', { clusterName: 'member', hostClusterName: 'a/b' }, 'host-cluster-name may not contain "/" or ":"'],
    ['C12', { clusterName: 'member', hostClusterContext: 'arn:aws:eks:x/y' }, '--host-cluster-name must be set when the host cluster context name contains ":" or "/"'],
    ['C13', { clusterName: 'member', clusterContext: 'nope' }, 'context "nope" not found'],
  ])('%s %j', (_id, t, message) => {
    const run = (): unknown => resolveTarget({ kubeconfig: { kubeconfigYaml }, ...t } as Parameters<typeof resolveTarget>[0]);
    expect(run).toThrow(JoinError);
    expect(run).toThrow(message);
  });
});
