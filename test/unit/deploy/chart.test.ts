// charts/kfed rendered (with the subset renderer; see helm-subset.ts for why not helm)
// under default and non-default values: the objects are consistent with each other and
// with what the controller reads.
import { describe, expect, it } from 'vitest';
import type { KubeFedConfig } from '../../../src/api/core.js';
import { defaultKubeFedConfig, validateKubeFedConfig } from '../../../src/api/core-validation.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig, parseDnsWorkers } from '../../../src/config/config.js';
import { parseLatencyTable } from '../../../src/config/dns-options.js';
import { chartMetadata, renderChart, type RenderedChart } from './manifests.js';
import type { DNSProvider } from '../../../src/api/dns-provider.js';
import { validateProviderSpec } from '../../../src/dns/publish/validate-provider.js';

type Obj = KubeObject & Record<string, any>;

const get = (c: RenderedChart, kind: string, name?: string): Obj | undefined =>
  c.objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name)) as Obj | undefined;
const must = (c: RenderedChart, kind: string, name?: string): Obj => {
  const o = get(c, kind, name);
  if (!o) throw new Error(`no ${kind} ${name ?? ''} in ${c.objects.map((x) => `${x.kind}/${x.metadata.name ?? ''}`).join(', ')}`);
  return o;
};
const controller = (c: RenderedChart): any => must(c, 'Deployment').spec.template.spec.containers[0];

describe('charts/kfed with default values', () => {
  const chart = renderChart();
  const ns = 'kube-federation-system';

  it('renders the expected objects, all in the release namespace when namespaced', () => {
    expect(chart.objects.map((o) => o.kind).filter((k) => k !== 'FederatedTypeConfig')).toEqual([
      'ClusterRole', 'ClusterRoleBinding', 'Deployment', 'KubeFedConfig', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'Service', 'ServiceAccount',
    ]);
    expect(chart.objects.filter((o) => o.kind === 'FederatedTypeConfig')).toHaveLength(10);
    for (const o of chart.objects) {
      if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') expect(o.metadata.namespace).toBeUndefined();
      else expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(ns);
    }
    const meta = chartMetadata() as ReturnType<typeof chartMetadata> & { apiVersion: string; type: string };
    // What `helm lint` checks first: a v2 application chart named after its folder, SemVer versions.
    expect(meta).toMatchObject({ apiVersion: 'v2', name: 'kfed', type: 'application', kubeVersion: '>=1.26.0-0' });
    expect(meta.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  });

  it('runs 2 replicas with leader election, the probes on /healthz and /readyz, and the controller flags', () => {
    const d = must(chart, 'Deployment');
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    const c = controller(chart);
    expect(c.args).toEqual([
      'controller', `--kubefed-namespace=${ns}`, '--metrics-addr=:8080', '--dns-listen=:5353', '--dns-service=kfed-dns', '--dns-unlocated-clients=default',
      '--dns-rate-limit=responses-per-second=100,burst=100,slip=2,ipv4-prefix=24,ipv6-prefix=56', '--dns-max-udp-payload=1232', '--dns-tcp-idle-timeout=10s',
      '--dns-max-tcp-connections=256', '--dns-udp-threads=1', '--leader-elect=true', '--leader-election-id=kubefed-controller-manager', '--log-level=info',
    ]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(c.ports).toEqual([
      { name: 'metrics', containerPort: 8080, protocol: 'TCP' },
      { name: 'dns-udp', containerPort: 5353, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 5353, protocol: 'TCP' },
    ]);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(c.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
    expect(c.envFrom).toBeUndefined();
  });

  it('serves DNS on UDP and TCP 53 and metrics through Services that select the controller pods', () => {
    const podLabels = must(chart, 'Deployment').spec.template.metadata.labels;
    const portNames = new Set(controller(chart).ports.map((p: { name: string }) => p.name));
    const dns = must(chart, 'Service', 'kfed-dns');
    expect(dns.spec.type).toBe('LoadBalancer');
    expect(dns.spec.externalTrafficPolicy).toBe('Local');
    expect(dns.spec.ports.map((p: any) => `${p.protocol}/${p.port}->${p.targetPort}`)).toEqual(['UDP/53->dns-udp', 'TCP/53->dns-tcp']);
    const metrics = must(chart, 'Service', 'kfed-metrics');
    expect(metrics.spec.ports.map((p: any) => `${p.protocol}/${p.port}->${p.targetPort}`)).toEqual(['TCP/8080->metrics']);
    for (const svc of [dns, metrics]) {
      expect(podLabels).toMatchObject(svc.spec.selector);
      for (const p of svc.spec.ports) expect(portNames.has(p.targetPort)).toBe(true);
    }
    expect(podLabels).toMatchObject(must(chart, 'PodDisruptionBudget').spec.selector.matchLabels);
    expect(must(chart, 'Deployment').spec.selector.matchLabels).toEqual(podLabels);
  });

  it('binds the ClusterRole and the Role to the ServiceAccount the pods run as', () => {
    const sa = must(chart, 'ServiceAccount');
    expect(must(chart, 'Deployment').spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
    for (const [binding, role] of [['ClusterRoleBinding', 'ClusterRole'], ['RoleBinding', 'Role']] as const) {
      const b = must(chart, binding);
      expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: role, name: must(chart, role).metadata.name });
      expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: ns }]);
    }
  });

  it('grants no wildcard verbs, no Secrets cluster-wide, and the Lease by name only', () => {
    for (const role of [must(chart, 'ClusterRole'), must(chart, 'Role')]) {
      for (const rule of role.rules) {
        expect(rule.verbs).not.toContain('*');
        expect(rule.apiGroups).not.toContain('*');
        if (role.kind === 'ClusterRole') expect(rule.resources).not.toContain('secrets');
      }
    }
    const leaseRules = must(chart, 'Role').rules.filter((r: any) => r.resources.includes('leases'));
    expect(leaseRules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['kubefed-controller-manager'], verbs: ['get', 'update'] },
    ]);
  });

  it('ships a KubeFedConfig the controller accepts, with a Lease lock', () => {
    const kfc = must(chart, 'KubeFedConfig') as unknown as KubeFedConfig;
    expect(kfc.metadata.name).toBe('kubefed');
    expect(validateKubeFedConfig(defaultKubeFedConfig(kfc))).toEqual([]);
    // The values are the effective defaults: defaulting adds nothing.
    expect(defaultKubeFedConfig(kfc).spec).toEqual(kfc.spec);
    const config = buildConfig({ inCluster: true, kubefedNamespace: ns }, kfc);
    expect(config.leaderElection).toMatchObject({ enabled: true, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 5_000 });
    expect(config.clusterHealthCheck).toMatchObject({ periodMs: 1000, timeoutMs: 1500, failureThreshold: 2, successThreshold: 1 });
  });

  it('NOTES.txt tells how to watch the rollout, join members and reach DNS and metrics', () => {
    const notes = chart.files.get('NOTES.txt')!;
    expect(notes).toContain(`kubectl -n ${ns} rollout status deployment/kfed-controller`);
    expect(notes).toContain('get lease kubefed-controller-manager');
    expect(notes).toContain('kfed join cluster-2');
    expect(notes).toContain('get service kfed-dns');
    expect(notes).toContain('port-forward service/kfed-metrics 8080');
  });
});

