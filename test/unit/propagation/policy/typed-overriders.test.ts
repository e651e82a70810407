// Typed overriders (Karmada's OverridePolicy shape) become JSON-patch operations: table
// tests of the image edits, each overrider against a Deployment, their order inside a policy
// and across policies, and the failures naming the policy.
import { describe, expect, it } from 'vitest';
import type { FederatedObject, ImageOverrider, OverridePolicy, OverrideRule } from '../../../../src/api/federation.js';
import type { KubeObject } from '../../../../src/api/meta.js';
import { overrideImage, parseImage } from '../../../../src/propagation/policy/image.js';
import { applyClusterOverrides, overridesForCluster } from '../../../../src/propagation/policy/overrides.js';
import { containersOf, typedOverriderOps } from '../../../../src/propagation/policy/typed-overriders.js';

describe('image references', () => {
  it.each([
    ['nginx', { registry: '', repository: 'nginx', tag: '', digest: '' }],
    ['nginx:1.27', { registry: '', repository: 'nginx', tag: '1.27', digest: '' }],
    ['library/nginx:1.27', { registry: '', repository: 'library/nginx', tag: '1.27', digest: '' }],
    ['registry.k8s.io/pause:3.9', { registry: 'registry.k8s.io', repository: 'pause', tag: '3.9', digest: '' }],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app', tag: '', digest: '' }],
    ['ghcr.io/o/app@sha256:ab', { registry: 'ghcr.io', repository: 'o/app', tag: '', digest: 'sha256:ab' }],
  ])('parses %s', (image, ref) => expect(parseImage(image)).toEqual(ref));

  const cases: [string, ImageOverrider, string][] = [
    ['nginx:1.27', { component: 'Registry', operator: 'add', value: 'mirror.example.cn' }, 'mirror.example.cn/nginx:1.27'],
    ['docker.io/nginx:1.27', { component: 'Registry', operator: 'add', value: '.cn' }, 'docker.io.cn/nginx:1.27'],
    ['docker.io/nginx:1.27', { component: 'Registry', operator: 'replace', value: 'mirror.example.eu' }, 'mirror.example.eu/nginx:1.27'],
    ['docker.io/nginx:1.27', { component: 'Registry', operator: 'remove' }, 'nginx:1.27'],
    ['docker.io/nginx:1.27', { component: 'Repository', operator: 'replace', value: 'library/nginx' }, 'docker.io/library/nginx:1.27'],
    ['docker.io/nginx:1.27', { component: 'Repository', operator: 'add', value: '-fips' }, 'docker.io/nginx-fips:1.27'],
    ['nginx:1.27', { component: 'Tag', operator: 'replace', value: '1.28' }, 'nginx:1.28'],
    ['nginx', { component: 'Tag', operator: 'add', value: '1.28' }, 'nginx:1.28'],
    ['nginx:1.27', { component: 'Tag', operator: 'remove' }, 'nginx'],
    ['nginx:1.27@sha256:ab', { component: 'Tag', operator: 'replace', value: '1.28' }, 'nginx:1.28'],
  ];
  it.each(cases)('%s with %j is %s', (image, o, want) => expect(overrideImage(image, o)).toEqual({ ok: true, image: want }));

  it.each([
    [{ component: 'Repository', operator: 'remove' }, /cannot be removed/],
    [{ component: 'Tag', operator: 'replace' }, /needs a value/],
    [{ component: 'Digest', operator: 'replace', value: 'x' }, /unknown component/],
    [{ component: 'Tag', operator: 'merge', value: 'x' }, /unsupported operator/],
  ])('refuses %j', (o, msg) => {
    const r = overrideImage('nginx:1', o as ImageOverrider);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(msg);
  });
});

const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    template: {
      spec: {
        initContainers: [{ name: 'init', image: 'busybox:1.36' }],
        containers: [
          { name: 'web', image: 'nginx:1.27', command: ['nginx'], args: ['-g', 'daemon off;'], env: [{ name: 'MODE', value: 'prod' }, { name: 'DEBUG', value: '0' }] },
          { name: 'sidecar', image: 'docker.io/envoyproxy/envoy:v1.30' },
        ],
      },
    },
  },
});

