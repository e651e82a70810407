// Issue 17 item 4 on the 3-cluster sandbox: a PropagationPolicy selecting `kind:
// FederatedDeployment` places by the clusters' discovered region (read from the sandbox's
// Node labels the way the health controller does), and an OverridePolicy selecting `kind:
// Deployment` edits images, labels, env and args with typed overriders targeted by zone and
// region. The members receive exactly the rendered objects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FederatedObject } from '../../../src/api/federation.js';
import { OVERRIDE_POLICIES, PROPAGATION_POLICIES } from '../../../src/api/federation.js';
import { NODES } from '../../../src/api/kubernetes.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { locationFromNodes } from '../../../src/clusters/cluster-status.js';
import { CLUSTERS, CONFIGMAPS, DEPLOYMENTS, FED_CONFIGMAPS, FED_DEPLOYMENTS, federateNamespace, inClusters, startEnv, until, type Env } from '../../support/propagation.js';

const NS = 'polsel';
let env: Env;

beforeAll(async () => {
  env = await startEnv();
  // Discovery as the health controller does it: region and zones from each member's Nodes.
  for (const name of CLUSTERS) {
    const nodes = await env.clients[name]!.dynamic.list(NODES);
    const loc = locationFromNodes(nodes.items);
    const m = env.members.get(name)!;
    env.members.add({ ...m, region: loc.region, zones: loc.zones });
  }
  await federateNamespace(env, NS);
}, 60_000);

afterAll(async () => {
  await env?.close();
});

type Container = { name: string; image: string; args?: string[]; env?: { name: string; value: string }[] };
const containers = (d: KubeObject | undefined): Container[] => ((d?.['spec'] as any)?.template?.spec?.containers ?? []) as Container[];

