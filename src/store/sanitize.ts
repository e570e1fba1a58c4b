import { redact } from '../redact.js';

/**
 * The last guard before anything the caller hands us reaches the file: configuration keys that
 * look like secrets are dropped (at any depth), string values are passed through the secret
 * registry (`src/redact.ts`), and credentials in URLs are removed. Callers should never pass
 * secrets; this makes sure a mistake does not end up in a backup that gets copied around.
 */

const SECRET_KEY =
  /secret|passw(or)?d|passwd|token|credential|api[-_]?key|private[-_]?key|authori[sz]ation|cookie/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A copy of `config` without secret-looking keys, registered secrets masked in strings. */
export function sanitizeConfig(config: Record<string, unknown>): Record<string, unknown> {
  return sanitizeValue(config) as Record<string, unknown>;
}

function sanitizeValue(value: unknown): unknown {
  if (typeof value === 'string') return sanitizeText(value);
  if (Array.isArray(value)) return value.map(sanitizeValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
      if (isSecretKey(key)) continue;
      out[key] = sanitizeValue(member);
    }
    return out;
  }
  return value;
}

/** Masks registered secrets and URL credentials (`https://user:pass@host`) in free text. */
export function sanitizeText(text: string): string {
  return redact(text).replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi, '$1');
}

/** The Looker base URL without user info, query or fragment. */
export function sanitizeBaseUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return sanitizeText(baseUrl);
  }
}

/** The instance a base URL names, as `id_map` keys it. */
export function instanceKey(baseUrl: string): string {
  const clean = sanitizeBaseUrl(baseUrl);
  try {
    const url = new URL(clean);
    const port =
      url.port === '' || (url.protocol === 'https:' && url.port === '443') ? '' : `:${url.port}`;
    return `${url.protocol}//${url.hostname.toLowerCase()}${port}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return clean.toLowerCase();
  }
}