/** Apply a rule's typed operations to the deployment and return the result. */
function run(rule: Omit<OverrideRule, 'targetClusters'>, doc: KubeObject = deployment()): any {
  const ops = typedOverriderOps({ targetClusters: {}, ...rule }, doc as Record<string, unknown>);
  if (!ops.ok) throw new Error(ops.message);
  const out = applyClusterOverrides(doc, ops.ops);
  if (!out.ok) throw new Error(out.message);
  return out.value;
}

describe('typed overriders as operations', () => {
  it('finds containers in Pod, workload and CronJob shapes', () => {
    expect(containersOf(deployment() as Record<string, unknown>).map((c) => c.path)).toEqual(['/spec/template/spec/initContainers/0', '/spec/template/spec/containers/0', '/spec/template/spec/containers/1']);
    expect(containersOf({ spec: { containers: [{ name: 'a' }] } }).map((c) => c.path)).toEqual(['/spec/containers/0']);
    expect(containersOf({ spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a' }] } } } } } }).map((c) => c.path)).toEqual(['/spec/jobTemplate/spec/template/spec/containers/0']);
    expect(containersOf({ data: { a: 'b' } })).toEqual([]);
  });

  it('imageOverrider edits every container, or the named ones, in order', () => {
    const all = run({ imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'mirror.example.cn' }, { component: 'Tag', operator: 'add', value: '-cn' }] });
    expect(all.spec.template.spec.initContainers[0].image).toBe('mirror.example.cn/busybox:1.36-cn');
    expect(all.spec.template.spec.containers.map((c: any) => c.image)).toEqual(['mirror.example.cn/nginx:1.27-cn', 'mirror.example.cn/envoyproxy/envoy:v1.30-cn']);
    const one = run({ imageOverrider: [{ component: 'Tag', operator: 'replace', value: '1.28', containerNames: ['web'] }] });
    expect(one.spec.template.spec.containers.map((c: any) => c.image)).toEqual(['nginx:1.28', 'docker.io/envoyproxy/envoy:v1.30']);
  });

  it('labelsOverrider and annotationsOverrider add, replace only existing keys, and remove', () => {
    const out = run({
      labelsOverrider: [{ operator: 'add', value: { tier: 'edge', 'example.com/zone': 'a' } }, { operator: 'replace', value: { app: 'web-eu', absent: 'x' } }, { operator: 'remove', value: { tier: '' } }],
      annotationsOverrider: [{ operator: 'add', value: { 'kfed.io/owner': 'team-a' } }, { operator: 'remove', value: { never: '' } }],
    });
    expect(out.metadata.labels).toEqual({ app: 'web-eu', 'example.com/zone': 'a' });
    expect(out.metadata.annotations).toEqual({ 'kfed.io/owner': 'team-a' });
  });

  it('commandOverrider and argsOverrider append and drop items of the named container', () => {
    const out = run({
      commandOverrider: [{ containerName: 'web', operator: 'add', value: ['-c', '/etc/nginx/eu.conf'] }],
      argsOverrider: [{ containerName: 'web', operator: 'remove', value: ['daemon off;'] }, { containerName: 'sidecar', operator: 'add', value: ['--log-level', 'debug'] }],
    });
    const [web, sidecar] = out.spec.template.spec.containers;
    expect(web.command).toEqual(['nginx', '-c', '/etc/nginx/eu.conf']);
    expect(web.args).toEqual(['-g']);
    expect(sidecar.args).toEqual(['--log-level', 'debug']);
  });

  it('envOverrider sets, replaces existing and removes variables by name', () => {
    const out = run({
      envOverrider: [
        { containerName: 'web', operator: 'add', value: [{ name: 'REGION', value: 'eu' }, { name: 'MODE', value: 'canary' }] },
        { containerName: 'web', operator: 'replace', value: [{ name: 'DEBUG', value: '1' }, { name: 'ABSENT', value: 'x' }] },
        { containerName: 'web', operator: 'remove', value: [{ name: 'MODE' }] },
        { containerName: 'sidecar', operator: 'add', value: [{ name: 'A', value: 'b' }] },
      ],
    });
    expect(out.spec.template.spec.containers[0].env).toEqual([{ name: 'DEBUG', value: '1' }, { name: 'REGION', value: 'eu' }]);
    expect(out.spec.template.spec.containers[1].env).toEqual([{ name: 'A', value: 'b' }]);
  });

  it('a labels overrider on an object without labels creates the map', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} } as KubeObject;
    expect(run({ labelsOverrider: [{ operator: 'add', value: { a: 'b' } }] }, cm).metadata.labels).toEqual({ a: 'b' });
  });

  it.each([
    [{ commandOverrider: [{ containerName: 'nope', operator: 'add', value: ['x'] }] }, /commandOverrider: no container named "nope"/],
    [{ argsOverrider: [{ containerName: 'web', operator: 'replace', value: ['x'] }] }, /argsOverrider: unsupported operator "replace"/],
    [{ envOverrider: [{ containerName: 'web', operator: 'add', value: [{ value: 'x' }] }] }, /every value needs a name/],
    [{ labelsOverrider: [{ operator: 'merge', value: { a: 'b' } }] }, /labelsOverrider: unsupported operator/],
  ])('refuses %j', (rule, msg) => {
    const r = typedOverriderOps({ targetClusters: {}, ...(rule as object) } as OverrideRule, deployment() as Record<string, unknown>);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(msg);
  });
});

