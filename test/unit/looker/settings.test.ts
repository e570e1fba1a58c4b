import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../../src/errors.js';
import { resolveSettings, type ConnectionFlagValues } from '../../../src/looker/settings.js';
import { clearSecrets, redact } from '../../../src/redact.js';
import { makeTempDir } from '../../helpers/tmp.js';

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
  clearSecrets();
});
afterEach(() => {
  cleanup();
});

function writeIni(text: string, name = 'looker.ini'): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function resolve(flags: ConnectionFlagValues = {}, env: NodeJS.ProcessEnv = {}) {
  return resolveSettings({ flags, env, cwd: dir });
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const ENV = {
  LOOKERSDK_BASE_URL: 'https://env.looker.com',
  LOOKERSDK_CLIENT_ID: 'env-id',
  LOOKERSDK_CLIENT_SECRET: 'env-secret',
};

describe('resolveSettings', () => {
  it('reads looker.ini from the working directory, first section by default', () => {
    writeIni(
      '[Looker]\nbase_url=https://ini.looker.com:19999\nclient_id=ini-id\nclient_secret=ini-secret\n[Other]\nbase_url=https://other\n',
    );
    const settings = resolve();
    expect(settings).toMatchObject({
      baseUrl: 'https://ini.looker.com:19999',
      clientId: 'ini-id',
      clientSecret: 'ini-secret',
      verifySsl: true,
      timeoutSeconds: 120,
    });
    expect(settings.sources.baseUrl).toBe(`${path.join(dir, 'looker.ini')} [Looker]`);
  });

  it('takes each setting from flags first, then the environment, then the ini file', () => {
    writeIni(
      '[Looker]\nbase_url=https://ini\nclient_id=ini-id\nclient_secret=ini-secret\ntimeout=30\n',
    );
    const settings = resolve(
      { 'client-id': 'flag-id' },
      { LOOKERSDK_BASE_URL: 'https://env.looker.com', LOOKERSDK_CLIENT_ID: 'env-id' },
    );
    expect(settings.clientId).toBe('flag-id');
    expect(settings.baseUrl).toBe('https://env.looker.com');
    expect(settings.clientSecret).toBe('ini-secret');
    expect(settings.timeoutSeconds).toBe(30);
    expect(settings.sources).toMatchObject({
      clientId: '--client-id',
      baseUrl: 'LOOKERSDK_BASE_URL',
    });
  });

  it('reads the section named by --section from the file named by --config', () => {
    const file = writeIni(
      '[Dev]\nbase_url=https://dev\nclient_id=a\nclient_secret=bbbb\n[Prod]\nbase_url=https://prod\nclient_id=c\nclient_secret=dddd\n',
      'custom.ini',
    );
    expect(resolve({ config: file, section: 'Prod' }).baseUrl).toBe('https://prod');
  });

  it('names every missing setting with its flag, variable and ini key', () => {
    const error = configError(() => resolve({}, { LOOKERSDK_BASE_URL: 'https://x.looker.com' }));
    expect(error.message).toBe('Missing Looker connection settings: client_id, client_secret.');
    expect(error.hint).toContain('--client-id, LOOKERSDK_CLIENT_ID');
    expect(error.hint).toContain('LOOKERSDK_CLIENT_SECRET');
    expect(error.hint).toContain(path.join(dir, 'looker.ini'));
  });

  it('treats empty environment variables as unset', () => {
    const error = configError(() => resolve({}, { ...ENV, LOOKERSDK_CLIENT_ID: '' }));
    expect(error.message).toContain('client_id');
  });

  it('names a --config file that does not exist', () => {
    const error = configError(() => resolve({ config: 'nope.ini' }, ENV));
    expect(error.message).toBe(`Config file ${path.join(dir, 'nope.ini')} does not exist.`);
  });

  it('lists the sections when --section names one that is not there', () => {
    writeIni('[Looker]\nbase_url=https://x\n[Staging]\nbase_url=https://y\n');
    const error = configError(() => resolve({ section: 'Prod' }, ENV));
    expect(error.message).toContain('has no section [Prod]');
    expect(error.hint).toContain('[Looker], [Staging]');
  });

  it('rejects an ini file without any section', () => {
    writeIni('base_url=https://x\n');
    expect(configError(() => resolve({}, ENV)).message).toContain('has no [section]');
  });

  it('rejects a malformed line by number without echoing its content', () => {
    const secret = `s3cr3t-${Math.random().toString(36).slice(2)}`;
    writeIni(`[Looker]\nbase_url=https://x\nclient_id=abc\nclient_secret: ${secret}\n`);
    const error = configError(() => resolve());
    expect(error.message).toMatch(
      /in \[Looker\], line 4 \(client_secret\) is not a "key = value" line/,
    );
    expect(`${error.message} ${error.hint ?? ''}`).not.toContain(secret);
  });

  it('rejects a binary file as not an ini file', () => {
    writeIni('\u0000\u0001garbage');
    expect(configError(() => resolve({}, ENV)).message).toContain('is not a text ini file');
  });

  it('strips quotes around values, as the official SDKs do', () => {
    writeIni(
      `[Looker]\nbase_url="https://q.looker.com"\nclient_id='id'\nclient_secret="sec-ret"\n`,
    );
    expect(resolve()).toMatchObject({
      baseUrl: 'https://q.looker.com',
      clientId: 'id',
      clientSecret: 'sec-ret',
    });
  });

  it('requires an http(s) base URL', () => {
    const error = configError(() => resolve({}, { ...ENV, LOOKERSDK_BASE_URL: 'ftp://x' }));
    expect(error.message).toBe('LOOKERSDK_BASE_URL: base URL must start with https:// or http://.');
    expect(configError(() => resolve({ 'base-url': 'looker.com' }, ENV)).message).toBe(
      '--base-url: "looker.com" is not a URL.',
    );
  });

  it('drops a trailing slash and a trailing /api/4.0, noting the latter', () => {
    const settings = resolve(
      {},
      { ...ENV, LOOKERSDK_BASE_URL: 'https://x.looker.com:19999/api/4.0/' },
    );
    expect(settings.baseUrl).toBe('https://x.looker.com:19999');
    expect(settings.notices.join('\n')).toContain('/api/4.0');
  });

  it('keeps TLS verification on unless turned off explicitly, and notes when it is off', () => {
    expect(resolve({}, ENV).verifySsl).toBe(true);
    const off = resolve({}, { ...ENV, LOOKERSDK_VERIFY_SSL: 'false' });
    expect(off.verifySsl).toBe(false);
    expect(off.notices.join('\n')).toContain(
      'TLS certificate verification is off (LOOKERSDK_VERIFY_SSL)',
    );
    expect(
      resolve({ 'verify-ssl': true }, { ...ENV, LOOKERSDK_VERIFY_SSL: 'false' }).verifySsl,
    ).toBe(true);
  });

  it('rejects a verify_ssl that is not a boolean, naming the variable', () => {
    const error = configError(() => resolve({}, { ...ENV, LOOKERSDK_VERIFY_SSL: 'maybe' }));
    expect(error.message).toBe('LOOKERSDK_VERIFY_SSL must be true or false, not "maybe".');
  });

  it('rejects a timeout that is not a whole number of seconds, naming the ini key', () => {
    writeIni('[Looker]\ntimeout=soon\n');
    const error = configError(() => resolve({}, ENV));
    expect(error.message).toContain('[Looker] must be a whole number of seconds >= 1, not "soon"');
    expect(error.message).toMatch(/^timeout in .*looker\.ini \[Looker\] must be/);
  });

  it('rejects a verify_ssl in looker.ini that is not a boolean, naming the key', () => {
    writeIni('[Looker]\nverify_ssl=perhaps\n');
    const error = configError(() => resolve({}, ENV));
    expect(error.message).toMatch(
      /^verify_ssl in .*looker\.ini \[Looker\] must be true or false, not "perhaps"\.$/,
    );
  });

  it('names --no-verify-ssl, the flag given, in the warning that verification is off', () => {
    const settings = resolve({ 'verify-ssl': false }, ENV);
    expect(settings.notices.join('\n')).toContain(
      'TLS certificate verification is off (--no-verify-ssl)',
    );
  });

  it('registers the client secret for redaction as soon as it is read', () => {
    const secret = `s3cr3t-${Math.random().toString(36).slice(2)}`;
    // Even when validation then fails (no base URL), the secret is already registered.
    configError(() => resolve({}, { LOOKERSDK_CLIENT_SECRET: secret }));
    expect(redact(`echo ${secret}`)).toBe('echo ***');
  });
});
