import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../src/api/meta.js';
import type { FederatedObject } from '../../../../src/api/federation.js';
import type { FederatedTypeConfig } from '../../../../src/api/core.js';
import {
  applyConfiguration, baseObject, desiredObject, mergeForUpdate, needsUpdate, retainMemberFields, targetTypeInfo,
} from '../../../../src/propagation/sync/desired.js';

const deployTarget = { group: 'apps', version: 'v1', kind: 'Deployment', namespaced: true };

const fedDeployment = (): FederatedObject => ({
  apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment',
  metadata: { name: 'go-app', namespace: 'go-app', uid: 'u1', generation: 3 },
  spec: {
    template: {
      metadata: { labels: { app: 'go-app' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'go-app' } },
        template: { metadata: { labels: { app: 'go-app' } }, spec: { containers: [{ name: 'go-app', image: 'example.org/go-app:1.0', ports: [{ containerPort: 8080 }] }] } },
      },
    },
    placement: { clusterSelector: {} },
  },
});

describe('baseObject / desiredObject', () => {
  it('builds the go-app member object for cluster-2 field by field', () => {
    const { object, warnings } = baseObject(fedDeployment(), deployTarget);
    expect(warnings).toEqual([]);
    const out = desiredObject(object, [
      { path: '/spec/replicas', value: 4 },
      { path: '/spec/template/spec/containers/0/image', value: 'example.org/go-app:1.1' },
      { op: 'add', path: '/metadata/labels/canary', value: 'true' },
    ]);
    expect(out).toEqual({
      ok: true,
      value: {
        apiVersion: 'apps/v1', kind: 'Deployment',
        metadata: { name: 'go-app', namespace: 'go-app', labels: { app: 'go-app', canary: 'true', 'kubefed.io/managed': 'true' } },
        spec: {
          replicas: 4,
          selector: { matchLabels: { app: 'go-app' } },
          template: { metadata: { labels: { app: 'go-app' } }, spec: { containers: [{ name: 'go-app', image: 'example.org/go-app:1.1', ports: [{ containerPort: 8080 }] }] } },
        },
      },
    });
  });

  it('takes name/namespace from the federated object and apiVersion/kind from the target', () => {
    const fed = fedDeployment();
    fed.spec.template = { apiVersion: 'extensions/v1beta1', kind: 'Foo', metadata: { name: 'other', namespace: 'elsewhere', uid: 'x', resourceVersion: '9', finalizers: ['f'] }, status: { replicas: 1 } };
    const { object, warnings } = baseObject(fed, deployTarget);
    expect(object).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'go-app', namespace: 'go-app' } });
    expect(warnings[0]).toMatch(/finalizers cannot be set via template/);
  });

  it('creates cluster-scoped targets (Namespace) without a namespace, from an empty template', () => {
    const fedNs: FederatedObject = { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedNamespace', metadata: { name: 'go-app', namespace: 'go-app' }, spec: {} };
    const out = desiredObject(baseObject(fedNs, { version: 'v1', kind: 'Namespace', namespaced: false }).object, []);
    expect(out).toEqual({ ok: true, value: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'go-app', labels: { 'kubefed.io/managed': 'true' } } } });
  });

  it('an override cannot remove the managed label', () => {
    const base = baseObject(fedDeployment(), deployTarget).object;
    const out = desiredObject(base, [{ op: 'remove', path: '/metadata/labels' }]);
    expect(out.ok && out.value.metadata.labels).toEqual({ 'kubefed.io/managed': 'true' });
  });

  it('reads the target from a FederatedTypeConfig', () => {
    const ftc = { spec: { targetType: { group: 'apps', version: 'v1', kind: 'Deployment', pluralName: 'deployments', scope: 'Namespaced' } } } as FederatedTypeConfig;
    expect(targetTypeInfo(ftc)).toEqual(deployTarget);
    const core = { spec: { targetType: { version: 'v1', kind: 'Namespace', pluralName: 'namespaces', scope: 'Cluster' } } } as FederatedTypeConfig;
    expect(targetTypeInfo(core)).toEqual({ version: 'v1', kind: 'Namespace', namespaced: false });
  });
});

