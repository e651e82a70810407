// Bearer-token authentication: static admin tokens, service-account token Secrets and
// tokens minted by the TokenRequest API.
import { randomBytes } from 'node:crypto';
import type { UserInfo } from './rbac.js';

interface TokenEntry {
  user: UserInfo;
  /** epoch ms; undefined = no expiry */
  expires?: number;
}

export function serviceAccountUser(namespace: string, name: string, uid?: string): UserInfo {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
    ...(uid ? { uid } : {}),
  };
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export class Authenticator {
  private readonly tokens = new Map<string, TokenEntry>();

  constructor(private readonly now: () => number = Date.now) {}

  addToken(token: string, user: UserInfo, expiresAt?: number): void {
    this.tokens.set(token, { user, ...(expiresAt !== undefined ? { expires: expiresAt } : {}) });
  }

  removeToken(token: string): void {
    this.tokens.delete(token);
  }

  /** Drop every token that authenticates as this service account (it was deleted). */
  removeServiceAccount(namespace: string, name: string): void {
    const username = `system:serviceaccount:${namespace}:${name}`;
    for (const [t, e] of this.tokens) if (e.user.username === username) this.tokens.delete(t);
  }

  authenticate(authorization: string | undefined): UserInfo | undefined {
    if (!authorization) return undefined;
    const m = authorization.match(/^Bearer\s+(\S+)$/i);
    if (!m) return undefined;
    const e = this.tokens.get(m[1]!);
    if (!e) return undefined;
    if (e.expires !== undefined && e.expires < this.now()) {
      this.tokens.delete(m[1]!);
      return undefined;
    }
    return e.user;
  }
}
