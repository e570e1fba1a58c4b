import pLimit from 'p-limit';
import { CONTENT_TYPES, type ContentType } from '../content-types.js';
import { ConfigError, ExitCode, LookervaultError, toLookervaultError } from '../errors.js';
import { isPermissionError, LookerClient, type ServerVersions } from './client.js';
import { ClientRequestError } from './errors.js';
import { REGISTRY, type ContentTypeSpec } from './registry.js';
import { resolveSettings, type LookerSettings, type ResolveSettingsInput } from './settings.js';
import { tlsErrorCode } from './response-errors.js';

/**
 * `lookervault check`: is the configuration complete, is the server a reachable Looker, is TLS
 * verified, do the credentials work, is API 4.0 offered, and can the API user list (and read)
 * each content type. Returns rows for the command to render; prints nothing.
 *
 * Exit code rule (first match wins):
 *   2  configuration: settings missing or invalid, or base_url is not a Looker API
 *   4  authentication: the login is refused, or the API user lacks a permission for a type
 *   1  anything else failing: unreachable, TLS not trusted, API 4.0 missing, server errors
 *   0  every check passed (warnings, such as TLS verification off, do not fail)
 */

/** configuration, server, tls, login, api_version, or a content type's plural (dashboards…). */
export type CheckName = string;

export interface CheckRow {
  /** Stable key: configuration, server, tls, login, api_version, or a type's plural. */
  name: CheckName;
  ok: boolean;
  /** Passed, but worth attention (e.g. TLS verification off). */
  warning?: boolean;
  detail: string;
  hint?: string;
}

export interface CheckReport {
  ok: boolean;
  exitCode: ExitCode;
  baseUrl: string | null;
  checks: CheckRow[];
  /** Facts from the configuration worth a warning line. */
  notices: string[];
}

export interface RunChecksOptions {
  settings: ResolveSettingsInput;
  userAgent?: string;
  /** Types probed concurrently (and connections used). @default 4 */
  concurrency?: number;
  signal?: AbortSignal;
}

const TYPE_HINTS: Partial<Record<ContentType, string>> = {
  scheduled_plan:
    "Listing every user's schedules needs the see_schedules permission (all_users=true).",
  user: 'Listing users needs the see_users permission.',
  group: 'Listing groups needs the see_groups permission.',
  role: 'Listing roles needs the see_roles permission (an Admin role has it).',
  lookml_model: 'Listing LookML models needs the see_lookml or explore permission on the models.',
  explore: "Reading explores needs access to the models (a model set in the user's role).",
};
const GENERIC_PERMISSION_HINT =
  'Give the API user a role with the needed permission; an Admin role can back up everything.';

export async function runChecks(options: RunChecksOptions): Promise<CheckReport> {
  const checks: CheckRow[] = [];
  const finish = (exitCode: ExitCode, baseUrl: string | null, notices: string[]): CheckReport => ({
    ok: exitCode === ExitCode.Success,
    exitCode,
    baseUrl,
    checks,
    notices,
  });

  let settings: LookerSettings;
  try {
    settings = resolveSettings(options.settings);
  } catch (error) {
    checks.push(failedRow('configuration', error));
    return finish(exitCodeOf(error), null, []);
  }
  checks.push({ name: 'configuration', ok: true, detail: describeSources(settings) });

  const client = LookerClient.create(settings, {
    poolSize: options.concurrency ?? 4,
    ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
  });
  try {
    const exitCode = await checkServer(client, settings, checks, options);
    return finish(exitCode, settings.baseUrl, settings.notices);
  } finally {
    await client.logout();
    await client.close();
  }
}

async function checkServer(
  client: LookerClient,
  settings: LookerSettings,
  checks: CheckRow[],
  options: RunChecksOptions,
): Promise<ExitCode> {
  const { signal } = options;
  const https = settings.baseUrl.startsWith('https:');

  // Reachable, and a Looker API (unauthenticated /versions).
  let versions: ServerVersions | 'auth-required';
  const started = Date.now();
  try {
    versions = await client.probeVersions(signal);
  } catch (error) {
    const tls = tlsErrorCode(error);
    if (tls !== undefined) {
      checks.push({
        name: 'server',
        ok: true,
        detail: `${hostOf(settings.baseUrl)} accepts connections`,
      });
      checks.push(failedRow('tls', error));
      return ExitCode.Error;
    }
    checks.push(failedRow('server', error));
    return exitCodeOf(error);
  }
  const elapsed = Date.now() - started;
  checks.push({
    name: 'server',
    ok: true,
    detail: `${settings.baseUrl} answers as a Looker API (${elapsed} ms)`,
  });
  checks.push(tlsRow(settings, https));

  // Login, and who we are.
  try {
    await client.login();
    const me = await client.call('me', (sdk, o) => sdk.me('id,display_name,email', o), signal);
    checks.push({ name: 'login', ok: true, detail: `logged in as ${describeUser(me)}` });
  } catch (error) {
    checks.push(failedRow('login', error));
    return exitCodeOf(error);
  }

  // API 4.0 offered.
  try {
    const info = versions === 'auth-required' ? await client.versions(signal) : versions;
    const offered = info.apiVersions.join(', ') || 'none listed';
    checks.push(
      info.supports40
        ? {
            name: 'api_version',
            ok: true,
            detail: `API 4.0 supported (Looker ${info.lookerVersion}; offers ${offered})`,
          }
        : {
            name: 'api_version',
            ok: false,
            detail: `Looker ${info.lookerVersion} does not offer API 4.0 (offers ${offered})`,
            hint: 'lookervault needs API 4.0 (Looker 22.4 or later). Upgrade Looker or enable API 4.0.',
          },
    );
    if (!info.supports40) return ExitCode.Error;
  } catch (error) {
    checks.push(failedRow('api_version', error));
    return exitCodeOf(error);
  }

  // Each content type: list one item, and read it in full when the type needs a detail call.
  const limit = pLimit(options.concurrency ?? 4);
  const rows = await Promise.all(
    CONTENT_TYPES.map((type) => limit(() => probeType(REGISTRY[type], client, signal))),
  );
  checks.push(...rows.map((row) => row.row));
  const failures = rows.filter((row) => !row.row.ok);
  if (failures.some((row) => isPermissionError(row.error))) return ExitCode.Auth;
  return failures.length > 0 ? ExitCode.Error : ExitCode.Success;
}

