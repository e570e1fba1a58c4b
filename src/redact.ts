/**
 * Secrets registered here are replaced by `***` wherever text leaves the process through
 * the CLI's renderers (messages, JSON, progress lines). Configuration loading registers the
 * client secret (and access tokens are registered by the session) the moment they are read.
 */
const secrets = new Set<string>();
/** The secrets, longest first, so a form that contains another (an escaped secret) is masked whole. */
let ordered: string[] = [];

/** Secrets shorter than this are not registered: masking "a" everywhere would garble output. */
const MIN_SECRET_LENGTH = 4;

/**
 * Registers a secret in every form it can take on the way out: as is, URL-encoded (a query
 * string), form-encoded (a login body a server may echo: spaces as `+`), JSON-escaped and
 * base64-encoded.
 */
export function registerSecret(secret: string | undefined): void {
  if (secret === undefined || secret.length < MIN_SECRET_LENGTH) return;
  for (const form of encodings(secret)) add(form);
}

function add(form: string): void {
  if (secrets.has(form)) return;
  secrets.add(form);
  ordered = [...secrets].sort((a, b) => b.length - a.length);
}

/** Also masks `id:secret` in base64 (HTTP Basic credentials), besides the secret itself. */
export function registerCredentials(clientId: string, secret: string | undefined): void {
  registerSecret(secret);
  if (secret === undefined || secret.length < MIN_SECRET_LENGTH) return;
  add(Buffer.from(`${clientId}:${secret}`, 'utf8').toString('base64'));
}

function encodings(secret: string): string[] {
  const forms = [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret, 'utf8').toString('base64'),
    Buffer.from(secret, 'utf8').toString('base64url'),
  ];
  return [...new Set(forms)].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

export function redact(text: string): string {
  let result = text;
  for (const secret of ordered) {
    if (result.includes(secret)) result = result.split(secret).join('***');
  }
  return result;
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
  ordered = [];
}
