// `kfed enable FederatedDeployment` (issue 13 item 5): the federated type's name stands for
// its target (Deployment) instead of creating `federatedfederateddeployments`; a federated
// type without a target is refused with a clear error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { enableDefaultTypes, enableType } from '../../../src/kubefedctl/enable.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { installCrds } from '../../support/crds.js';
import { ensureNamespace, KUBEFED_NS } from '../../support/propagation.js';
import { CUSTOM_RESOURCE_DEFINITIONS } from '../../../src/api/kubernetes.js';

let sb: Sandbox;
let host: ClusterClient;

beforeAll(async () => {
  sb = await startSandbox({ clusters: 1 });
  host = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1', timeoutMs: 5000 });
  await installCrds(host, 'crds/core');
  await ensureNamespace(host, KUBEFED_NS);
  await enableDefaultTypes(host, KUBEFED_NS);
}, 60_000);

afterAll(async () => {
  host?.close();
  await sb?.close();
});

describe('kfed enable with a federated type name', () => {
  it.each(['FederatedDeployment', 'federateddeployments', 'federateddeployments.types.kubefed.io'])('%s enables deployments.apps', async (name) => {
    const { resources, changes } = await enableType(host, name, { namespace: KUBEFED_NS });
    expect(resources.target).toMatchObject({ group: 'apps', kind: 'Deployment' });
    expect(resources.crd.metadata.name).toBe('federateddeployments.types.kubefed.io');
    expect(changes.map((c) => c.name).join('\n')).not.toMatch(/federatedfederated/);
    expect(await host.dynamic.getIfExists(CUSTOM_RESOURCE_DEFINITIONS, 'federatedfederateddeployments.types.kubefed.io')).toBeUndefined();
  });

  it('refuses a federated type whose target is not served', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'federatedwidgets.types.kubefed.io' },
      spec: {
        group: 'types.kubefed.io', scope: 'Namespaced', names: { kind: 'FederatedWidget', plural: 'federatedwidgets', singular: 'federatedwidget', listKind: 'FederatedWidgetList' },
        versions: [{ name: 'v1beta1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    } as KubeObject;
    await host.dynamic.create(CUSTOM_RESOURCE_DEFINITIONS, crd);
    await expect(enableType(host, 'FederatedWidget', { namespace: KUBEFED_NS })).rejects.toThrow(
      '"FederatedWidget" is the federated type FederatedWidget, not a type to federate, and no API type of kind Widget is served; name the target type (e.g. widgets.<group>)',
    );
  });
});
