import { RequestAbortedError } from '../errors.js';
import { NodeTransport } from '@looker/sdk-node';
import {
  addQueryParams,
  type Authenticator,
  type HttpMethod,
  type IRawRequest,
  type IRawResponse,
  type IRequestProps,
  type ITransportSettings,
  type SDKResponse,
  type Values,
} from '@looker/sdk-rtl';
import { Agent, request as undiciRequest } from 'undici';
import {
  ApiAuthError,
  ClientRequestError,
  InvalidResponseError,
  type LookerApiError,
  NotFoundError,
  RateLimitedError,
  TransientError,
  UnreachableError,
} from './errors.js';
import { LookervaultError } from '../errors.js';
import { redact } from '../redact.js';

/**
 * The HTTP layer under the official SDK. `NodeTransport` (sdk-node) uses global `fetch`, drops
 * the timeout and the caller's AbortSignal (sdk-rtl `initRequest` shadows its own signal),
 * logs through `console.debug`, hides status and headers behind `{ok, error}`, and turns
 * `verify_ssl: false` into `NODE_TLS_REJECT_UNAUTHORIZED=0` for the whole process. This
 * subclass keeps the SDK's request building (paths, query encoding, authenticator) and
 * replaces the exchange:
 *
 * - undici `Agent` with keep-alive, at most `poolSize` connections per origin, TLS
 *   verification configured on this dispatcher only;
 * - a real per-request timeout covering headers and body (the request is aborted), combined
 *   with the caller's `options.signal` and the transport's own `close()`;
 * - every failure thrown as a typed error of `./errors.ts` carrying the operation, the HTTP
 *   status and, for 429, `Retry-After` in ms, so `sdk.<method>()` rejects with it;
 * - one replay after a 401 on an authenticated request, once the session has dropped the
 *   rejected token (`onUnauthorized`), so concurrent 401s cause a single re-login;
 * - no console output, no retries (`maxTries` is ignored: retry policy lives above).
 */

export interface LookerTransportOptions {
  /** Maximum connections to the Looker host (the worker count). Minimum 1. */
  poolSize: number;
  /** Abort a request that has not fully answered after this long. Minimum 1 ms. */
  timeoutMs: number;
  /** Verify the server's TLS certificate. @default true */
  verifySsl?: boolean;
  /** Sent as `User-Agent` and `x-looker-appid`. */
  userAgent?: string;
  /** Idle keep-alive connections are closed after this long. @default 30000 */
  keepAliveMs?: number;
}

/** Extra request options lookervault passes through the SDK's `options` argument. */
export interface LookerRequestOptions extends Partial<ITransportSettings> {
  /** The SDK operation name (`search_dashboards`), for error messages. */
  operation?: string;
  /** Overrides the transport's timeout for this request. */
  timeoutMs?: number;
  /**
   * Resolve a JSON body as {@link UnparsedJson} (its bytes, checked to be complete) instead
   * of parsing it: for large items that only the store's writer thread needs to parse.
   */
  deferParse?: boolean;
}

/** The raw response, with the body already read as text. */
export interface LookerRawResponse extends IRawResponse {
  body: string;
  /** The body as received (UTF-8 bytes), kept for the JSON text of parsed responses. */
  bytes?: Uint8Array;
  /** The `Authorization` header the request was sent with (to match a 401 to its token). */
  sentAuthorization?: string;
}

export type UnauthorizedHandler = (sentAuthorization: string | undefined) => Promise<void>;

/** The abort reason of a request that ran out of time. */
const TIMED_OUT = Symbol('timed out');

/** Longest server message quoted in an error. */
const MAX_MESSAGE_LENGTH = 300;

export class LookerTransport extends NodeTransport {
  readonly dispatcher: Agent;
  readonly timeoutMs: number;
  /** Set by the session: drop the rejected token so the replay logs in again. */
  onUnauthorized: UnauthorizedHandler | undefined;
  private readonly closing = new AbortController();
  private readonly fanout = new AbortFanout();
  private readonly userAgent: string;

