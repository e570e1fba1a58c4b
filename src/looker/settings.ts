import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseIni } from 'ini';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { registerSecret } from '../redact.js';

/**
 * Where the connection settings come from, with the conventions of the official Looker SDKs so
 * existing setups just work. Each setting is taken from the first source that has it:
 *
 *   1. flags: --base-url, --client-id, --client-secret, --verify-ssl/--no-verify-ssl, --timeout
 *   2. environment: LOOKERSDK_BASE_URL, LOOKERSDK_CLIENT_ID, LOOKERSDK_CLIENT_SECRET,
 *      LOOKERSDK_VERIFY_SSL, LOOKERSDK_TIMEOUT
 *   3. an ini file: --config FILE, else ./looker.ini when it exists; section --section NAME,
 *      else the first section (keys base_url, client_id, client_secret, verify_ssl, timeout)
 *
 * Errors are ConfigErrors naming the flag, variable or file (and section) to fix. Nothing is
 * printed here: facts worth a warning (TLS verification off, …) are returned as `notices`.
 */

export const ENV = {
  baseUrl: 'LOOKERSDK_BASE_URL',
  clientId: 'LOOKERSDK_CLIENT_ID',
  clientSecret: 'LOOKERSDK_CLIENT_SECRET',
  verifySsl: 'LOOKERSDK_VERIFY_SSL',
  timeout: 'LOOKERSDK_TIMEOUT',
} as const;

const INI_KEY = {
  baseUrl: 'base_url',
  clientId: 'client_id',
  clientSecret: 'client_secret',
  verifySsl: 'verify_ssl',
  timeout: 'timeout',
} as const;

const FLAG = {
  baseUrl: '--base-url',
  clientId: '--client-id',
  clientSecret: '--client-secret',
  verifySsl: '--verify-ssl',
  timeout: '--timeout',
} as const;

type SettingName = keyof typeof ENV;

/** The default per-request timeout of the official SDKs, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 120;
export const DEFAULT_INI_FILE = 'looker.ini';

export interface LookerSettings {
  /** Scheme, host, port and any path prefix, without a trailing slash and without `/api/4.0`. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** TLS certificate verification. On unless turned off explicitly. */
  verifySsl: boolean;
  /** Per-request timeout, seconds (>= 1). @default 120 */
  timeoutSeconds: number;
  /** Where each setting was read, for `check` ("LOOKERSDK_BASE_URL", "looker.ini [Looker]"). */
  sources: Record<SettingName, string>;
  /** Facts the command should show as warnings; never printed by this module. */
  notices: string[];
}

/** Flag values as oclif parses them from the connection flags (src/cli/connection-flags.ts). */
export interface ConnectionFlagValues {
  'base-url'?: string | undefined;
  'client-id'?: string | undefined;
  'client-secret'?: string | undefined;
  config?: string | undefined;
  section?: string | undefined;
  'verify-ssl'?: boolean | undefined;
  timeout?: number | undefined;
}

/** Settings given whole by a caller (the library, tests), not read from flags, env or ini. */
export function explicitSettings(
  values: Pick<LookerSettings, 'baseUrl' | 'clientId' | 'clientSecret'> &
    Partial<Pick<LookerSettings, 'verifySsl' | 'timeoutSeconds'>>,
  source: string,
): LookerSettings {
  registerSecret(values.clientSecret);
  return {
    baseUrl: values.baseUrl.replace(/\/+$/, ''),
    clientId: values.clientId,
    clientSecret: values.clientSecret,
    verifySsl: values.verifySsl ?? true,
    timeoutSeconds: values.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    sources: {
      baseUrl: source,
      clientId: source,
      clientSecret: source,
      verifySsl: source,
      timeout: source,
    },
    notices: [],
  };
}

export interface ResolveSettingsInput {
  flags: ConnectionFlagValues;
  env: NodeJS.ProcessEnv;
  /** Directory where `looker.ini` is looked for, and relative `--config` paths resolve. */
  cwd: string;
}

interface RawValue {
  value: string | boolean | number;
  /** Where it was read (the flag, the variable, the ini file and section). */
  source: string;
  /** The setting as the user wrote it there, for messages ("timeout in looker.ini [Looker]"). */
  named: string;
}

interface IniSection {
  values: Record<string, string>;
  label: string;
}

