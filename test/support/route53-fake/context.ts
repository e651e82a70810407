// A ProviderContext for provider tests: Secrets from a map, log lines kept in memory.
import { ProviderError, type ProviderContext } from '../../../src/dns/publish/provider.js';

export interface TestContext extends ProviderContext {
  lines: { level: string; message: string; fields: Record<string, unknown> }[];
}

export function testContext(secrets: Record<string, Record<string, string>> = {}, ownerId = 'kfed-test'): TestContext {
  const lines: TestContext['lines'] = [];
  const log = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, message, fields });
  return {
    providerName: 'route53',
    ownerId,
    lines,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn') },
    async readSecret(name) {
      const data = secrets[name];
      if (!data) throw new ProviderError('config', `secret ${name} not found`);
      return data;
    },
  };
}

/** Credentials the fake (and moto) accept: any non-empty key pair. */
export const TEST_SECRET = { AWS_ACCESS_KEY_ID: 'AKIAKFEDTEST', AWS_SECRET_ACCESS_KEY: 'kfed-test-secret' };