  constructor(settings: ITransportSettings, options: LookerTransportOptions) {
    super({ ...settings, maxTries: 1 });
    if (!Number.isInteger(options.poolSize) || options.poolSize < 1) {
      throw new RangeError(`poolSize must be an integer >= 1, got ${options.poolSize}`);
    }
    this.timeoutMs = Math.max(1, options.timeoutMs);
    this.userAgent = options.userAgent ?? 'lookervault';
    const keepAliveMs = options.keepAliveMs ?? 30_000;
    this.dispatcher = new Agent({
      connections: options.poolSize,
      pipelining: 1,
      keepAliveTimeout: keepAliveMs,
      keepAliveMaxTimeout: Math.max(keepAliveMs, 600_000),
      // Backstops only: the per-request abort in rawRequest is the timeout that is enforced.
      headersTimeout: this.timeoutMs + 1000,
      bodyTimeout: this.timeoutMs + 1000,
      connect: {
        rejectUnauthorized: options.verifySsl ?? true,
        timeout: Math.min(this.timeoutMs, 30_000),
      },
    });
  }

  /** Aborts every request in flight and closes the connections. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.dispatcher.destroy();
  }

  override async retry(request: IRawRequest): Promise<IRawResponse> {
    return this.rawRequest(
      request.method,
      request.path,
      request.queryParams,
      request.body,
      request.authenticator,
      request.options,
    );
  }

  /** Builds the request props: the SDK's conventions without its console output or TLS flip. */
  protected override async initRequest(
    method: HttpMethod,
    path: string,
    body?: unknown,
    authenticator?: Authenticator,
    options?: Partial<ITransportSettings>,
  ): Promise<IRequestProps> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.userAgent,
      'x-looker-appid': this.userAgent,
      ...(this.options.headers ?? {}),
      ...(options?.headers ?? {}),
    };
    let encoded: string | undefined;
    if (body === undefined || body === null || body === '') {
      encoded = undefined;
    } else if (typeof body === 'string') {
      encoded = body;
    } else if (body instanceof URLSearchParams) {
      encoded = body.toString();
      setDefaultHeader(headers, 'content-type', 'application/x-www-form-urlencoded');
    } else {
      encoded = JSON.stringify(body);
      setDefaultHeader(headers, 'content-type', 'application/json');
    }
    let props: IRequestProps = { url: path, method, headers, body: encoded };
    if (authenticator) props = (await authenticator(props)) as IRequestProps;
    return props;
  }

  /**
   * One HTTP exchange. Resolves with the response whatever its status (body read as text);
   * rejects with a typed error when there is no response: unreachable, reset, timeout, abort.
   */
  override async rawRequest(
    method: HttpMethod,
    path: string,
    queryParams?: Values,
    body?: unknown,
    authenticator?: Authenticator,
    options?: Partial<ITransportSettings>,
  ): Promise<LookerRawResponse> {
    const opts: LookerRequestOptions = { ...this.options, ...options };
    const url = addQueryParams(this.makeUrl(path, opts), queryParams);
    const operation = operationOf(opts, method, url);
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;

    const caller = opts.signal;
    if (caller?.aborted || this.closing.signal.aborted) {
      throw new RequestAbortedError(`${operation} was cancelled before it started.`, { operation });
    }
    // Authentication (possibly a login) happens before the clock starts for this request.
    const props = await this.initRequest(method, url, body, authenticator, opts);
    // One controller per request, aborted by the timer, the caller's signal or close(). The
    // shared signals get one listener each however many requests use them (AbortSignal.any
    // would keep a dependant per request alive on the long-lived signals).
    const controller = new AbortController();
    const unlink = [this.fanout.link(this.closing.signal, controller)];
    if (caller) unlink.push(this.fanout.link(caller, controller));
    const timer = setTimeout(() => {
      controller.abort(TIMED_OUT);
    }, timeoutMs);
    const requestStarted = Date.now();
    try {
      const res = await undiciRequest(props.url, {
        dispatcher: this.dispatcher,
        method,
        headers: props.headers,
        body: props.body as string | undefined,
        signal: controller.signal,
      });
      const bytes = await res.body.bytes();
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      // A deferred body stays bytes: whoever parses it later decodes it there.
      const text = ok && opts.deferParse === true ? '' : utf8Text(bytes);
      const headers = flattenHeaders(res.headers);
      const contentType = headers['content-type'] ?? '';
      const response: LookerRawResponse = {
        method,
        url: props.url,
        body: text,
        bytes,
        contentType,
        statusCode: res.statusCode,
        statusMessage: res.statusText || statusText(res.statusCode),
        headers,
        requestStarted,
        responseCompleted: Date.now(),
        ok,
        sentAuthorization: props.headers.Authorization ?? props.headers.authorization,
      };
      return this.observer ? this.observer(response) : response;
    } catch (error) {
      if (controller.signal.reason === TIMED_OUT) {
        throw new TransientError(
          `${operation}: no complete answer within ${formatMs(timeoutMs)}; the request was aborted.`,
          { operation, kind: 'timeout', cause: error },
        );
      }
      if (isAborted(caller) || isAborted(this.closing.signal)) {
        throw new RequestAbortedError(`${operation} was cancelled.`, { operation, cause: error });
      }
      throw networkError(error, operation, props.url);
    } finally {
      clearTimeout(timer);
      for (const release of unlink) release();
    }
  }

  /**
   * What `sdk.<method>()` calls. Resolves `{ok: true, value}` with the parsed JSON; rejects
   * with a typed error for any failure, after at most one replay following a 401.
   */
  override async request<TSuccess, TError>(
    method: HttpMethod,
    path: string,
    queryParams?: Values,
    body?: unknown,
    authenticator?: Authenticator,
    options?: Partial<ITransportSettings>,
  ): Promise<SDKResponse<TSuccess, TError>> {
    const opts: LookerRequestOptions = { ...this.options, ...options };
    const send = () => this.rawRequest(method, path, queryParams, body, authenticator, options);
    let raw = await send();
    if (raw.statusCode === 401 && authenticator && this.onUnauthorized) {
      await this.onUnauthorized(raw.sentAuthorization);
      raw = await send();
      if (raw.statusCode === 401) {
        const operation = operationOf(opts, method, raw.url);
        throw new ApiAuthError(`${operation}: Looker rejected a fresh session token (HTTP 401).`, {
          operation,
          status: 401,
          hint: 'The API user may have been disabled or its API keys revoked meanwhile; run `lookervault check`.',
        });
      }
    }
    const operation = operationOf(opts, method, raw.url);
    if (!raw.ok) throw errorFromResponse(raw, operation);
    if (opts.deferParse === true) {
      return { ok: true, value: unparsedJsonBody(raw, operation) as TSuccess };
    }
    return { ok: true, value: parseJsonBody(raw, operation) as TSuccess };
  }

  override parseResponse<TSuccess, TError>(
    raw: IRawResponse,
  ): Promise<SDKResponse<TSuccess, TError>> {
    const operation = `${raw.method} ${pathOf(raw.url)}`;
    if (!raw.ok) return Promise.reject(errorFromResponse(raw as LookerRawResponse, operation));
    return Promise.resolve({
      ok: true,
      value: parseJsonBody(raw as LookerRawResponse, operation) as TSuccess,
    });
  }

  override stream<T>(): Promise<T> {
    return Promise.reject(new Error('Streaming responses are not supported by LookerTransport.'));
  }
}