/** Reads and validates the settings; throws ConfigError naming what to fix. */
export function resolveSettings(input: ResolveSettingsInput): LookerSettings {
  const { flags, env, cwd } = input;
  // Register the secret the moment it is read, before anything can fail and echo it.
  registerSecret(flags['client-secret']);
  registerSecret(env[ENV.clientSecret]);

  const ini = readIniSection(flags, cwd);
  if (ini) registerSecret(ini.values[INI_KEY.clientSecret]);

  const pick = (name: SettingName): RawValue | undefined => {
    const flagValue = flags[FLAG[name].slice(2) as keyof ConnectionFlagValues];
    if (flagValue !== undefined && flagValue !== '') {
      // The flag the user typed: --no-verify-ssl, not --verify-ssl.
      const flag = flagValue === false ? `--no-${FLAG[name].slice(2)}` : FLAG[name];
      return { value: flagValue, source: flag, named: flag };
    }
    const envValue = env[ENV[name]];
    if (envValue !== undefined && envValue.trim() !== '') {
      return { value: unquote(envValue.trim()), source: ENV[name], named: ENV[name] };
    }
    const iniValue = ini?.values[INI_KEY[name]];
    if (iniValue !== undefined && iniValue.trim() !== '') {
      const label = ini?.label ?? '';
      return {
        value: unquote(iniValue.trim()),
        source: label,
        named: `${INI_KEY[name]} in ${label}`,
      };
    }
    return undefined;
  };

  const where = (name: SettingName): string => {
    const file = ini ? ini.label : `${INI_KEY[name]} in ${path.join(cwd, DEFAULT_INI_FILE)}`;
    return `${FLAG[name]}, ${ENV[name]}, or ${ini ? `${INI_KEY[name]} in ${file}` : file}`;
  };

  const notices: string[] = [];
  const missing = (['baseUrl', 'clientId', 'clientSecret'] as const).filter(
    (name) => pick(name) === undefined,
  );
  if (missing.length > 0) {
    const names = missing.map((name) => INI_KEY[name]).join(', ');
    throw new ConfigError(`Missing Looker connection settings: ${names}.`, {
      hint: `Set ${missing.map(where).join('; ')}.`,
    });
  }

  const baseUrl = parseBaseUrl(pick('baseUrl') as RawValue, notices);
  const clientId = String((pick('clientId') as RawValue).value);
  const clientSecret = String((pick('clientSecret') as RawValue).value);
  registerSecret(clientSecret);

  const verifyRaw = pick('verifySsl');
  const verifySsl = verifyRaw === undefined ? true : parseBoolean(verifyRaw);
  if (!verifySsl) {
    notices.push(
      `TLS certificate verification is off (${verifyRaw?.named ?? ''}): the connection can be intercepted.`,
    );
  }

  const timeoutRaw = pick('timeout');
  const timeoutSeconds =
    timeoutRaw === undefined ? DEFAULT_TIMEOUT_SECONDS : parseTimeout(timeoutRaw);

  const sources = Object.fromEntries(
    (Object.keys(ENV) as SettingName[]).map((name) => [name, pick(name)?.source ?? 'default']),
  ) as Record<SettingName, string>;

  return { baseUrl, clientId, clientSecret, verifySsl, timeoutSeconds, sources, notices };
}

