import { afterEach, describe, expect, it } from '@jest/globals';
import { clearSecrets, redact, registerCredentials, registerSecret } from '../../src/redact.js';

afterEach(() => {
  clearSecrets();
});

describe('redact', () => {
  const secret = 'p@ss w!rd%+"\\1';

  it('masks a secret in every encoding it can leave the process in', () => {
    registerSecret(secret);
    const forms = [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1),
      Buffer.from(secret).toString('base64'),
    ];
    for (const form of forms) expect(redact(`echo ${form} end`)).toBe('echo *** end');
    const body = new URLSearchParams({ client_id: 'id', client_secret: secret }).toString();
    expect(redact(body)).toBe('client_id=id&client_secret=***');
    expect(redact(JSON.stringify({ client_secret: secret }))).toBe('{"client_secret":"***"}');
  });

  it('masks base64 of id:secret, as HTTP Basic credentials carry them', () => {
    registerCredentials('my-id', secret);
    const basic = Buffer.from(`my-id:${secret}`).toString('base64');
    expect(redact(`Authorization: Basic ${basic}`)).toBe('Authorization: Basic ***');
  });

  it('leaves short strings alone (masking "a" everywhere would garble output)', () => {
    registerSecret('abc');
    expect(redact('abc')).toBe('abc');
  });
});
