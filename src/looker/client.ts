import { Looker40SDK } from '@looker/sdk';
import type { IApiSettings, ITransportSettings, SDKResponse } from '@looker/sdk-rtl';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { ApiAuthError, ClientRequestError, InvalidResponseError } from './errors.js';
import { LookerSession } from './session.js';
import type { LookerSettings } from './settings.js';
import { type LookerRequestOptions } from './http-types.js';
import { parseJsonBody } from './json-body.js';
import { describeBody, errorFromResponse, isLookerErrorBody } from './response-errors.js';
import { LookerTransport } from './transport.js';

/**
 * The one Looker client every request goes through: the official `Looker40SDK` on a
 * {@link LookerTransport} (keep-alive pool, real timeouts, typed errors) and a
 * {@link LookerSession} (single-flight login, refresh, one re-login on 401).
 *
 * ```ts
 * const client = LookerClient.create(settings, { poolSize: 8 });
 * try {
 *   const me = await client.call('me', (sdk, options) => sdk.me('id,display_name', options));
 * } finally {
 *   await client.logout();
 *   await client.close();
 * }
 * ```
 */

export interface ApiCaller {
  /**
   * Performs exactly one HTTP request (plus, at most, the shared login and one replay after a
   * 401) and returns the unwrapped value, or throws a typed error of `./errors.ts` with
   * `operation` and `status` filled in. `invoke` must pass `options` on to the SDK method:
   * it carries the operation name and the AbortSignal.
   */
  call<T>(
    operation: string,
    invoke: (
      sdk: Looker40SDK,
      options: Partial<ITransportSettings>,
    ) => Promise<SDKResponse<T, unknown>>,
    signal?: AbortSignal,
  ): Promise<T>;
}

export interface LookerClientOptions {
  /** Connections to Looker: the worker count (at most this many requests in flight). Minimum 1. */
  poolSize: number;
  /** Per-request timeout in ms. @default settings.timeoutSeconds × 1000 */
  timeoutMs?: number;
  /** `User-Agent` of every request. @default 'lookervault' */
  userAgent?: string;
  /** Time source for token expiry, in ms. @default Date.now */
  clock?: () => number;
  /** Waits before a login that follows a rejected fresh token. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** A response body larger than this fails its request. @default 256 MiB */
  maxResponseBytes?: number;
}

/** What `/versions` says about the instance. */
export interface ServerVersions {
  lookerVersion: string;
  /** Every API version the instance offers, e.g. ['3.1', '4.0']. */
  apiVersions: string[];
  currentApiVersion: string | null;
  /** Whether API 4.0 is among them. */
  supports40: boolean;
}

const versionsSchema = z.object({
  looker_release_version: z.string(),
  current_version: z.object({ version: z.string().nullish() }).nullish(),
  supported_versions: z.array(z.object({ version: z.string().nullish() })),
});

export class LookerClient implements ApiCaller {
  readonly sdk: Looker40SDK;
  readonly baseUrl: string;
  readonly session: LookerSession;
  readonly transport: LookerTransport;

  private constructor(
    sdk: Looker40SDK,
    session: LookerSession,
    transport: LookerTransport,
    baseUrl: string,
  ) {
    this.sdk = sdk;
    this.session = session;
    this.transport = transport;
    this.baseUrl = baseUrl;
  }

  static create(settings: LookerSettings, options: LookerClientOptions): LookerClient {
    const timeoutMs = options.timeoutMs ?? settings.timeoutSeconds * 1000;
    const userAgent = options.userAgent ?? 'lookervault';
    const credentials = { clientId: settings.clientId, clientSecret: settings.clientSecret };
    // The SDK's settings object. The secret is not a property (it would travel into every
    // request's options); the SDK's own readConfig is never used by LookerSession.
    const sdkSettings: IApiSettings = {
      base_url: settings.baseUrl,
      verify_ssl: settings.verifySsl,
      timeout: Math.ceil(timeoutMs / 1000),
      agentTag: userAgent,
      maxTries: 1,
      readConfig: () => ({}),
      isConfigured: () => true,
    };
    const transport = new LookerTransport(sdkSettings, {
      poolSize: options.poolSize,
      timeoutMs,
      verifySsl: settings.verifySsl,
      userAgent,
      ...(options.maxResponseBytes === undefined
        ? {}
        : { maxResponseBytes: options.maxResponseBytes }),
    });
    const session = new LookerSession(
      sdkSettings,
      transport,
      {
        ...credentials,
        describeSource: describeCredentialSource(settings),
      },
      {
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
      },
    );
    return new LookerClient(new Looker40SDK(session), session, transport, settings.baseUrl);
  }