/**
 * Forwards the abort of a shared signal (the caller's, the transport's own) to the
 * controllers of the requests currently using it, with a single listener per signal.
 */
export class AbortFanout {
  private readonly groups = new WeakMap<AbortSignal, Set<AbortController>>();

  /** Aborts `controller` when `signal` aborts, until the returned function is called. */
  link(signal: AbortSignal, controller: AbortController): () => void {
    let group = this.groups.get(signal);
    if (!group) {
      const members = new Set<AbortController>();
      group = members;
      this.groups.set(signal, members);
      signal.addEventListener(
        'abort',
        () => {
          for (const member of members) member.abort(signal.reason);
          members.clear();
        },
        { once: true },
      );
    }
    if (signal.aborted) controller.abort(signal.reason);
    else group.add(controller);
    const members = group;
    return () => {
      members.delete(controller);
    };
  }
}

/**
 * The JSON text (as UTF-8 bytes, outside the JS heap) each parsed response object came from.
 * The extractor hands it to the store's writer, which canonicalizes it in its own thread
 * instead of re-serializing the object on the event loop. Weak: forgotten with the object.
 */
const rawBodies = new WeakMap<object, string | Uint8Array>();

/** The JSON text a response value was parsed from, when it came from this transport. */
export function rawJsonOf(value: unknown): string | Uint8Array | undefined {
  return typeof value === 'object' && value !== null ? rawBodies.get(value) : undefined;
}

/**
 * A successful JSON body left unparsed (see `LookerRequestOptions.deferParse`): the UTF-8
 * bytes of one complete JSON object or array. Complete means its brackets balance and close
 * at its last byte, so a truncated body is caught here (and retried like any garbled
 * response); a body that is complete but not valid JSON is caught where it is parsed.
 */
