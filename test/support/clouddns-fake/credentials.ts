// Test credentials made at test time (no key is committed): a service-account key whose
// token_uri points at the fake, registered with it, and an external-account JSON whose
// subject token and STS exchange are both served by the fake.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { FakeCloudDNS } from './server.js';

export function serviceAccountKey(fake: FakeCloudDNS, email = 'kfed-dns@kfed-test.iam.gserviceaccount.com'): string {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  fake.oauth.registerServiceAccount(email, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return JSON.stringify({
    type: 'service_account',
    project_id: fake.project,
    private_key_id: randomBytes(20).toString('hex'),
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: email,
    client_id: '1000000000000000000',
    token_uri: `${fake.url}/token`,
  });
}

export function externalAccount(fake: FakeCloudDNS): string {
  return JSON.stringify({
    type: 'external_account',
    audience: '//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/kfed/providers/test',
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: `${fake.url}/sts`,
    credential_source: { url: `${fake.url}/subject-token` },
  });
}
