import {
  AuthToken,
  type IApiSettings,
  type IAuthSession,
  type IRequestProps,
} from '@looker/sdk-rtl';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { registerCredentials, registerSecret } from '../redact.js';
import { ApiAuthError, InvalidResponseError } from './errors.js';
import { type LookerRawResponse } from './http-types.js';
import { parseJsonBody } from './json-body.js';
import { describeBody, errorFromResponse, isLookerErrorBody } from './response-errors.js';
import { type LookerTransport } from './transport.js';

/**
 * Authentication for a run with many concurrent requests: lookervault's own implementation of
 * the SDK's `IAuthSession` interface (not a subclass of sdk-node's `NodeSession`, whose
 * `getToken()` logs in whenever it is not authenticated, so N cold workers send N logins).
 * Login is single-flight (one shared promise everyone awaits), refreshes shortly before the
 * token expires, drops a token the server rejected only if it is still the current one (so a
 * burst of 401s causes one re-login), spaces logins out when fresh tokens keep being rejected
 * (250 ms, doubling, at most 8 s), remembers refused credentials (no retry storm) and
 * registers every access token with the redactor.
 */

export interface SessionCredentials {
  clientId: string;
  clientSecret: string;
  /** Where the credentials came from, for the hint of a refused login. */
  describeSource?: string;
}

export interface LookerSessionOptions {
  /** Time source in ms (token expiry). @default Date.now */
  clock?: () => number;
  /** Waits before a login that follows a rejected fresh token. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

const accessTokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive().optional(),
});

/** Looker's default token lifetime, used when a login answer omits `expires_in`. */
const DEFAULT_TTL_SECONDS = 3600;
/** Refresh this long before expiry: a tenth of the lifetime, at most a minute. */
const MAX_REFRESH_MARGIN_MS = 60_000;
/** A token rejected within this long after its login was rejected fresh. */
const FRESH_TOKEN_MS = 60_000;
/** The wait before a login after k fresh tokens were rejected in a row: base × 2^(k-1), capped. */
const RELOGIN_BACKOFF_BASE_MS = 250;
const RELOGIN_BACKOFF_MAX_MS = 8_000;

interface TokenState {
  accessToken: string;
  /** Lifetime in seconds, as the login answered. */
  expiresIn: number;
  /** Log in again from this instant on. */
  refreshAtMs: number;
  issuedAtMs: number;
}

export class LookerSession implements IAuthSession {
  /** Sudo is not supported: always empty. */
  readonly sudoId = '';
  private token: TokenState | undefined;
  private loginInFlight: Promise<TokenState> | undefined;
  private refused: ApiAuthError | ConfigError | undefined;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly credentials: SessionCredentials;
  private logins = 0;
  /** Fresh tokens the server rejected in a row: the next login waits longer each time. */
  private rejectedFresh = 0;

  constructor(
    readonly settings: IApiSettings,
    readonly transport: LookerTransport,
    credentials: SessionCredentials,
    options: LookerSessionOptions = {},
  ) {
    this.credentials = credentials;
    this.clock = options.clock ?? Date.now;
    // A referenced timer: while every request waits for this login, it is what keeps the
    // process alive.
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    registerCredentials(credentials.clientId, credentials.clientSecret);
    transport.onUnauthorized = (sent) => {
      this.invalidate(sent);
      return Promise.resolve();
    };
    transport.onAuthorized = () => {
      this.rejectedFresh = 0;
    };
  }

  /** Login requests sent so far. */
  get loginCount(): number {
    return this.logins;
  }

  isAuthenticated(): boolean {
    return this.token !== undefined && this.clock() < this.token.refreshAtMs;
  }

  async authenticate(props: IRequestProps): Promise<IRequestProps> {
    const token = await this.accessToken();
    props.headers.Authorization = `Bearer ${token}`;
    return props;
  }

  /** The current token in the SDK's own form, logging in when needed. */
  async getToken(): Promise<AuthToken> {
    await this.accessToken();
    const token = this.token;
    return new AuthToken(
      token
        ? { access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresIn }
        : {},
    );
  }

  isSudo(): boolean {
    return false;
  }

  /** Logs in unless a valid token is held. Sudo is not supported. */
  async login(sudoId?: string | number): Promise<AuthToken> {
    if (sudoId !== undefined && sudoId !== '') {
      throw new Error('LookerSession does not support sudo logins.');
    }
    return this.getToken();
  }

