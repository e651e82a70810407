// The lines kfed enable, disable, federate, join and unjoin print for src/kubefedctl's results:
// kubectl's and kubefedctl's wording, which users and scripts read.
import { describe, expect, it } from 'vitest';
import type { KubeFedCluster } from '../../../src/api/core.js';
import { disableLines, enableLine, federateLines, joinLine, joinStepLine, unjoinLine } from '../../../src/cli/kubefedctl-output.js';
import type { JoinStep } from '../../../src/kubefedctl/join-steps.js';

const cluster = { metadata: { name: 'cluster-2', namespace: 'kube-federation-system' }, spec: { secretRef: { name: 'cluster-2-abcde' } } } as KubeFedCluster;

describe('kubefedctl output', () => {
  it('enable: kubectl apply lines for the CRD and the FederatedTypeConfig', () => {
    expect(enableLine({ kind: 'CustomResourceDefinition', name: 'federatedwidgets.types.kubefed.io', action: 'created' })).toBe('customresourcedefinition.apiextensions.k8s.io/federatedwidgets.types.kubefed.io created');
    expect(enableLine({ kind: 'FederatedTypeConfig', name: 'widgets.example.com', namespace: 'kube-federation-system', action: 'unchanged' })).toBe(
      'federatedtypeconfig.core.kubefed.io/widgets.example.com unchanged in namespace kube-federation-system',
    );
  });

  it('disable: every step in order, or the one line for a missing type config', () => {
    expect(disableLines({ namespace: 'ns', name: 'deployments.apps', found: false, disabledPropagation: false })).toEqual(['FederatedTypeConfig "ns/deployments.apps" does not exist']);
    expect(disableLines({ namespace: 'ns', name: 'deployments.apps', found: true, disabledPropagation: true, crd: { name: 'federateddeployments.types.kubefed.io', deleted: true } })).toEqual([
      'Disabled propagation for FederatedTypeConfig "ns/deployments.apps"',
      'Propagation controller for FederatedTypeConfig "ns/deployments.apps" is stopped',
      'customresourcedefinition "federateddeployments.types.kubefed.io" deleted',
      'federatedtypeconfig "ns/deployments.apps" deleted',
    ]);
    expect(disableLines({ namespace: 'ns', name: 'jobs.batch', found: true, disabledPropagation: false, crd: { name: 'federatedjobs.types.kubefed.io', deleted: false } })).toEqual([
      'Propagation already disabled for FederatedTypeConfig "ns/jobs.batch"',
      'Propagation controller for FederatedTypeConfig "ns/jobs.batch" is stopped',
      'customresourcedefinition "federatedjobs.types.kubefed.io" does not exist',
      'federatedtypeconfig "ns/jobs.batch" deleted',
    ]);
  });

  it('federate: the types enabled on the way, then each object created or found', () => {
    expect(
      federateLines([
        { step: 'enabled', changes: [{ kind: 'CustomResourceDefinition', name: 'federatedwidgets.types.kubefed.io', action: 'created' }, { kind: 'FederatedTypeConfig', name: 'widgets.example.com', namespace: 'kfs', action: 'created' }] },
        { step: 'federated', kind: 'FederatedWidget', name: 'w', namespace: 'app', created: true, placement: { placement: { clusterSelector: {} } } },
        { step: 'federated', kind: 'FederatedNamespace', name: 'app', namespace: 'app', created: false, placement: { placement: { clusterSelector: {} } } },
        { step: 'federated', kind: 'FederatedClusterRole', name: 'reader', created: true, placement: { placement: { clusterSelector: {} } } },
        { step: 'federated', kind: 'FederatedConfigMap', name: 'c', namespace: 'app', created: true, placement: { policy: 'PropagationPolicy app/eu' } },
        { step: 'federated', kind: 'FederatedSecret', name: 's', namespace: 'app', created: true, placement: {} },
        { step: 'federated', kind: 'FederatedSecret', name: 't', namespace: 'app', created: true, placement: { placement: { clusterSelector: {} }, policy: 'ClusterPropagationPolicy all-eu', policyOverridden: true } },
      ]),
    ).toEqual([
      'customresourcedefinition.apiextensions.k8s.io/federatedwidgets.types.kubefed.io created',
      'federatedtypeconfig.core.kubefed.io/widgets.example.com created in namespace kfs',
      'federatedwidget.types.kubefed.io/w created in namespace app',
      'federatednamespace.types.kubefed.io/app already exists',
      'federatedclusterrole.types.kubefed.io/reader created',
      'federatedconfigmap.types.kubefed.io/c created in namespace app',
      'federatedconfigmap.types.kubefed.io/c: no placement written; PropagationPolicy app/eu places it',
      'federatedsecret.types.kubefed.io/s created in namespace app',
      'federatedsecret.types.kubefed.io/s: no placement written and no PropagationPolicy selects it: placed on no cluster until one does',
      'federatedsecret.types.kubefed.io/t created in namespace app',
      'federatedsecret.types.kubefed.io/t: placed on every cluster (--placement all); ClusterPropagationPolicy all-eu selects it but does not apply to an object with its own placement',
    ]);
  });

  it('join and unjoin: one line each', () => {
    const created: JoinStep = { step: 'created', kind: 'Secret', namespace: 'kube-federation-system', name: 'x', where: 'host cluster-1' };
    expect(joinLine('cluster-2', { cluster, changes: [created], dryRun: false })).toBe('cluster "cluster-2" joined (KubeFedCluster kube-federation-system/cluster-2, secret cluster-2-abcde)');
    expect(joinLine('cluster-2', { cluster, changes: [], dryRun: false })).toBe('cluster "cluster-2" is already joined (KubeFedCluster kube-federation-system/cluster-2); nothing to change');
    expect(joinLine('cluster-2', { cluster, changes: [], dryRun: true })).toBe('dry run: cluster "cluster-2" can be joined (KubeFedCluster kube-federation-system/cluster-2); nothing was changed');
    expect(unjoinLine('cluster-2', { deleted: [{ ...created, step: 'deleted' }, { ...created, step: 'deleted', name: 'y' }], warnings: ['w'] }, false)).toBe('cluster "cluster-2" unjoined (2 objects deleted; 1 warning(s))');
    expect(unjoinLine('cluster-2', { deleted: [], warnings: [] }, true)).toBe('dry run: cluster "cluster-2" can be unjoined; nothing was changed');
  });

  it('join and unjoin steps as kubefedctl --v lines', () => {
    const where = 'member cluster-2';
    const steps: [JoinStep, string][] = [
      [{ step: 'created', kind: 'ServiceAccount', namespace: 'kube-federation-system', name: 'cluster-2-cluster-1', where }, 'created ServiceAccount kube-federation-system/cluster-2-cluster-1 in member cluster-2'],
      [{ step: 'unchanged', kind: 'ClusterRole', name: 'kubefed-controller-manager:cluster-2-cluster-1', where }, 'unchanged ClusterRole kubefed-controller-manager:cluster-2-cluster-1 in member cluster-2'],
      [{ step: 'rolled-back', undo: { action: 'delete', kind: 'Secret', namespace: 'ns', name: 's', where } }, 'rolled back: delete Secret ns/s in member cluster-2'],
      [{ step: 'preflight', host: 'cluster-1', member: 'cluster-2' }, 'performing preflight checks (host cluster-1, member cluster-2)'],
      [{ step: 'would-join', cluster: 'cluster-2', server: 'https://127.0.0.1:6443', serviceAccount: 'ns/sa', roleKind: 'ClusterRole', role: 'r' }, 'dry run: would join cluster-2 (https://127.0.0.1:6443) with service account ns/sa and ClusterRole r'],
      [{ step: 'would-clean-member', serviceAccount: 'sa', where, namespace: 'ns' }, 'dry run: would delete the service account, token Secret and RBAC of sa in member cluster-2 and namespace ns'],
      [{ step: 'would-unjoin', namespace: 'ns', name: 'cluster-2', host: 'cluster-1' }, 'dry run: would delete KubeFedCluster ns/cluster-2 and its Secret from host cluster-1'],
      [{ step: 'kept-namespace', namespace: 'ns', where, serviceAccounts: ['a', 'b'] }, 'kept namespace ns in member cluster-2: it still holds ServiceAccount a, b of another join'],
      [{ step: 'warning', message: 'm' }, 'warning: m'],
    ];
    for (const [step, line] of steps) expect(joinStepLine(step)).toBe(line);
  });
});
