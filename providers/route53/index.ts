// The Route53 provider adapter: createRoute53Provider(spec, ctx) -> Provider.
import type { Route53Spec } from '../../src/api/dns-provider.js';
import { ProviderError, type Provider, type ProviderContext } from '../../src/dns/publish/provider.js';
import { Route53Api, type AwsCredentials } from './client.js';
import { REQUESTS_PER_SECOND, Route53Provider } from './route53-provider.js';

export { Route53Provider } from './route53-provider.js';
export { NEAREST_AWS_REGION, awsRegionFor } from './regions.js';

export interface Route53ProviderOptions {
  /** SDK attempts per call, first try included (default 3: the SDK retries throttling and 5xx with backoff). */
  maxAttempts?: number;
  /** Requests per second this provider sends at most (default 5, Route53's per-account rate; 0 turns pacing off). */
  requestsPerSecond?: number;
  /** How long credentials read from the Secret are used before it is read again (default 5 minutes). */
  credentialsTtlMs?: number;
}

/** Credentials from the Secret the spec names (re-read periodically, so rotation needs no restart). */
function secretCredentials(spec: Route53Spec, ctx: ProviderContext, ttlMs: number): (() => Promise<AwsCredentials>) | undefined {
  const ref = spec.credentialsSecretRef;
  if (!ref) return undefined;
  return async () => {
    const data = await ctx.readSecret(ref.name);
    const accessKeyId = data.AWS_ACCESS_KEY_ID?.trim();
    const secretAccessKey = data.AWS_SECRET_ACCESS_KEY?.trim();
    if (!accessKeyId || !secretAccessKey) {
      throw new ProviderError('config', `secret ${ref.name}: keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are required`);
    }
    const session = data.AWS_SESSION_TOKEN?.trim();
    return { accessKeyId, secretAccessKey, ...(session ? { sessionToken: session } : {}), expiration: new Date(Date.now() + ttlMs) };
  };
}

export function createRoute53Provider(spec: Route53Spec, ctx: ProviderContext, options: Route53ProviderOptions = {}): Provider {
  const credentials = secretCredentials(spec, ctx, options.credentialsTtlMs ?? 5 * 60_000);
  const api = new Route53Api({
    // Route53 is a global service; the SDK signs for us-east-1 unless told otherwise.
    region: spec.region ?? 'us-east-1',
    maxAttempts: options.maxAttempts ?? 3,
    requestsPerSecond: options.requestsPerSecond ?? REQUESTS_PER_SECOND,
    // No burst of its own: requests leave evenly spaced, so that jitter on the way cannot
    // make Route53 see more than its rate in any second.
    burst: 1,
    ...(spec.endpoint ? { endpoint: spec.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
  return new Route53Provider(spec, ctx, api);
}