export class UnparsedJson {
  constructor(readonly bytes: Uint8Array) {}
}

function utf8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function isJsonContentType(contentType: string): boolean {
  return /^application\/([\w.+-]*\+)?json\b/i.test(contentType);
}

/** The deferred form of {@link parseJsonBody}: same checks, short of parsing. */
export function unparsedJsonBody(raw: LookerRawResponse, operation: string): UnparsedJson {
  const bytes = raw.bytes ?? new Uint8Array(Buffer.from(raw.body, 'utf8'));
  const decoded = (): LookerRawResponse => ({ ...raw, body: raw.body || utf8Text(bytes) });
  if (!isJsonContentType(raw.contentType)) {
    // Throws the same error a parsed body would.
    parseJsonBody(decoded(), operation);
  }
  if (!isCompleteJsonValue(bytes)) {
    throw new InvalidResponseError(
      `${operation}: the response is not valid JSON (${bytes.byteLength} bytes, HTTP ${raw.statusCode}).`,
      { operation, status: raw.statusCode },
    );
  }
  return new UnparsedJson(bytes);
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Whether `bytes` hold one JSON object or array whose brackets (outside strings) balance and
 * close exactly at its last non-whitespace byte: true of any complete document, false of
 * every truncation of one. Tokens between the brackets are not checked.
 */
export function isCompleteJsonValue(bytes: Uint8Array): boolean {
  let start = 0;
  let end = bytes.length;
  while (start < end && isJsonWhitespace(bytes[start] as number)) start++;
  while (end > start && isJsonWhitespace(bytes[end - 1] as number)) end--;
  const first = bytes[start];
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return false;
  let depth = 0;
  let inString = false;
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i === end - 1;
      if (depth < 0) return false;
    }
  }
  return false;
}

/** Parses a successful body: JSON when the server says JSON, '' when empty (204). */
export function parseJsonBody(raw: LookerRawResponse, operation: string): unknown {
  if (raw.body === '' && (raw.statusCode === 204 || raw.contentType === '')) return '';
  if (!isJsonContentType(raw.contentType)) {
    throw new InvalidResponseError(
      `${operation}: expected JSON from the Looker API, got ${describeBody(raw)} (HTTP ${raw.statusCode}).`,
      {
        operation,
        status: raw.statusCode,
        hint: 'Check that base_url is the Looker API URL (e.g. https://mycompany.looker.com or :19999), not a proxy or login page.',
      },
    );
  }
  try {
    const value = JSON.parse(raw.body) as unknown;
    if (typeof value === 'object' && value !== null) rawBodies.set(value, raw.bytes ?? raw.body);
    return value;
  } catch (error) {
    throw new InvalidResponseError(
      `${operation}: the response is not valid JSON (${raw.body.length} bytes, HTTP ${raw.statusCode}).`,
      { operation, status: raw.statusCode, cause: error },
    );
  }
}

