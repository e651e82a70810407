// `kfed sandbox --bind`: a real BIND9 primary for example.com on a loopback port, a TSIG
// key in a Secret, and a DNSProvider `bind` (type rfc2136) pointing at it, so the demo
// shows kfed's records landing in a real DNS server next to its embedded one. named
// must be installed (Debian: bind9); the sandbox refuses --bind clearly when it is not.
import { existsSync } from 'node:fs';
import type { DNSProvider } from '../api/dns-provider.js';
import type { KubeObject } from '../api/meta.js';
import { DNS_PROVIDERS } from '../api/dns-provider.js';
import { SECRETS as SECRETS_REF } from '../api/kubernetes.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { pause } from '../runtime/clock.js';
import { startBind, type RunningBind } from '../sandbox/bind/start-bind.js';
import { queryDns } from './dns-probe.js';

const NAMED_PATHS = ['/usr/sbin/named', '/usr/local/sbin/named', '/sbin/named'];
const NS = 'kube-federation-system';

/** named's path, or undefined when BIND9 is not installed. */
export function findNamed(): string | undefined {
  return NAMED_PATHS.find((p) => existsSync(p));
}

export interface SandboxBind {
  bind: RunningBind;
  /** Waits until `name` answers with at least `count` addresses at BIND. */
  waitForName(name: string, count: number, timeoutMs: number, signal?: AbortSignal): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts named and points a DNSProvider at it. The host must have kfed's CRDs. */
export async function startSandboxBind(host: ClusterClient, zone = 'example.com'): Promise<SandboxBind> {
  const named = findNamed();
  if (!named) throw new Error(`--bind needs BIND9's named (looked in ${NAMED_PATHS.join(', ')}); install the bind9 package`);
  const bind = await startBind({ zones: [{ name: zone }], named });
  try {
    const secret: KubeObject = {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bind-tsig', namespace: NS },
      type: 'Opaque', data: { secret: Buffer.from(bind.tsig.secret).toString('base64') },
    };
    await host.dynamic.create(SECRETS_REF, secret);
    const provider: DNSProvider = {
      apiVersion: 'dns.kfed.io/v1alpha1', kind: 'DNSProvider', metadata: { name: 'bind', namespace: NS },
      spec: {
        type: 'rfc2136', domains: [zone], policy: 'sync',
        rfc2136: { server: bind.server, zone, tsigKeyName: bind.tsig.name, tsigAlgorithm: bind.tsig.algorithm, tsigSecretRef: { name: 'bind-tsig', key: 'secret' } },
      },
    };
    await host.dynamic.create(DNS_PROVIDERS, provider);
  } catch (err) {
    await bind.stop();
    throw new Error('set up the DNSProvider for the sandbox BIND', { cause: err });
  }
  return {
    bind,
    async waitForName(name, count, timeoutMs, signal) {
      const deadline = Date.now() + timeoutMs;
      let last: string;
      for (;;) {
        try {
          const a = await queryDns(name, { address: bind.host, port: bind.port, timeoutMs: 500 });
          if (a.rcode === 'NOERROR' && a.addresses.length >= count) return a.addresses;
          last = `${a.rcode} ${a.addresses.join(', ') || '(no addresses)'}`;
        } catch (err) {
          last = err instanceof Error ? err.message : String(err);
        }
        if (Date.now() > deadline || signal?.aborted) throw new Error(`${name} did not reach BIND on ${bind.server} within ${Math.round(timeoutMs / 1000)} s: ${last}\n${bind.log()}`);
        await pause(100, signal);
      }
    },
    stop: () => bind.stop(),
  };
}
