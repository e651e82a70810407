// The provider adapters this build carries, by DNSProvider `spec.type`. The composition
// root is the one place that knows providers/*; the publishing controller only sees
// factories behind the Provider seam (src/dns/publish/provider.ts).
import { createCloudDNSProvider } from '../../providers/clouddns/index.js';
import { createRFC2136Provider } from '../../providers/rfc2136/index.js';
import { createRoute53Provider } from '../../providers/route53/index.js';
import type { DNSProviderType } from '../api/dns-provider.js';
import type { ProviderFactory } from '../dns/publish/publishing-controller.js';

export const DNS_PROVIDER_FACTORIES: Partial<Record<DNSProviderType, ProviderFactory>> = {
  rfc2136: (spec, ctx) => {
    if (!spec.rfc2136) throw new Error('DNSProvider: spec.rfc2136 is required for type rfc2136');
    return createRFC2136Provider(spec.rfc2136, ctx);
  },
  route53: (spec, ctx) => createRoute53Provider(spec.route53 ?? {}, ctx),
  clouddns: (spec, ctx) => {
    if (!spec.cloudDNS) throw new Error('DNSProvider: spec.cloudDNS is required for type clouddns');
    return createCloudDNSProvider(spec.cloudDNS, ctx);
  },
};