/** Maps a non-2xx response to the typed error the callers decide by. */
export function errorFromResponse(
  raw: LookerRawResponse,
  operation: string,
  nowMs: number = Date.now(),
): LookerApiError | ApiAuthError {
  const status = raw.statusCode;
  const detail = serverMessage(raw);
  const what = `${operation}: HTTP ${status} ${raw.statusMessage || statusText(status)}`.trim();
  const message = detail ? `${what}: ${detail}` : what;
  const options = { operation, status };
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(raw.headers['retry-after'], nowMs);
    const wait = retryAfterMs === undefined ? '' : ` (retry after ${formatMs(retryAfterMs)})`;
    return new RateLimitedError(`${message}${wait}`, {
      ...options,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status === 401) {
    return new ApiAuthError(message, {
      ...options,
      hint: 'Check the API credentials (client_id, client_secret) with `lookervault check`.',
    });
  }
  if (status === 404) return new NotFoundError(message, options);
  if (status === 408 || status >= 500) {
    return new TransientError(message, { ...options, kind: status === 408 ? 'timeout' : 'server' });
  }
  if (status >= 300 && status < 400) {
    const location = raw.headers.location;
    return new ClientRequestError(
      location ? `${what}: redirected to ${location}` : `${what}: unexpected redirect`,
      {
        ...options,
        hint: 'Set base_url to the address the server redirects to (lookervault does not follow redirects).',
      },
    );
  }
  if (status === 403) {
    return new ClientRequestError(message, {
      ...options,
      hint: 'The API user lacks a permission for this call; ask a Looker admin to grant it (an Admin role can back up everything).',
    });
  }
  return new ClientRequestError(message, options);
}

/**
 * `Retry-After` in milliseconds: delta-seconds ("2", "1.5") or an HTTP date. Undefined when
 * absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names its weekday and month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse
  // alone would read "-1" as a year.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Maps an exception from undici (no HTTP response) to a typed error. */
export function networkError(error: unknown, operation: string, url: string): LookerApiError {
  const code = errorCode(error);
  const host = hostOf(url);
  const options = { operation, cause: error };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') {
    return new TransientError(`${operation}: the connection to ${host} was reset.`, {
      ...options,
      kind: 'reset',
    });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new TransientError(`${operation}: ${host} stopped answering; the request timed out.`, {
      ...options,
      kind: 'timeout',
    });
  }
  if (code !== undefined && TLS_CODE.test(code)) {
    return new UnreachableError(`Cannot establish a trusted TLS connection to ${host} (${code}).`, {
      ...options,
      hint: 'Check base_url (https:// for a TLS port). For a test instance with a self-signed certificate, set verify_ssl = false (LOOKERSDK_VERIFY_SSL=false or --no-verify-ssl).',
    });
  }
  const unreachable: Record<string, string> = {
    ECONNREFUSED: 'the connection was refused',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name could not be resolved (DNS)',
    EHOSTUNREACH: 'the host is unreachable',
    ENETUNREACH: 'the network is unreachable',
    ETIMEDOUT: 'the connection timed out',
    UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  };
  const reason = code === undefined ? undefined : unreachable[code];
  if (reason !== undefined) {
    return new UnreachableError(`Cannot reach ${host}: ${reason}.`, {
      ...options,
      hint: 'Check base_url (host and port), your network, VPN or proxy, and that Looker is up.',
    });
  }
  const text = error instanceof Error ? error.message : String(error);
  return new TransientError(`${operation}: network error talking to ${host}: ${redact(text)}.`, {
    ...options,
    kind: 'network',
  });
}

/** Read through a call: TypeScript would narrow a property read across the awaits above. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

const TLS_CODE = /CERT|SSL|TLS|EPROTO|SELF_SIGNED|UNABLE_TO_/;

/** The TLS failure code behind an error (certificate not trusted, wrong protocol), if any. */
export function tlsErrorCode(error: unknown): string | undefined {
  const code = errorCode(error instanceof LookervaultError ? error.cause : error);
  return code !== undefined && TLS_CODE.test(code) ? code : undefined;
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const candidate = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string') return candidate.code;
    if (Array.isArray(candidate.errors) && candidate.errors.length > 0) {
      current = candidate.errors[0];
    } else {
      current = candidate.cause;
    }
  }
  return undefined;
}

/** The `message` of a Looker JSON error, redacted and shortened; nothing from other bodies. */
function serverMessage(raw: LookerRawResponse): string | undefined {
  if (!/json/i.test(raw.contentType) || raw.body === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw.body);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) {
      const message = parsed.message;
      if (typeof message === 'string' && message.trim() !== '') {
        const clean = redact(message.replace(/\s+/g, ' ').trim());
        return clean.length > MAX_MESSAGE_LENGTH
          ? `${clean.slice(0, MAX_MESSAGE_LENGTH - 3)}...`
          : clean;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Whether a response body is a Looker-style JSON error (`{message, ...}`). */
export function isLookerErrorBody(raw: LookerRawResponse): boolean {
  return serverMessage(raw) !== undefined;
}

export function describeBody(raw: LookerRawResponse): string {
  const type = raw.contentType.split(';')[0]?.trim() || 'no content type';
  return `${type}, ${raw.body.length} bytes`;
}

function operationOf(opts: LookerRequestOptions, method: string, url: string): string {
  return opts.operation ?? `${method} ${pathOf(url)}`;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the Looker host';
  }
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined)
      result[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

function setDefaultHeader(headers: Record<string, string>, name: string, value: string): void {
  if (!Object.keys(headers).some((key) => key.toLowerCase() === name)) headers[name] = value;
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function statusText(status: number): string {
  return STATUS_TEXT[status] ?? '';
}
