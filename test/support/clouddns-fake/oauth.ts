// The fake's OAuth side: Google's token endpoint for service-account JWT assertions
// (RFC 7523: the assertion's RS256 signature is verified with the key registered for
// its issuer, and its audience, scope and lifetime are checked) and an STS endpoint for
// external-account credentials (RFC 8693 token exchange of a known subject token).
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCEPTED_AUDIENCES = ['https://oauth2.googleapis.com/token'];

export class OAuthError extends Error {
  constructor(readonly error: string, readonly description: string) {
    super(`${error}: ${description}`);
  }
}

function b64json(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export class FakeOAuth {
  private readonly keys = new Map<string, KeyObject[]>();
  private readonly subjectTokens = new Set<string>();
  private readonly tokens = new Map<string, { expires: number; subject: string }>();
  /** Assertions and exchanges accepted, for tests. */
  readonly grants: { grantType: string; subject: string; scope: string }[] = [];

  constructor(private readonly tokenUrl: () => string) {}

  /** Accepts assertions signed by this key for this service account (an account may have several keys). */
  registerServiceAccount(email: string, publicKeyPem: string): void {
    this.keys.set(email, [...(this.keys.get(email) ?? []), createPublicKey(publicKeyPem)]);
  }

  registerSubjectToken(token: string): void {
    this.subjectTokens.add(token);
  }

  private issue(subject: string, scope: string, grantType: string): { access_token: string; expires_in: number; token_type: string } {
    const token = `fake-${randomBytes(18).toString('base64url')}`;
    this.tokens.set(token, { expires: Date.now() + 3600_000, subject });
    this.grants.push({ grantType, subject, scope });
    return { access_token: token, expires_in: 3600, token_type: 'Bearer' };
  }

  /** POST /token with grant_type=jwt-bearer. */
  jwtBearer(form: URLSearchParams): { access_token: string; expires_in: number; token_type: string } {
    if (form.get('grant_type') !== JWT_BEARER) throw new OAuthError('unsupported_grant_type', String(form.get('grant_type')));
    const assertion = form.get('assertion') ?? '';
    const [h, p, s] = assertion.split('.');
    if (!h || !p || !s) throw new OAuthError('invalid_grant', 'malformed assertion');
    const header = b64json(h);
    const claims = b64json(p);
    if (header['alg'] !== 'RS256') throw new OAuthError('invalid_grant', `alg ${String(header['alg'])}`);
    const iss = String(claims['iss'] ?? '');
    const keys = this.keys.get(iss);
    if (!keys) throw new OAuthError('invalid_grant', `unknown issuer ${iss}`);
    if (!keys.some((key) => verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')))) throw new OAuthError('invalid_grant', 'Invalid JWT Signature.');
    const aud = String(claims['aud'] ?? '');
    if (![...ACCEPTED_AUDIENCES, this.tokenUrl()].includes(aud)) throw new OAuthError('invalid_grant', `audience ${aud}`);
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims['exp'] !== 'number' || claims['exp'] < now || typeof claims['iat'] !== 'number' || claims['iat'] > now + 60) throw new OAuthError('invalid_grant', 'Invalid JWT: Token must be a short-lived token');
    const scope = String(claims['scope'] ?? '');
    if (!scope.split(' ').some((x) => x.endsWith('/ndev.clouddns.readwrite') || x.endsWith('/cloud-platform'))) throw new OAuthError('invalid_scope', scope);
    return this.issue(iss, scope, JWT_BEARER);
  }

  /** POST /sts (external accounts). */
  exchange(form: URLSearchParams): Record<string, unknown> {
    if (form.get('grant_type') !== TOKEN_EXCHANGE) throw new OAuthError('unsupported_grant_type', String(form.get('grant_type')));
    const subject = form.get('subject_token') ?? '';
    if (!this.subjectTokens.has(subject)) throw new OAuthError('invalid_grant', 'unknown subject token');
    const t = this.issue(`sts:${form.get('audience') ?? ''}`, form.get('scope') ?? '', TOKEN_EXCHANGE);
    return { ...t, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' };
  }

  /** Whether an Authorization header carries a live token this fake issued. */
  authorized(header: string | undefined): boolean {
    const m = /^Bearer (.+)$/.exec(header ?? '');
    const t = m?.[1] ? this.tokens.get(m[1]) : undefined;
    return t !== undefined && t.expires > Date.now();
  }
}