const desiredDeployment = (): KubeObject => {
  const out = desiredObject(baseObject(fedDeployment(), deployTarget).object, []);
  if (!out.ok) throw new Error(out.message);
  return out.value;
};

/** What a member API server returns: defaults added, zero values dropped, status present. */
const observedDeployment = (): KubeObject => {
  const d = desiredDeployment();
  return {
    ...structuredClone(d),
    metadata: { ...d.metadata, uid: 'm1', resourceVersion: '77', generation: 1, annotations: { 'deployment.kubernetes.io/revision': '1' }, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      ...(structuredClone(d.spec) as object),
      progressDeadlineSeconds: 600, revisionHistoryLimit: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'go-app' } },
        spec: { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', containers: [{ name: 'go-app', image: 'example.org/go-app:1.0', ports: [{ containerPort: 8080, protocol: 'TCP' }], terminationMessagePath: '/dev/termination-log', imagePullPolicy: 'IfNotPresent' }] },
      },
    },
    status: { replicas: 2, readyReplicas: 2 },
  };
};

describe('needsUpdate (drift detection)', () => {
  it('server defaults, member annotations and status are not drift', () => {
    expect(needsUpdate(desiredDeployment(), observedDeployment())).toBe(false);
  });

  const drifts: { name: string; edit: (o: any) => void }[] = [
    { name: 'image edited in the member', edit: (o) => { o.spec.template.spec.containers[0].image = 'evil:1'; } },
    { name: 'replicas edited in the member', edit: (o) => { o.spec.replicas = 7; } },
    { name: 'a container added in the member', edit: (o) => { o.spec.template.spec.containers.push({ name: 'x', image: 'y' }); } },
    { name: 'managed label removed', edit: (o) => { delete o.metadata.labels['kubefed.io/managed']; } },
    { name: 'template label changed', edit: (o) => { o.metadata.labels.app = 'other'; } },
  ];
  for (const d of drifts) {
    it(`flags ${d.name}`, () => {
      const observed = observedDeployment();
      d.edit(observed);
      expect(needsUpdate(desiredDeployment(), observed)).toBe(true);
    });
  }

  it('with retainReplicas, member replicas (HPA) are not drift', () => {
    const observed = observedDeployment();
    (observed.spec as any).replicas = 9;
    expect(needsUpdate(desiredDeployment(), observed, { retainReplicas: true })).toBe(false);
  });

  it('omitted zero values (paused: false) and canonical quantities are not drift', () => {
    const desired = desiredDeployment();
    (desired.spec as any).paused = false;
    (desired.spec as any).template.spec.containers[0].resources = { limits: { cpu: '1000m', memory: '1Gi' } };
    const observed = observedDeployment();
    (observed.spec as any).template.spec.containers[0].resources = { limits: { cpu: '1', memory: '1Gi' } };
    expect(needsUpdate(desired, observed)).toBe(false);
    (observed.spec as any).template.spec.containers[0].resources.limits.cpu = '2';
    expect(needsUpdate(desired, observed)).toBe(true);
  });
});

const service = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'go-app', namespace: 'go-app', labels: { 'kubefed.io/managed': 'true' } }, spec });

