// Credentials for the Cloud DNS client, from the JSON a DNSProvider's Secret holds:
// - a service-account key: signed into a JWT assertion and exchanged at the key's own
//   `token_uri` (google-auth-library 10 always posts to oauth2.googleapis.com whatever the
//   key says; Google's Go and Python libraries honour `token_uri`, and a private token
//   endpoint or a test server needs it, so the adapter points the library's token request
//   there);
// - an external-account (workload identity federation) JSON: handed to the library,
//   which exchanges the subject token at its `token_url`;
// - no Secret: application default credentials (Workload Identity on GKE, the metadata
//   server, GOOGLE_APPLICATION_CREDENTIALS).
import { JWT, type GoogleAuthOptions } from 'google-auth-library';
import { ProviderError } from '../../src/dns/publish/provider.js';

/** The token endpoint google-auth-library posts service-account assertions to. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** Scopes the adapter asks for: Cloud DNS read-write only. */
export const SCOPES = ['https://www.googleapis.com/auth/ndev.clouddns.readwrite'];

interface ServiceAccountKey {
  type: 'service_account';
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
  project_id?: string;
}

function isServiceAccountKey(j: Record<string, unknown>): j is Record<string, unknown> & ServiceAccountKey {
  return j['type'] === 'service_account' && typeof j['client_email'] === 'string' && typeof j['private_key'] === 'string';
}

function serviceAccountClient(key: ServiceAccountKey): JWT {
  const opts: ConstructorParameters<typeof JWT>[0] = { email: key.client_email, key: key.private_key, scopes: SCOPES };
  if (key.private_key_id) opts.keyId = key.private_key_id;
  const jwt = new JWT(opts);
  const tokenUri = key.token_uri;
  if (tokenUri && tokenUri !== GOOGLE_TOKEN_URL) {
    jwt.transporter.interceptors.request.add({
      resolved: async (config) => {
        if (String(config.url) === GOOGLE_TOKEN_URL) config.url = new URL(tokenUri);
        return config;
      },
    });
  }
  return jwt;
}

/** google-auth options for the DNS client, from the credentials JSON (or none: ADC). */
export function authOptions(credentialsJson: string | undefined): GoogleAuthOptions {
  if (credentialsJson === undefined) return { scopes: SCOPES };
  let parsed: unknown;
  try {
    parsed = JSON.parse(credentialsJson);
  } catch (cause) {
    throw new ProviderError('config', 'cloud DNS credentials: not JSON', { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ProviderError('config', 'cloud DNS credentials: not a JSON object');
  const json = parsed as Record<string, unknown>;
  if (isServiceAccountKey(json)) return { authClient: serviceAccountClient(json), scopes: SCOPES };
  if (json['type'] === 'external_account' || json['type'] === 'authorized_user' || json['type'] === 'impersonated_service_account') {
    return { credentials: json as GoogleAuthOptions['credentials'] & object, scopes: SCOPES };
  }
  throw new ProviderError('config', `cloud DNS credentials: type "${String(json['type'])}" is not a service-account key or an external-account configuration`);
}
