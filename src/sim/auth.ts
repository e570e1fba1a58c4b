/**
 * Access tokens: `POST /login` issues one that lives `tokenTtlSeconds` on the injected clock;
 * requests present it as `Authorization: Bearer <token>` (or `token <token>`, which Looker also
 * accepts). Expired and unknown tokens get 401, so long runs must log in again.
 */
import { randomBytes } from 'node:crypto';

export type TokenCheck =
  { ok: true; user: number } | { ok: false; reason: 'missing' | 'unknown' | 'expired' };

const PRUNE_AT = 10_000;

export class TokenStore {
  private readonly tokens = new Map<string, { user: number; expiresAt: number }>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly clock: () => number,
  ) {}

  issue(user: number): { access_token: string; token_type: 'Bearer'; expires_in: number } {
    if (this.tokens.size >= PRUNE_AT) this.prune();
    const token = randomBytes(20).toString('hex');
    this.tokens.set(token, { user, expiresAt: this.clock() + this.ttlSeconds * 1000 });
    return { access_token: token, token_type: 'Bearer', expires_in: this.ttlSeconds };
  }

  /** Checks an Authorization header value. */
  check(header: string | undefined): TokenCheck {
    const token = parseAuthorization(header);
    if (token === undefined) return { ok: false, reason: 'missing' };
    const entry = this.tokens.get(token);
    if (!entry) return { ok: false, reason: 'unknown' };
    if (this.clock() >= entry.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, user: entry.user };
  }

  revoke(header: string | undefined): boolean {
    const token = parseAuthorization(header);
    return token !== undefined && this.tokens.delete(token);
  }

  private prune(): void {
    const now = this.clock();
    for (const [token, entry] of this.tokens) if (now >= entry.expiresAt) this.tokens.delete(token);
  }
}

export function parseAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  if (scheme !== 'bearer' && scheme !== 'token') return undefined;
  const token = header.slice(space + 1).trim();
  return token.length > 0 ? token : undefined;
}