describe('charts/kfed with other values', () => {
  it('follows the release name and namespace everywhere', () => {
    const c = renderChart({}, { name: 'fed', namespace: 'federation' });
    expect(controller(c).args).toContain('--kubefed-namespace=federation');
    expect(must(c, 'ClusterRoleBinding').subjects[0].namespace).toBe('federation');
    expect(must(c, 'ClusterRoleBinding').roleRef.name).toBe('fed-controller');
    expect(get(c, 'Service', 'fed-dns')).toBeDefined();
    expect(c.objects.filter((o) => o.kind === 'FederatedTypeConfig').every((o) => o.metadata.namespace === 'federation')).toBe(true);
  });

  it('turns DNS, leader election, the PDB, the KubeFedConfig and default types off', () => {
    const c = renderChart({ dns: { enabled: false }, leaderElection: { enabled: false }, podDisruptionBudget: { enabled: false }, kubefedConfig: { create: false }, defaultTypes: { enabled: false }, replicaCount: 1 });
    expect(get(c, 'Service', 'kfed-dns')).toBeUndefined();
    expect(get(c, 'PodDisruptionBudget')).toBeUndefined();
    expect(get(c, 'KubeFedConfig')).toBeUndefined();
    expect(get(c, 'FederatedTypeConfig')).toBeUndefined();
    const ctr = controller(c);
    expect(ctr.args.filter((a: string) => a.startsWith('--dns') || a.startsWith('--leader-elect='))).toEqual(['--leader-elect=false']);
    expect(ctr.ports.map((p: any) => p.name)).toEqual(['metrics']);
    expect(must(c, 'Deployment').spec.replicas).toBe(1);
  });

  it('passes --dns-workers only when dns.workers is set, with a value the controller accepts', () => {
    const dnsArgs = (values: Record<string, unknown>): string[] => controller(renderChart(values)).args.filter((a: string) => a.startsWith('--dns-listen') || a.startsWith('--dns-workers'));
    expect(dnsArgs({ dns: { workers: 0 } })).toEqual(['--dns-listen=:5353']);
    expect(dnsArgs({ dns: { workers: 2 } })).toEqual(['--dns-listen=:5353', '--dns-workers=2']);
    expect(dnsArgs({ dns: { workers: 'auto' } })).toEqual(['--dns-listen=:5353', '--dns-workers=auto']);
    expect(dnsArgs({ dns: { enabled: false, workers: 2 } })).toEqual([]);
    expect(parseDnsWorkers(dnsArgs({ dns: { workers: 2 } }).at(-1)!.split('=')[1])).toBe(2);
  });

  it('renders every DNS server option from dns.* values into flags the controller accepts, and the latency table as a mounted ConfigMap', () => {
    const table = { latencyMs: { 'af-south-1': { 'eu-west-1': 160, 'ap-southeast-1': 300 } }, regions: { 'onprem-1': { lat: 52.4, lon: 4.9 } } };
    const c = renderChart({
      dns: {
        nameServerAddresses: '192.0.2.53,2001:db8::53', latencyTable: table, defaultLocation: 'country:DE,region:eu-west-1', unlocatedClients: 'all',
        rateLimit: { enabled: true, responsesPerSecond: 20, burst: 40, slip: 0, ipv4PrefixLength: 32, ipv6PrefixLength: 64 }, maxUdpPayload: 4096, tcpIdleTimeout: '3s', maxTcpConnections: 64, udpThreads: 2,
      },
    });
    const args: string[] = controller(c).args;
    expect(args.filter((a) => a.startsWith('--dns-'))).toEqual([
      '--dns-listen=:5353', '--dns-nameserver-addresses=192.0.2.53,2001:db8::53', '--dns-latency-table=/etc/kfed/dns/latency.yaml',
      '--dns-default-location=country:DE,region:eu-west-1', '--dns-unlocated-clients=all',
      '--dns-rate-limit=responses-per-second=20,burst=40,slip=0,ipv4-prefix=32,ipv6-prefix=64', '--dns-max-udp-payload=4096', '--dns-tcp-idle-timeout=3s', '--dns-max-tcp-connections=64', '--dns-udp-threads=2',
    ]);
    const cm = must(c, 'ConfigMap', 'kfed-dns-latency');
    expect(parseLatencyTable(cm.data['latency.yaml'], 'configmap')).toEqual(table);
    const pod = must(c, 'Deployment').spec.template.spec;
    expect(controller(c).volumeMounts).toContainEqual({ name: 'dns-latency', mountPath: '/etc/kfed/dns', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'dns-latency', configMap: { name: 'kfed-dns-latency' } });
    // The flags as the controller parses them (the file is the ConfigMap's content, written where a test can read it).
    const dir = mkdtempSync(join(tmpdir(), 'kfed-chart-'));
    writeFileSync(join(dir, 'latency.yaml'), cm.data['latency.yaml']);
    const flag = (name: string): string => args.find((a) => a.startsWith(`--${name}=`))!.slice(name.length + 3);
    const dns = buildConfig({
      inCluster: true, dnsListen: flag('dns-listen'), dnsNameServerAddresses: flag('dns-nameserver-addresses'), dnsLatencyTable: join(dir, 'latency.yaml'),
      dnsDefaultLocation: flag('dns-default-location'), dnsUnlocatedClients: flag('dns-unlocated-clients'), dnsRateLimit: flag('dns-rate-limit'),
      dnsMaxUdpPayload: flag('dns-max-udp-payload'), dnsTcpIdleTimeout: flag('dns-tcp-idle-timeout'), dnsMaxTcpConnections: flag('dns-max-tcp-connections'), dnsUdpThreads: flag('dns-udp-threads'),
    }).dns;
    expect(dns).toMatchObject({
      nameServerAddresses: ['192.0.2.53', '2001:db8::53'], latencyTable: table, defaultLocation: { country: 'DE', region: 'eu-west-1' }, unlocatedClients: 'all',
      rateLimit: { responsesPerSecond: 20, burst: 40, slip: 0, ipv4PrefixLength: 32, ipv6PrefixLength: 64 }, maxUdpPayload: 4096, tcpIdleTimeoutMs: 3000, maxTcpConnections: 64, udpThreads: 2,
    });
    // Defaults: the DNS Service's addresses, rate limiting on, no ConfigMap; off: --dns-rate-limit=off.
    expect(get(renderChart(), 'ConfigMap')).toBeUndefined();
    expect(controller(renderChart({ dns: { rateLimit: { enabled: false } } })).args).toContain('--dns-rate-limit=off');
    expect(buildConfig({ inCluster: true, dnsListen: ':5353', dnsRateLimit: 'off' }).dns?.rateLimit).toBe(false);
  });

  it('policies.propagatePlainResources: the flag and the RBAC of the plain-resource controller, only when on', () => {
    const plainArgs = (values: Record<string, unknown>): string[] => controller(renderChart(values)).args.filter((a: string) => a.startsWith('--policy-'));
    expect(plainArgs({})).toEqual([]);
    expect(plainArgs({ policies: { propagatePlainResources: true } })).toEqual(['--policy-propagate-plain-resources=true']);
    expect(buildConfig({ inCluster: true, policyPropagatePlainResources: true }).policies.propagatePlainResources).toBe(true);
    const writes = (values: Record<string, unknown>): unknown[] => must(renderChart(values), 'ClusterRole').rules.filter((r: any) => r.apiGroups.includes('types.kubefed.io') && r.verbs.includes('create'));
    expect(writes({})).toEqual([]);
    expect(writes({ policies: { propagatePlainResources: true } })).toEqual([{ apiGroups: ['types.kubefed.io'], resources: ['*'], verbs: ['create', 'update', 'delete'] }]);
    const reads = must(renderChart({ policies: { propagatePlainResources: true } }), 'ClusterRole').rules.find((r: any) => r.apiGroups.includes('apps'));
    expect(reads).toEqual({ apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get', 'list', 'watch'] });
  });

  it('renders each enabled provider as a DNSProvider the controller accepts, and no provider flags', () => {
    const c = renderChart({
      providers: {
        route53: { enabled: true, spec: { domains: ['example.com'], route53: { region: 'eu-west-1', credentialsSecretRef: { name: 'aws-creds' } } } },
        clouddns: { enabled: true, spec: { cloudDNS: { project: 'p1' } } },
        rfc2136: { enabled: true, spec: { policy: 'upsert-only', rfc2136: { server: '192.0.2.53:53', tsigKeyName: 'k', tsigAlgorithm: 'hmac-sha512', tsigSecretRef: { name: 'tsig' } } } },
      },
      extraArgs: ['--extra=1'],
      extraEnv: [{ name: 'A', value: 'b' }],
    });
    const providers = c.objects.filter((o) => o.kind === 'DNSProvider') as unknown as DNSProvider[];
    expect(providers.map((p) => `${p.metadata.name}:${p.spec.type}:${p.metadata.namespace}`)).toEqual(['route53:route53:kube-federation-system', 'clouddns:clouddns:kube-federation-system', 'rfc2136:rfc2136:kube-federation-system']);
    for (const p of providers) expect(validateProviderSpec(p.spec), p.metadata.name).toEqual([]);
    expect(providers[2]?.spec).toMatchObject({ policy: 'upsert-only', rfc2136: { server: '192.0.2.53:53', tsigSecretRef: { name: 'tsig' } } });
    const ctr = controller(c);
    expect(ctr.args.some((a: string) => a.startsWith('--provider'))).toBe(false);
    expect(ctr.args.at(-1)).toBe('--extra=1');
    expect(ctr.env).toContainEqual({ name: 'A', value: 'b' });
    // The defaults of each provider are usable specs too.
    for (const name of ['route53', 'clouddns', 'rfc2136']) {
      const one = renderChart({ providers: { [name]: { enabled: true } } }).objects.find((o) => o.kind === 'DNSProvider') as unknown as DNSProvider;
      expect(validateProviderSpec(one.spec), name).toEqual([]);
    }
    expect(renderChart().objects.some((o) => o.kind === 'DNSProvider')).toBe(false);
  });

  it('takes image, scheduling, annotations and security settings from values', () => {
    const c = renderChart({
      image: { repository: 'registry.example/kfed', tag: '9.9.9' },
      imagePullSecrets: [{ name: 'pull' }],
      podAnnotations: { 'prometheus.io/scrape': 'true' },
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'k', operator: 'Exists' }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }] } } },
      priorityClassName: 'system-cluster-critical',
      serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::000000000000:role/kfed' } },
      dns: { service: { type: 'ClusterIP' } },
    });
    const pod = must(c, 'Deployment').spec.template;
    expect(pod.spec.containers[0].image).toBe('registry.example/kfed:9.9.9');
    expect(pod.spec.imagePullSecrets).toEqual([{ name: 'pull' }]);
    expect(pod.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
    expect(pod.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.spec.tolerations).toEqual([{ key: 'k', operator: 'Exists' }]);
    expect(Object.keys(pod.spec.affinity)).toEqual(['nodeAffinity']);
    expect(pod.spec.priorityClassName).toBe('system-cluster-critical');
    expect(must(c, 'ServiceAccount').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::000000000000:role/kfed' });
    const dns = must(c, 'Service', 'kfed-dns');
    expect(dns.spec.type).toBe('ClusterIP');
    expect(dns.spec.externalTrafficPolicy).toBeUndefined();
  });
});