  /** The current access token, logging in (once, shared by all callers) when needed. */
  async accessToken(): Promise<string> {
    if (this.token && this.clock() < this.token.refreshAtMs) return this.token.accessToken;
    if (this.refused) throw this.refused;
    this.loginInFlight ??= this.performLogin().finally(() => {
      this.loginInFlight = undefined;
    });
    return (await this.loginInFlight).accessToken;
  }

  /**
   * The server rejected a request sent with `sentAuthorization`: forget that token if it is
   * still the current one. Requests that failed with an older token change nothing, so a
   * burst of 401s leads to one login.
   */
  invalidate(sentAuthorization: string | undefined): void {
    if (this.token && sentAuthorization === `Bearer ${this.token.accessToken}`) {
      const fresh = this.clock() - this.token.issuedAtMs < FRESH_TOKEN_MS;
      this.rejectedFresh = fresh ? this.rejectedFresh + 1 : 0;
      this.token = undefined;
    }
  }

  /** Ends the API session (DELETE /logout) if one is open. Never throws. */
  async logout(): Promise<boolean> {
    const token = this.token;
    if (!token) return false;
    this.reset();
    try {
      const raw = await this.transport.rawRequest(
        'DELETE',
        `${this.settings.base_url}/api/4.0/logout`,
        undefined,
        undefined,
        (props: IRequestProps) => {
          props.headers.Authorization = `Bearer ${token.accessToken}`;
          return props;
        },
        { operation: 'logout', timeoutMs: Math.min(this.transport.timeoutMs, 10_000) },
      );
      return raw.ok;
    } catch {
      return false;
    }
  }

  reset(): void {
    this.token = undefined;
  }

  private async performLogin(): Promise<TokenState> {
    if (this.rejectedFresh > 0) {
      await this.sleep(
        Math.min(RELOGIN_BACKOFF_MAX_MS, RELOGIN_BACKOFF_BASE_MS * 2 ** (this.rejectedFresh - 1)),
      );
    }
    const { clientId, clientSecret } = this.credentials;
    const body = new URLSearchParams({ client_id: clientId, client_secret: clientSecret });
    this.logins++;
    const raw = await this.transport.rawRequest(
      'POST',
      `${this.settings.base_url}/api/4.0/login`,
      undefined,
      body,
      undefined,
      { operation: 'login' },
    );
    if (!raw.ok) throw this.loginFailure(raw);
    const parsed = accessTokenSchema.safeParse(parseJsonBody(raw, 'login'));
    if (!parsed.success) {
      throw new InvalidResponseError(
        'login: the Looker API answered without a usable access token.',
        { operation: 'login', status: raw.statusCode },
      );
    }
    const { access_token: accessToken, expires_in: expiresIn } = parsed.data;
    registerSecret(accessToken);
    const ttlMs = (expiresIn ?? DEFAULT_TTL_SECONDS) * 1000;
    const issuedAtMs = this.clock();
    const state = {
      accessToken,
      expiresIn: expiresIn ?? DEFAULT_TTL_SECONDS,
      refreshAtMs: issuedAtMs + ttlMs - Math.min(MAX_REFRESH_MARGIN_MS, ttlMs / 10),
      issuedAtMs,
    };
    this.token = state;
    return state;
  }

  /**
   * Looker answers wrong credentials with 404 at /login (some versions 401, or 403 for a
   * disabled user): all are AuthErrors, remembered so later calls fail without a request. A
   * 404 that is not Looker's JSON error means base_url is not a Looker API.
   */
  private loginFailure(raw: LookerRawResponse): Error {
    const status = raw.statusCode;
    if ([400, 401, 403, 404].includes(status) && isLookerErrorBody(raw)) {
      const source = this.credentials.describeSource;
      this.refused = new ApiAuthError(
        `Looker refused the API credentials (HTTP ${status} at /login).`,
        {
          operation: 'login',
          status,
          hint: `Check client_id and client_secret${source ? ` (${source})` : ''}: they are the API keys of a Looker user (Admin > Users > Edit > API Keys), and the user must not be disabled.`,
        },
      );
      return this.refused;
    }
    if (status === 404 || (status < 500 && status !== 429 && !isLookerErrorBody(raw))) {
      const location = raw.headers.location;
      const answer =
        status >= 300 && status < 400 && location
          ? `a redirect to ${location}`
          : `HTTP ${status} (${describeBody(raw)})`;
      this.refused = new ConfigError(
        `${this.settings.base_url} does not answer like a Looker API: POST /api/4.0/login returned ${answer}.`,
        {
          hint: 'Set base_url to the API URL of your Looker instance, e.g. https://mycompany.looker.com (or https://mycompany.looker.com:19999 on older instances).',
        },
      );
      return this.refused;
    }
    return errorFromResponse(raw, 'login');
  }
}