function readIniSection(flags: ConnectionFlagValues, cwd: string): IniSection | undefined {
  const explicit = flags.config !== undefined && flags.config !== '';
  const file = path.resolve(cwd, explicit ? (flags.config as string) : DEFAULT_INI_FILE);
  if (!existsSync(file)) {
    if (explicit) {
      throw new ConfigError(`Config file ${file} does not exist.`, {
        hint: 'Check the --config path, or leave --config out to use ./looker.ini or the LOOKERSDK_* environment variables.',
      });
    }
    if (flags.section) {
      throw new ConfigError(`--section ${flags.section} was given, but ${file} does not exist.`, {
        hint: 'Pass --config with the ini file that has this section.',
      });
    }
    return undefined;
  }
  let text: string;
  try {
    if (statSync(file).isDirectory()) throw new Error('it is a directory');
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read config file ${file}: ${errorText(error)}.`, {
      hint: 'Check the file exists and is readable.',
    });
  }
  return parseIniSection(text, file, flags.section);
}

const iniSectionSchema = z.record(z.string(), z.string());

/**
 * Parses the chosen section of an ini file. The `ini` package accepts almost anything, so
 * malformed content is caught here: a line that is not `key = value` comes back as a boolean,
 * a file without any `[section]` has no object at the top level.
 */
export function parseIniSection(text: string, file: string, section?: string): IniSection {
  if (text.includes('\u0000')) {
    throw new ConfigError(`Config file ${file} is not a text ini file.`, {
      hint: 'Point --config at a Looker SDK ini file (looker.ini).',
    });
  }
  const parsed = parseIni(text) as Record<string, unknown>;
  const sections = Object.keys(parsed).filter((key) => isPlainObject(parsed[key]));
  const stray = Object.keys(parsed).filter((key) => !isPlainObject(parsed[key]));
  if (sections.length === 0) {
    throw new ConfigError(`Config file ${file} has no [section].`, {
      hint: 'A looker.ini starts with a section header such as [Looker], followed by base_url = …, client_id = …, client_secret = ….',
    });
  }
  if (stray.length > 0) {
    throw new ConfigError(
      `Config file ${file} is malformed: ${describeLine(text, stray[0] ?? '')} is outside any [section].`,
      { hint: 'Put every setting under a section header such as [Looker].' },
    );
  }
  const name = section ?? sections[0] ?? '';
  const values = parsed[name];
  if (!isPlainObject(values)) {
    throw new ConfigError(`Config file ${file} has no section [${name}].`, {
      hint: `Sections found: ${sections.map((s) => `[${s}]`).join(', ')}. Pass one with --section.`,
    });
  }
  const label = `${file} [${name}]`;
  const result = iniSectionSchema.safeParse(values);
  if (!result.success) {
    const bad = Object.entries(values).find(([, value]) => typeof value !== 'string');
    throw new ConfigError(
      `Config file ${file} is malformed: in [${name}], ${describeLine(text, bad?.[0] ?? '')} is not a "key = value" line.`,
      {
        hint: 'Each setting is one line: key = value (e.g. base_url = https://mycompany.looker.com).',
      },
    );
  }
  return { values: result.data, label };
}

function parseBaseUrl(raw: RawValue, notices: string[]): string {
  const text = String(raw.value);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${raw.source}: "${excerpt(text)}" is not a URL.`, {
      hint: 'Use the full API URL, e.g. https://mycompany.looker.com (or https://mycompany.looker.com:19999 on older instances).',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${raw.source}: base URL must start with https:// or http://.`, {
      hint: 'e.g. https://mycompany.looker.com',
    });
  }
  if (url.username || url.password) {
    throw new ConfigError(`${raw.source}: base URL must not contain credentials.`, {
      hint: 'Use client_id and client_secret for the API credentials.',
    });
  }
  if (url.search || url.hash) {
    throw new ConfigError(`${raw.source}: base URL must not have a query string or fragment.`, {
      hint: 'e.g. https://mycompany.looker.com',
    });
  }
  let pathname = url.pathname.replace(/\/+$/, '');
  const apiSuffix = /\/api\/\d+\.\d+$/.exec(pathname);
  if (apiSuffix) {
    pathname = pathname.slice(0, apiSuffix.index);
    notices.push(
      `${raw.source} ends with ${apiSuffix[0]}; lookervault adds /api/4.0 itself, so it was dropped.`,
    );
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    notices.push(`${raw.source} uses http://: credentials and content travel unencrypted.`);
  }
  return `${url.protocol}//${url.host}${pathname}`;
}

function parseBoolean(raw: RawValue): boolean {
  if (typeof raw.value === 'boolean') return raw.value;
  const text = String(raw.value).trim().toLowerCase();
  if (['true', '1', 'yes', 'y', 'on', 't'].includes(text)) return true;
  if (['false', '0', 'no', 'n', 'off', 'f'].includes(text)) return false;
  throw new ConfigError(
    `${raw.named} must be true or false, not "${excerpt(String(raw.value))}".`,
    {
      hint: 'TLS verification is on by default; set it to false only for a test instance with a self-signed certificate.',
    },
  );
}

function parseTimeout(raw: RawValue): number {
  const value = typeof raw.value === 'number' ? raw.value : Number(String(raw.value).trim());
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(
      `${raw.named} must be a whole number of seconds >= 1, not "${excerpt(String(raw.value))}".`,
      { hint: `The default is ${DEFAULT_TIMEOUT_SECONDS} seconds.` },
    );
  }
  return value;
}

/** The SDKs accept values wrapped in single or double quotes. */
function unquote(value: string): string {
  const match = /^(['"])(.*)\1$/s.exec(value);
  return match ? (match[2] ?? '') : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname.startsWith('127.');
}

/**
 * Names a malformed line by number, never by content: a line such as `client_secret: abc`
 * (no `=`) is exactly where a secret would be echoed. Only a known setting name is shown.
 */
function describeLine(text: string, key: string): string {
  const lines = text.split(/\r?\n/);
  const index = lines.findIndex((line) => line.trim().startsWith(key.trim()));
  const first = /^[A-Za-z_]+/.exec(key.trim())?.[0];
  const known = first !== undefined && KNOWN_INI_KEYS.has(first.toLowerCase());
  const where = index >= 0 ? `line ${index + 1}` : 'a line';
  return known ? `${where} (${first})` : where;
}

const KNOWN_INI_KEYS = new Set([
  ...Object.values(INI_KEY),
  'api_version',
  'embed_secret',
  'user_id',
  'verbose',
  'redirect_uri',
  'looker_url',
]);

function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return String(error);
}