  async call<T>(
    operation: string,
    invoke: (
      sdk: Looker40SDK,
      options: Partial<ITransportSettings>,
    ) => Promise<SDKResponse<T, unknown>>,
    signal?: AbortSignal,
  ): Promise<T> {
    const options: LookerRequestOptions = { operation, ...(signal ? { signal } : {}) };
    const response = await invoke(this.sdk, options);
    if (response.ok) return response.value;
    // LookerTransport rejects instead of answering {ok: false}; this is for anything else.
    throw new InvalidResponseError(`${operation}: the SDK reported a failure without a response.`, {
      operation,
    });
  }

  /** Logs in now unless a valid token is held (shared with concurrent callers). */
  async login(): Promise<void> {
    await this.session.accessToken();
  }

  /** Ends the API session if one is open. Best effort: never throws. */
  async logout(): Promise<void> {
    await this.session.logout();
  }

  /** Aborts requests in flight and closes the connection pool. */
  async close(): Promise<void> {
    await this.transport.close();
  }

  /** Login requests sent so far. */
  get loginCount(): number {
    return this.session.loginCount;
  }

  /**
   * `GET /api/4.0/versions` without credentials (Looker serves it to anyone): proves the
   * server is a Looker API, or throws a ConfigError about base_url. Resolves 'auth-required'
   * when this server wants a token even for that.
   */
  async probeVersions(signal?: AbortSignal): Promise<ServerVersions | 'auth-required'> {
    const operation = 'versions';
    const raw = await this.transport.rawRequest(
      'GET',
      `${this.baseUrl}/api/4.0/versions`,
      undefined,
      undefined,
      undefined,
      { operation, ...(signal ? { signal } : {}) },
    );
    if (raw.ok) {
      let body: unknown;
      try {
        body = parseJsonBody(raw, operation);
      } catch {
        throw notLooker(this.baseUrl, `HTTP ${raw.statusCode} (${describeBody(raw)})`);
      }
      return toServerVersions(body, this.baseUrl);
    }
    if ((raw.statusCode === 401 || raw.statusCode === 403) && isLookerErrorBody(raw)) {
      return 'auth-required';
    }
    if (raw.statusCode === 429 || raw.statusCode >= 500) throw errorFromResponse(raw, operation);
    const location = raw.headers.location;
    throw notLooker(
      this.baseUrl,
      raw.statusCode >= 300 && raw.statusCode < 400 && location
        ? `a redirect to ${location}`
        : `HTTP ${raw.statusCode} (${describeBody(raw)})`,
    );
  }

  /** The instance's versions: unauthenticated when possible, else after login. */
  async versions(signal?: AbortSignal): Promise<ServerVersions> {
    const probed = await this.probeVersions(signal);
    if (probed !== 'auth-required') return probed;
    const body = await this.call(
      'versions',
      (sdk, options) => sdk.versions(undefined, options),
      signal,
    );
    return toServerVersions(body, this.baseUrl);
  }
}

function toServerVersions(body: unknown, baseUrl: string): ServerVersions {
  const parsed = versionsSchema.safeParse(body);
  if (!parsed.success) throw notLooker(baseUrl, 'JSON without Looker version information');
  const apiVersions = parsed.data.supported_versions
    .map((v) => v.version)
    .filter((v): v is string => typeof v === 'string' && v !== '');
  return {
    lookerVersion: parsed.data.looker_release_version,
    apiVersions,
    currentApiVersion: parsed.data.current_version?.version ?? null,
    supports40: apiVersions.includes('4.0'),
  };
}

function notLooker(baseUrl: string, answer: string): ConfigError {
  return new ConfigError(
    `${baseUrl} does not answer like a Looker API: GET /api/4.0/versions returned ${answer}.`,
    {
      hint: 'Set base_url to the API URL of your Looker instance, e.g. https://mycompany.looker.com (or https://mycompany.looker.com:19999 on older instances).',
    },
  );
}

function describeCredentialSource(settings: LookerSettings): string {
  const { clientId, clientSecret } = settings.sources;
  return clientId === clientSecret ? `from ${clientId}` : `from ${clientId} and ${clientSecret}`;
}

/** Whether an error means the API user lacks a permission (exit 4 territory). */
export function isPermissionError(error: unknown): boolean {
  return (
    error instanceof ApiAuthError || (error instanceof ClientRequestError && error.status === 403)
  );
}
