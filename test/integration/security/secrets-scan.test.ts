// No secret leaves kfed through what it writes or shows: the whole control plane runs on a
// sandbox at log level trace with members joined (ServiceAccount tokens), an RFC2136
// provider with a TSIG key, a Route53 provider with access keys, and a provider with a
// wrong TSIG secret (the error paths); then its logs, every Event, the status of every
// object it writes, and /metrics are scanned for each secret value (and its base64 form).
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DNSProvider } from '../../../src/api/dns-provider.js';
import type { KubeObject } from '../../../src/api/meta.js';
import type { ControlPlane } from '../../../src/app/control-plane.js';
import { startSandboxControlPlane } from '../../../src/app/sandbox-control-plane.js';
import { DNS_ENDPOINTS } from '../../../src/api/multiclusterdns.js';
import { DNS_PROVIDERS } from '../../../src/api/dns-provider.js';
import { SECRETS as SECRETS_REF } from '../../../src/api/kubernetes.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { createLogger } from '../../../src/observability/logger.js';
import { startBind, type RunningBind } from '../../../src/sandbox/bind/start-bind.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { providerOf, secretOf } from '../../support/publishing.js';
import { TEST_SECRET } from '../../support/route53-fake/context.js';
import { startRoute53Fake, type Route53Fake } from '../../support/route53-fake/server.js';
import { requireTools } from '../../support/tools.js';
import { pollUntil } from '../../support/until.js';

const tools = requireTools('named');
const NS = 'kube-federation-system';
const EVENTS: ResourceRef = { group: '', version: 'v1', resource: 'events', namespaced: true, kind: 'Event' };
const KUBEFED_CLUSTERS: ResourceRef = { group: 'core.kubefed.io', version: 'v1beta1', resource: 'kubefedclusters', namespaced: true, kind: 'KubeFedCluster' };
const FTCS: ResourceRef = { group: 'core.kubefed.io', version: 'v1beta1', resource: 'federatedtypeconfigs', namespaced: true, kind: 'FederatedTypeConfig' };

describe.skipIf(!tools)('secrets stay secret', () => {
  let sb: Sandbox;
  let cp: ControlPlane;
  let bind: RunningBind;
  let fake: Route53Fake;
  let logs = '';
  const wrongTsig = Buffer.alloc(32, 9).toString('base64');

  beforeAll(async () => {
    sb = await startSandbox({ clusters: 2 });
    const destination = new Writable({ write(chunk, _enc, done) { logs += String(chunk); done(); } });
    cp = await startSandboxControlPlane(sb, { out: () => undefined, logger: createLogger({ level: 'trace', destination }), dnsListen: '127.0.0.1:0', healthCheckPeriod: '1s' });
    bind = await startBind({ zones: [{ name: 'example.com' }] });
    fake = await startRoute53Fake({ accessKeyId: TEST_SECRET.AWS_ACCESS_KEY_ID });
    fake.state.createZone('example.com');
    for (const s of [secretOf('bind-tsig', { secret: bind.tsig.secret }), secretOf('wrong-tsig', { secret: wrongTsig }), secretOf('aws-creds', TEST_SECRET)]) await cp.host.dynamic.create(SECRETS_REF, s);
    const rfc2136 = (secret: string): DNSProvider['spec'] => ({ type: 'rfc2136', domains: ['example.com'], rfc2136: { server: bind.server, tsigKeyName: bind.tsig.name, tsigAlgorithm: bind.tsig.algorithm, tsigSecretRef: { name: secret, key: 'secret' } } });
    for (const p of [
      providerOf('bind', rfc2136('bind-tsig')),
      providerOf('wrong', { ...rfc2136('wrong-tsig'), ownerId: 'wrong' }),
      providerOf('aws', { type: 'route53', domains: ['example.com'], ownerId: 'aws', route53: { endpoint: fake.endpoint, region: 'us-east-1', credentialsSecretRef: { name: 'aws-creds' }, healthChecks: 'none' } }),
    ]) await cp.host.dynamic.create(DNS_PROVIDERS, p);
    // A published record: a DNSEndpoint of kfed's group in the KubeFed namespace.
    await cp.host.dynamic.create(DNS_ENDPOINTS, { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'DNSEndpoint', metadata: { name: 'scan', namespace: NS }, spec: { endpoints: [{ dnsName: 'scan.example.com', recordType: 'A', targets: ['192.0.2.10'] }] } } as KubeObject);
    await pollUntil(async () => {
      const list = await cp.host.dynamic.list<DNSProvider>(DNS_PROVIDERS, { namespace: NS });
      const ready = (n: string): string | undefined => list.items.find((p) => p.metadata.name === n)?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      return ready('bind') === 'True' && ready('aws') === 'True' && ready('wrong') === 'False' ? true : undefined;
    }, 60_000, 100);
  }, 120_000);

  afterAll(async () => {
    await cp?.stop();
    await bind?.stop();
    await fake?.stop();
    await sb?.close();
  });

  it('no secret value appears in logs, Events, statuses or metrics', async () => {
    // Every secret kfed holds or made: the members' join tokens and the providers' credentials.
    const secrets = await cp.host.dynamic.list<KubeObject & { data?: Record<string, string> }>(SECRETS_REF, { namespace: NS });
    const values = new Set<string>();
    for (const s of secrets.items) {
      // A token Secret also holds its namespace and the cluster's CA certificate: public.
      for (const [key, v] of Object.entries(s.data ?? {})) {
        if (key === 'namespace' || key === 'ca.crt') continue;
        const plain = Buffer.from(v, 'base64').toString('utf8');
        // Short values (a key name, "Opaque") are not secrets worth scanning for.
        if (plain.length >= 16) values.add(plain);
        if (v.length >= 16) values.add(v);
      }
    }
    expect(values.size).toBeGreaterThanOrEqual(5);
    const events = await cp.host.dynamic.list(EVENTS);
    const statuses = [
      ...(await cp.host.dynamic.list(KUBEFED_CLUSTERS, { namespace: NS })).items,
      ...(await cp.host.dynamic.list(DNS_PROVIDERS, { namespace: NS })).items,
      ...(await cp.host.dynamic.list(DNS_ENDPOINTS)).items,
      ...(await cp.host.dynamic.list(FTCS, { namespace: NS })).items,
    ].map((o) => JSON.stringify(o['status'] ?? {}));
    const metrics = await (await fetch(`${cp.health?.url}/metrics`)).text();
    const haystacks: Record<string, string> = { logs, events: JSON.stringify(events.items), statuses: statuses.join('\n'), metrics };
    expect(logs.length).toBeGreaterThan(10_000);
    expect(haystacks.statuses).toContain('AuthFailed');
    for (const [where, text] of Object.entries(haystacks)) {
      for (const v of values) {
        const at = text.indexOf(v);
        expect(at, `a secret value appears in ${where}: ...${text.slice(Math.max(0, at - 300), at)}<SECRET>${text.slice(at + v.length, at + v.length + 100)}...`).toBe(-1);
      }
    }
  });
});
