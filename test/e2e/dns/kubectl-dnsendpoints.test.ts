// As a user would with real kubectl: with both DNSEndpoint CRDs installed, the README's
// group-qualified commands and kfed's short name `mcdnse` name kfed's DNSEndpoints, and
// external-dns's are reached by their own group (issue 18 item 4).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DNSEndpoint } from '../../../src/api/multiclusterdns.js';
import { DNS_ENDPOINTS, EXTERNALDNS_ENDPOINTS } from '../../../src/api/multiclusterdns.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import type { Sandbox } from '../../../src/sandbox/sandbox.js';
import type { SandboxMember } from '../../../src/sandbox/member.js';
import { installCrds } from '../../support/crds.js';
import { startTestSandbox } from '../../support/sandbox-backend.js';
import { requireTools } from '../../support/tools.js';

const tools = requireTools('kubectl');
const run = promisify(execFile);

describe.skipIf(!tools)('kubectl and the two DNSEndpoint groups', () => {
  let sb: Sandbox<SandboxMember>;
  let host: ClusterClient;
  const kubectl = async (...args: string[]): Promise<string> => (await run(tools!.kubectl, ['--kubeconfig', sb.kubeconfigPath, '--context', 'cluster-1', ...args], { timeout: 30_000 })).stdout;

  beforeAll(async () => {
    sb = await startTestSandbox({ clusters: 1 });
    host = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1' });
    await installCrds(host, 'crds/multiclusterdns');
    const ep = (group: string, name: string): DNSEndpoint => ({
      apiVersion: `${group}/v1alpha1`, kind: 'DNSEndpoint', metadata: { name, namespace: 'default' },
      spec: { endpoints: [{ dnsName: `${name}.example.com`, recordType: 'A', targets: ['192.0.2.1'] }] },
    });
    await host.dynamic.create(DNS_ENDPOINTS, ep('multiclusterdns.kubefed.io', 'kfed-one'));
    await host.dynamic.create(EXTERNALDNS_ENDPOINTS, ep('externaldns.k8s.io', 'edns-one'));
  }, 60_000);

  afterAll(async () => {
    host?.close();
    await sb?.close();
  });

  it('names each group explicitly, and mcdnse is kfed\'s', async () => {
    expect(await kubectl('-n', 'default', 'get', 'dnsendpoints.multiclusterdns.kubefed.io', '-o', 'name')).toBe('dnsendpoint.multiclusterdns.kubefed.io/kfed-one\n');
    expect(await kubectl('-n', 'default', 'get', 'mcdnse', '-o', 'name')).toBe('dnsendpoint.multiclusterdns.kubefed.io/kfed-one\n');
    expect(await kubectl('-n', 'default', 'get', 'dnsendpoints.externaldns.k8s.io', '-o', 'name')).toBe('dnsendpoint.externaldns.k8s.io/edns-one\n');
    // The bare plural picks one group only: why the README names the group.
    expect((await kubectl('-n', 'default', 'get', 'dnsendpoints', '-o', 'name')).trim().split('\n')).toHaveLength(1);
  });
});