describe('policy selection by federated kind and discovered location, typed overriders', () => {
  it('places by region and overrides by zone and region', async () => {
    expect(env.members.list().map((m) => [m.name, m.region, m.zones])).toEqual([
      ['cluster-1', 'us-east-1', ['us-east-1a', 'us-east-1b']],
      ['cluster-2', 'eu-west-1', ['eu-west-1a']],
      ['cluster-3', 'ap-southeast-1', ['ap-southeast-1a']],
    ]);
    const fed: FederatedObject = {
      apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment',
      metadata: { name: 'web', namespace: NS, labels: { app: 'web' } },
      spec: {
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            replicas: 1, selector: { matchLabels: { app: 'web' } },
            template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', args: ['-g', 'daemon off;'], env: [{ name: 'MODE', value: 'prod' }] }] } },
          },
        },
      },
    };
    await env.host.dynamic.create(FED_DEPLOYMENTS, fed);
    await env.host.dynamic.create(PROPAGATION_POLICIES, {
      apiVersion: 'policy.kfed.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'us-eu', namespace: NS },
      spec: {
        resourceSelectors: [{ kind: 'FederatedDeployment', labelSelector: { matchLabels: { app: 'web' } } }],
        placement: { clusterSelector: { matchExpressions: [{ key: 'topology.kubernetes.io/region', operator: 'In', values: ['us-east-1', 'eu-west-1'] }] } },
      },
    } as KubeObject);
    await env.host.dynamic.create(OVERRIDE_POLICIES, {
      apiVersion: 'policy.kfed.io/v1alpha1', kind: 'OverridePolicy', metadata: { name: 'local', namespace: NS },
      spec: {
        resourceSelectors: [{ kind: 'Deployment', name: 'web' }],
        overrideRules: [
          {
            targetClusters: { clusterSelector: { matchLabels: { 'topology.kubernetes.io/zone': 'us-east-1b' } } },
            imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'mirror.us.example.com' }],
            labelsOverrider: [{ operator: 'add', value: { 'example.com/geo': 'us' } }],
            envOverrider: [{ containerName: 'web', operator: 'add', value: [{ name: 'REGION', value: 'us' }] }],
          },
          {
            targetClusters: { clusterSelector: { matchLabels: { 'topology.kubernetes.io/region': 'eu-west-1' } } },
            imageOverrider: [{ component: 'Tag', operator: 'replace', value: '1.27-eu' }],
            argsOverrider: [{ containerName: 'web', operator: 'add', value: ['-e', 'stderr'] }],
            envOverrider: [{ containerName: 'web', operator: 'remove', value: [{ name: 'MODE' }] }],
          },
        ],
      },
    } as KubeObject);

    const m = await until(async () => {
      const got = await inClusters(env, DEPLOYMENTS, NS, 'web');
      return containers(got['cluster-1'])[0]?.image === 'mirror.us.example.com/nginx:1.27' && containers(got['cluster-2'])[0]?.image === 'nginx:1.27-eu' ? got : undefined;
    }, 20_000);
    expect(m['cluster-3']).toBeUndefined();
    expect(m['cluster-1']!.metadata.labels).toMatchObject({ app: 'web', 'example.com/geo': 'us' });
    expect(containers(m['cluster-1'])[0]).toMatchObject({ args: ['-g', 'daemon off;'], env: [{ name: 'MODE', value: 'prod' }, { name: 'REGION', value: 'us' }] });
    expect(m['cluster-2']!.metadata.labels?.['example.com/geo']).toBeUndefined();
    const eu = containers(m['cluster-2'])[0]!;
    expect(eu.args).toEqual(['-g', 'daemon off;', '-e', 'stderr']);
    expect(eu.env ?? []).toEqual([]);

    // A bad typed overrider fails only the targeted cluster, with the policy named in the object's status.
    await env.host.dynamic.patch(OVERRIDE_POLICIES, 'local', { spec: { overrideRules: [{ targetClusters: { clusters: ['cluster-2'] }, commandOverrider: [{ containerName: 'ghost', operator: 'add', value: ['x'] }] }] } }, { namespace: NS, type: 'merge' });
    const st = await until(async () => {
      const f = await env.host.dynamic.get<FederatedObject>(FED_DEPLOYMENTS, 'web', { namespace: NS });
      const c2 = f?.status?.clusters?.find((c) => c.name === 'cluster-2');
      return c2?.status === 'ApplyOverridesFailed' ? c2 : undefined;
    }, 20_000);
    expect(st.message).toContain('OverridePolicy polsel/local: overrideRules[0]: commandOverrider: no container named "ghost"');
  }, 60_000);
  it('spread constraints: at most 2 regions, and a minimum that cannot be met fails placement', async () => {
    await env.host.dynamic.create(FED_CONFIGMAPS, { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap', metadata: { name: 'spread', namespace: NS, labels: { app: 'spread' } }, spec: { template: { data: { a: 'b' } } } } as KubeObject);
    await env.host.dynamic.create(PROPAGATION_POLICIES, {
      apiVersion: 'policy.kfed.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'two-regions', namespace: NS },
      spec: { resourceSelectors: [{ kind: 'ConfigMap', name: 'spread' }], placement: { clusterSelector: {} }, spreadConstraints: [{ spreadByField: 'region', maxGroups: 2 }] },
    } as KubeObject);
    // One cluster per region, so ties go by region name: ap-southeast-1 (cluster-3), eu-west-1 (cluster-2).
    await until(async () => {
      const got = await inClusters(env, CONFIGMAPS, NS, 'spread');
      return got['cluster-1'] === undefined && got['cluster-2'] !== undefined && got['cluster-3'] !== undefined;
    }, 20_000);
    await env.host.dynamic.patch(PROPAGATION_POLICIES, 'two-regions', { spec: { spreadConstraints: [{ spreadByField: 'region', minGroups: 4 }] } }, { namespace: NS, type: 'merge' });
    const cond = await until(async () => {
      const f = await env.host.dynamic.get<FederatedObject>(FED_CONFIGMAPS, 'spread', { namespace: NS });
      const c = f.status?.conditions?.find((x) => x.type === 'Propagation');
      return c?.reason === 'ComputePlacementFailed' ? c : undefined;
    }, 20_000);
    expect(cond.message).toContain('span 3 region(s) (ap-southeast-1, eu-west-1, us-east-1), fewer than minGroups 4');
  }, 60_000);
});
