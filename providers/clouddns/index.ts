// The Google Cloud DNS provider adapter (issue 15). See docs/providers/clouddns.md.
import type { CloudDNSSpec } from '../../src/api/dns-provider.js';
import type { Provider, ProviderContext } from '../../src/dns/publish/provider.js';
import { CloudDNSProvider, type CloudDNSProviderOptions } from './provider.js';

export { CloudDNSProvider, type CloudDNSProviderOptions } from './provider.js';

export function createCloudDNSProvider(spec: CloudDNSSpec, ctx: ProviderContext, options?: CloudDNSProviderOptions): Provider {
  return new CloudDNSProvider(spec, ctx, options);
}
