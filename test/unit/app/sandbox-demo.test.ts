import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../src/app/apply-manifest.js';
import { describeConfig } from '../../../src/app/control-plane.js';
import { demoInstructions, findGoAppExample, GO_APP_DNS_NAME, propagationGap } from '../../../src/app/sandbox-demo.js';
import { buildConfig } from '../../../src/config/config.js';
import { readFileSync } from 'node:fs';

describe('propagationGap', () => {
  const obj = (status: unknown): never => ({ apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment', metadata: { name: 'go-app' }, status }) as never;

  it('is undefined only when Propagation is True and every cluster is OK', () => {
    const ok = obj({ conditions: [{ type: 'Propagation', status: 'True' }], clusters: [{ name: 'cluster-1' }, { name: 'cluster-2' }] });
    expect(propagationGap(ok, ['cluster-1', 'cluster-2'])).toBeUndefined();
    expect(propagationGap(ok, ['cluster-1', 'cluster-2', 'cluster-3'])).toBe('not yet in cluster-3');
  });

  it('explains what is missing', () => {
    expect(propagationGap(undefined, ['cluster-1'])).toBe('not found');
    expect(propagationGap(obj(undefined), ['cluster-1'])).toBe('Propagation not reported yet');
    expect(propagationGap(obj({ conditions: [{ type: 'Propagation', status: 'False', reason: 'CheckClusters' }], clusters: [{ name: 'cluster-1', status: 'ClusterNotReady' }] }), ['cluster-1'])).toBe('Propagation False (CheckClusters)');
    expect(propagationGap(obj({ conditions: [{ type: 'Propagation', status: 'True' }], clusters: [{ name: 'cluster-1', status: 'CreationFailed' }] }), ['cluster-1'])).toBe('not yet in cluster-1');
  });
});

describe('demoInstructions', () => {
  const lines = demoInstructions({
    kubeconfig: '/tmp/kc', hostContext: 'cluster-1', member: 'cluster-2', dns: { address: '127.0.0.1', port: 5353 },
    metricsUrl: 'http://127.0.0.1:9000', kfed: 'kfed', region: 'eu-west-1',
  });

  it('prints runnable kubectl, dig, curl and failover commands', () => {
    expect(lines).toContain('  kubectl --kubeconfig /tmp/kc --context cluster-1 -n kube-federation-system get kubefedclusters');
    expect(lines).toContain('  kubectl --kubeconfig /tmp/kc --context cluster-1 describe federateddeployment go-app -n go-app');
    expect(lines).toContain(`  dig @127.0.0.1 -p 5353 ${GO_APP_DNS_NAME}`);
    expect(lines).toContain('  dig @127.0.0.1 -p 5353 go-app.go-app.myfed.svc.eu-west-1.example.com');
    expect(lines.some((l) => l.startsWith('  curl -s http://127.0.0.1:9000/metrics'))).toBe(true);
    const stop = lines.indexOf('  kfed sandbox ctl --kubeconfig /tmp/kc stop cluster-2');
    expect(stop).toBeGreaterThan(0);
    expect(lines[stop + 1]).toBe(`  dig @127.0.0.1 -p 5353 ${GO_APP_DNS_NAME}`);
    expect(lines[stop + 2]).toBe('  kfed sandbox ctl --kubeconfig /tmp/kc start cluster-2');
  });
});

describe('parseManifest', () => {
  it('reads the repository copy of the go-app example', () => {
    const objs = parseManifest(readFileSync(findGoAppExample(), 'utf8'), 'go-app.yaml');
    expect(objs.map((o) => o.kind)).toEqual(['Namespace', 'FederatedNamespace', 'FederatedDeployment', 'FederatedService', 'Domain', 'ServiceDNSRecord']);
  });

  it('names the document that lacks identity', () => {
    expect(() => parseManifest('apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n', 'x.yaml')).toThrow(/x.yaml: document 1 lacks/);
    expect(parseManifest('---\n---\n', 'empty.yaml')).toEqual([]);
  });
});

describe('describeConfig', () => {
  it('redacts an inline kubeconfig and keeps the KubeFedConfig spec', () => {
    const config = buildConfig({ kubeconfigYaml: 'users: [{user: {token: abc}}]', identity: 'me', dnsListen: ':5353' });
    const printed = describeConfig(config);
    expect(JSON.stringify(printed)).not.toContain('abc');
    expect(printed).toMatchObject({ host: { kubeconfigYaml: '[REDACTED]' }, kubeFedConfig: { name: 'kubefed', spec: { scope: 'Cluster' } }, dns: { listen: { port: 5353 } } });
  });
});
