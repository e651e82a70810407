// Validated templates (issue 17 item 2): the host rejects a Federated<Kind> whose template
// every member would reject, with the member's field path under spec.template, both with
// the shipped CRDs (crds/types, the target schemas of a real kube-apiserver) and with the
// CRD `kfed enable` builds from the host's own OpenAPI v3 document (here for a CRD-defined
// kind); a host that publishes no schema for a kind does not make `kfed enable` open a
// typed CRD that is already installed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOM_RESOURCE_DEFINITIONS } from '../../../src/api/kubernetes.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { enableType } from '../../../src/kubefedctl/enable.js';
import type { CustomResourceDefinition } from '../../../src/propagation/types/federated-crd.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { installCrds } from '../../support/crds.js';
import { ensureNamespace, KUBEFED_NS } from '../../support/propagation.js';
import { pollUntil as until } from '../../support/until.js';

let sb: Sandbox;
let host: ClusterClient;

const ref = (plural: string) => ({ group: 'types.kubefed.io', version: 'v1beta1', resource: plural, namespaced: true, kind: '' }) as const;

async function refusal(obj: KubeObject, plural: string): Promise<string> {
  try {
    await host.dynamic.create(ref(plural), obj);
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
}

beforeAll(async () => {
  sb = await startSandbox({ clusters: 1 });
  host = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1', timeoutMs: 10_000 });
  await installCrds(host, 'crds/core');
  await installCrds(host, 'crds/types');
  await ensureNamespace(host, KUBEFED_NS);
  await ensureNamespace(host, 'demo');
}, 60_000);

afterAll(async () => {
  host?.close();
  await sb?.close();
});

const deployment = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment', metadata: { name: `d${Math.random().toString(36).slice(2, 8)}`, namespace: 'demo' },
  spec: { placement: { clusters: [] }, template: { spec } },
});
const pod = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'a', image: 'nginx', ports: [{ containerPort: 80 }] }] } };

describe('shipped Federated<Kind> CRDs validate the template', () => {
  it('rejects replicas: "two" and a container port as text, at the member field path; accepts a valid template', async () => {
    expect(await refusal(deployment({ replicas: 'two', selector: { matchLabels: { app: 'a' } }, template: pod }), 'federateddeployments')).toMatch(/spec\.template\.spec\.replicas/);
    const badPort = { ...pod, spec: { containers: [{ name: 'a', image: 'nginx', ports: [{ containerPort: 'http' }] }] } };
    expect(await refusal(deployment({ replicas: 2, selector: { matchLabels: { app: 'a' } }, template: badPort }), 'federateddeployments')).toMatch(/spec\.template\.spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort/);
    expect(await refusal(deployment({ replicas: 2, template: pod }), 'federateddeployments')).toMatch(/spec\.template\.spec\.selector/);
    expect(await refusal(deployment({ replicas: 2, selector: { matchLabels: { app: 'a' } }, template: pod }), 'federateddeployments')).toBe('accepted');
  });

  it('keeps int-or-string and quantities open where members accept both spellings', async () => {
    const svc: KubeObject = {
      apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedService', metadata: { name: 'web', namespace: 'demo' },
      spec: { placement: { clusters: [] }, template: { spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }] } } },
    };
    expect(await refusal(svc, 'federatedservices')).toBe('accepted');
    const withCpu = { ...pod, spec: { containers: [{ name: 'a', image: 'nginx', resources: { limits: { cpu: 0.5, memory: '64Mi' } } }] } };
    expect(await refusal(deployment({ selector: { matchLabels: { app: 'a' } }, template: withCpu }), 'federateddeployments')).toBe('accepted');
  });
});

describe('kfed enable builds the template schema from the host', () => {
  it('a CRD-defined kind: its own schema validates the federated template', async () => {
    const widgets = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer' }, color: { type: 'string', enum: ['red', 'blue'] } } } } } } }],
      },
    } as KubeObject;
    await host.dynamic.create(CUSTOM_RESOURCE_DEFINITIONS, widgets);
    const { resources } = await until(async () => {
      try {
        return await enableType(host, 'widgets', { namespace: KUBEFED_NS });
      } catch {
        return undefined;
      }
    }, 20_000, 200);
    expect(resources.openTemplate).toBeUndefined();
    const fw = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedWidget', metadata: { name: `w${Math.random().toString(36).slice(2, 8)}`, namespace: 'demo' }, spec: { placement: { clusters: [] }, template: { spec } } });
    await until(async () => ((await refusal(fw({ size: 1 }), 'federatedwidgets')) === 'accepted' ? true : undefined), 20_000, 200);
    expect(await refusal(fw({ size: 'big' }), 'federatedwidgets')).toMatch(/spec\.template\.spec\.size/);
    expect(await refusal(fw({ size: 1, color: 'green' }), 'federatedwidgets')).toMatch(/spec\.template\.spec\.color/);
  });

  it('a kind the host publishes no schema for keeps the typed CRD already installed', async () => {
    await enableType(host, 'configmaps', { namespace: KUBEFED_NS });
    const crd = await host.dynamic.get<CustomResourceDefinition>(CUSTOM_RESOURCE_DEFINITIONS, 'federatedconfigmaps.types.kubefed.io');
    const template = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec?.properties?.template;
    expect(template?.properties?.data).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
  });
});
