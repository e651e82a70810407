// The objects that point kfed at a running sandbox BIND: a Secret with the TSIG secret
// and an rfc2136 DNSProvider that references it, as a user would write them.
import { KFED_DNS_GROUP, KFED_DNS_VERSION, type DNSProvider } from '../../api/dns-provider.js';
import type { KubeObject } from '../../api/meta.js';
import type { BindKey } from './bind-config.js';

export interface BindProviderOptions {
  /** `host:port` of the server (RunningBind.server). */
  server: string;
  tsig: BindKey;
  namespace?: string;
  /** DNSProvider name; the Secret is `<name>-tsig`. Default `bind`. */
  name?: string;
  domains?: string[];
  ownerId?: string;
}

export interface BindProviderObjects {
  secret: KubeObject & { type: string; stringData: Record<string, string> };
  provider: DNSProvider;
}

export function bindProviderObjects(o: BindProviderOptions): BindProviderObjects {
  const namespace = o.namespace ?? 'kube-federation-system';
  const name = o.name ?? 'bind';
  const secretName = `${name}-tsig`;
  const provider: DNSProvider = {
    apiVersion: `${KFED_DNS_GROUP}/${KFED_DNS_VERSION}`,
    kind: 'DNSProvider',
    metadata: { name, namespace },
    spec: {
      type: 'rfc2136',
      ...(o.domains ? { domains: [...o.domains] } : {}),
      ...(o.ownerId ? { ownerId: o.ownerId } : {}),
      rfc2136: { server: o.server, tsigKeyName: o.tsig.name, tsigAlgorithm: o.tsig.algorithm, tsigSecretRef: { name: secretName, key: 'secret' } },
    },
  };
  return {
    secret: { apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace }, type: 'Opaque', stringData: { secret: o.tsig.secret } },
    provider,
  };
}
