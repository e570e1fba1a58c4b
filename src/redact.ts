/**
 * Secrets registered here are replaced by `***` wherever text leaves the process through
 * the CLI's renderers (messages, JSON, progress lines). Configuration loading registers the
 * client secret (and access tokens are registered by the session) the moment they are read.
 */
const secrets = new Set<string>();

/** Secrets shorter than this are not registered: masking "a" everywhere would garble output. */
const MIN_SECRET_LENGTH = 4;

export function registerSecret(secret: string | undefined): void {
  if (secret !== undefined && secret.length >= MIN_SECRET_LENGTH) secrets.add(secret);
}

export function redact(text: string): string {
  let result = text;
  for (const secret of secrets) {
    if (result.includes(secret)) result = result.split(secret).join('***');
  }
  return result;
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
}