describe('typed overriders in overridesForCluster', () => {
  const fed: FederatedObject = {
    apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment',
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
    spec: { template: { metadata: { labels: { app: 'web' } }, spec: deployment().spec as Record<string, unknown> } },
  };
  const policy = (name: string, priority: number, rule: Omit<OverrideRule, 'targetClusters'>, kind = 'Deployment'): OverridePolicy => ({
    apiVersion: 'policy.kfed.io/v1alpha1', kind: 'OverridePolicy', metadata: { name, namespace: 'shop' },
    spec: { priority, resourceSelectors: [{ kind }], overrideRules: [{ targetClusters: { clusterSelector: { matchLabels: { 'topology.kubernetes.io/region': 'eu-west-1' } } }, ...rule }] },
  });
  const eu = { name: 'c1', labels: {}, region: 'eu-west-1', zones: ['eu-west-1a'] };
  const us = { name: 'c2', labels: {}, region: 'us-east-1' };

  it('later policies see the edits of earlier ones; plaintext before typed within a rule; only targeted clusters', () => {
    const policies = [
      policy('tag', 2, { imageOverrider: [{ component: 'Tag', operator: 'add', value: '-eu' }] }, 'FederatedDeployment'),
      policy('mirror', 1, { overriders: [{ path: '/spec/replicas', value: 5 }], imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'mirror.example.eu', containerNames: ['web'] }] }),
    ];
    const r = overridesForCluster(fed, eu, 'Deployment', policies);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const out = applyClusterOverrides({ ...(fed.spec.template as object), metadata: { name: 'web' } } as KubeObject, r.value);
    expect(out.ok && (out.value as any).spec.replicas).toBe(5);
    expect(out.ok && (out.value as any).spec.template.spec.containers[0].image).toBe('mirror.example.eu/nginx:1.27-eu');
    expect(overridesForCluster(fed, us, 'Deployment', policies)).toEqual({ ok: true, value: [] });
  });

  it('a failing typed overrider names its policy and rule', () => {
    const r = overridesForCluster(fed, eu, 'Deployment', [policy('bad', 0, { envOverrider: [{ containerName: 'ghost', operator: 'add', value: [{ name: 'A' }] }] })]);
    expect(r).toEqual({ ok: false, reason: 'ApplyOverridesFailed', message: 'OverridePolicy shop/bad: overrideRules[0]: envOverrider: no container named "ghost"' });
  });
});