describe('member-owned fields', () => {
  const liveSvc = service({
    type: 'LoadBalancer', clusterIP: '10.0.0.7', clusterIPs: ['10.0.0.7'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', healthCheckNodePort: 31000,
    selector: { app: 'go-app' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30080 }],
  });
  liveSvc.metadata.resourceVersion = '12';

  it('a LoadBalancer Service keeps clusterIP(s), nodePorts and healthCheckNodePort', () => {
    const desired = service({ type: 'LoadBalancer', selector: { app: 'go-app' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    expect(needsUpdate(desired, liveSvc)).toBe(false);
    const merged = mergeForUpdate(desired, liveSvc);
    expect(merged.spec).toEqual({
      type: 'LoadBalancer', clusterIP: '10.0.0.7', clusterIPs: ['10.0.0.7'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', healthCheckNodePort: 31000,
      selector: { app: 'go-app' }, ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }],
    });
    expect(merged.metadata.resourceVersion).toBe('12');
  });

  it('a Service changed to ClusterIP drops node ports instead of retaining invalid ones', () => {
    const desired = service({ type: 'ClusterIP', ports: [{ name: 'http', port: 80 }] });
    const merged = mergeForUpdate(desired, liveSvc);
    expect(merged.spec).toEqual({ type: 'ClusterIP', clusterIP: '10.0.0.7', clusterIPs: ['10.0.0.7'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ports: [{ name: 'http', port: 80 }] });
    expect(needsUpdate(desired, liveSvc)).toBe(true); // type differs
  });

  it('a ServiceAccount keeps its generated secrets unless the template sets some', () => {
    const sa = (secrets?: unknown[]): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' }, ...(secrets ? { secrets } : {}) });
    const live = sa([{ name: 'sa-token-abc' }]);
    expect(needsUpdate(sa(), live)).toBe(false);
    expect(mergeForUpdate(sa(), live).secrets).toEqual([{ name: 'sa-token-abc' }]);
    expect(mergeForUpdate(sa([{ name: 'mine' }]), live).secrets).toEqual([{ name: 'mine' }]);
  });

  it('a Job keeps its generated selector and controller-uid template labels', () => {
    const desired: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { metadata: { labels: { app: 'j' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } };
    const live: KubeObject = {
      ...structuredClone(desired),
      spec: {
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } },
        template: { metadata: { labels: { app: 'j', 'batch.kubernetes.io/controller-uid': 'abc', 'job-name': 'j' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
    };
    expect(needsUpdate(desired, live)).toBe(false);
    const merged = mergeForUpdate(desired, live) as any;
    expect(merged.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } });
    expect(merged.spec.template.metadata.labels).toEqual({ app: 'j', 'batch.kubernetes.io/controller-uid': 'abc', 'job-name': 'j' });
  });

  it('mergeForUpdate keeps member annotations, finalizers and ownerReferences under the desired ones', () => {
    const desired = desiredDeployment();
    desired.metadata.annotations = { note: 'mine' };
    const live = observedDeployment();
    live.metadata.annotations = { note: 'theirs', 'deployment.kubernetes.io/revision': '3' };
    live.metadata.finalizers = ['example.org/keep'];
    const merged = mergeForUpdate(desired, live);
    expect(merged.metadata).toMatchObject({
      resourceVersion: '77', finalizers: ['example.org/keep'],
      annotations: { note: 'mine', 'deployment.kubernetes.io/revision': '3' },
    });
    expect(merged.metadata.labels).toEqual(desired.metadata.labels);
  });

  it('retainMemberFields keeps member replicas only with retainReplicas', () => {
    const live = observedDeployment();
    (live.spec as any).replicas = 5;
    expect((retainMemberFields(desiredDeployment(), live).spec as any).replicas).toBe(2);
    expect((retainMemberFields(desiredDeployment(), live, { retainReplicas: true }).spec as any).replicas).toBe(5);
  });

  it('applyConfiguration leaves replicas out for server-side apply with retainReplicas', () => {
    expect((applyConfiguration(desiredDeployment(), { retainReplicas: true }).spec as any).replicas).toBeUndefined();
    expect((applyConfiguration(desiredDeployment()).spec as any).replicas).toBe(2);
  });
});

describe('Secret stringData', () => {
  it('compares stringData in its stored (base64 data) form', () => {
    const desired: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', stringData: { password: 'hunter2' }, data: { user: 'YWRtaW4=' } };
    const observed: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { user: 'YWRtaW4=', password: 'aHVudGVyMg==' } };
    expect(needsUpdate(desired, observed)).toBe(false);
    expect(needsUpdate(desired, { ...observed, data: { user: 'YWRtaW4=', password: 'b3RoZXI=' } })).toBe(true);
  });
});