async function probeType(
  spec: ContentTypeSpec,
  client: LookerClient,
  signal?: AbortSignal,
): Promise<{ row: CheckRow; error?: unknown }> {
  try {
    const first = await firstItemId(spec, client, signal);
    if (first === undefined) {
      return { row: { name: spec.label, ok: true, detail: 'can list (none found)' } };
    }
    if (first === INVALID) {
      return {
        row: { name: spec.label, ok: true, detail: 'can list (the first item failed validation)' },
      };
    }
    if (spec.needsDetail) await spec.fetchById(client, first, signal);
    return {
      row: {
        name: spec.label,
        ok: true,
        detail: spec.needsDetail ? 'can list and read' : 'can list',
      },
    };
  } catch (error) {
    const row = failedRow(spec.label, error);
    if (isPermissionError(error)) {
      row.hint = TYPE_HINTS[spec.type] ?? GENERIC_PERMISSION_HINT;
    }
    return { row, error };
  }
}

/** The id of one listed item, with the cheapest call the listing has. */
async function firstItemId(
  spec: ContentTypeSpec,
  client: LookerClient,
  signal?: AbortSignal,
): Promise<string | typeof INVALID | undefined> {
  const listing = spec.listing;
  if (listing.kind === 'paged') {
    const items = await listing.fetchPage(client, { offset: 0, limit: 1 }, signal);
    return idOf(spec, items[0]);
  }
  // Children (explores): the first parent that names any.
  const parentSpec = REGISTRY[listing.parent];
  if (parentSpec.listing.kind !== 'paged') return undefined;
  const parents = await parentSpec.listing.fetchPage(client, { offset: 0, limit: 20 }, signal);
  for (const raw of parents) {
    const parent = parentSpec.parseItem(raw);
    if (!parent.ok) continue;
    const childId = listing.childIds(parent)[0];
    if (childId !== undefined) return childId;
  }
  return undefined;
}

/** A listed item that parseItem rejects: listing works, but there is no id to read. */
const INVALID = Symbol('invalid item');

function idOf(spec: ContentTypeSpec, raw: unknown): string | typeof INVALID | undefined {
  if (raw === undefined) return undefined;
  const parsed = spec.parseItem(raw);
  return parsed.ok ? parsed.id : INVALID;
}

function tlsRow(settings: LookerSettings, https: boolean): CheckRow {
  if (!https) {
    const local = /^http:\/\/(localhost|127\.|\[::1\])/.test(settings.baseUrl);
    return local
      ? { name: 'tls', ok: true, detail: 'not used (http:// to this machine)' }
      : {
          name: 'tls',
          ok: true,
          warning: true,
          detail: 'not used: base_url is http://, so credentials and content travel unencrypted',
          hint: 'Use the https:// URL of your Looker instance.',
        };
  }
  if (!settings.verifySsl) {
    return {
      name: 'tls',
      ok: true,
      warning: true,
      detail: `certificate verification is OFF (${settings.sources.verifySsl})`,
      hint: 'Turn verification back on unless this is a test instance with a self-signed certificate.',
    };
  }
  return { name: 'tls', ok: true, detail: 'certificate verified' };
}

function failedRow(name: CheckName, error: unknown): CheckRow {
  const failure = toLookervaultError(error);
  return {
    name,
    ok: false,
    detail: failure.message,
    ...(failure.hint === undefined ? {} : { hint: failure.hint }),
  };
}

function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof ConfigError) return ExitCode.Usage;
  if (isPermissionError(error)) return ExitCode.Auth;
  if (error instanceof LookervaultError && !(error instanceof ClientRequestError)) {
    return error.exitCode;
  }
  return ExitCode.Error;
}

function describeSources(settings: LookerSettings): string {
  const { baseUrl, clientId, clientSecret } = settings.sources;
  const credentials =
    clientId === clientSecret ? clientId : `${clientId} (id), ${clientSecret} (secret)`;
  return `base_url ${settings.baseUrl} from ${baseUrl}; credentials from ${credentials}`;
}

function describeUser(me: unknown): string {
  const user = (me ?? {}) as { id?: unknown; display_name?: unknown; email?: unknown };
  const name =
    typeof user.display_name === 'string' && user.display_name !== ''
      ? user.display_name
      : typeof user.email === 'string'
        ? user.email
        : 'the API user';
  return typeof user.id === 'string' ? `${name} (user ${user.id})` : name;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
