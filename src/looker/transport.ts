import {
  addQueryParams,
  type Authenticator,
  type HttpMethod,
  type IRawRequest,
  type IRequestProps,
  type ITransport,
  type ITransportSettings,
  type RawObserver,
  type SDKResponse,
  type Values,
} from '@looker/sdk-rtl';
import { Agent, request as undiciRequest } from 'undici';
import { RequestAbortedError } from '../errors.js';
import { ApiAuthError, ResponseTooLargeError, TransientError } from './errors.js';
import type { LookerRawResponse, LookerRequestOptions } from './http-types.js';
import { parseJsonBody, unparsedJsonBody, utf8Text } from './json-body.js';
import { errorFromResponse, formatMs, networkError, statusText } from './response-errors.js';

/**
 * The HTTP exchange under the official SDK: lookervault's own implementation of the SDK's
 * `ITransport` interface, which `Looker40SDK` calls through its session. Not a subclass of
 * sdk-node's `NodeTransport`, whose protected internals a minor SDK release may change; and
 * unlike it (global `fetch`, no timeout, the caller's AbortSignal dropped, `console.debug` per
 * request, status hidden behind `{ok, error}`, `verify_ssl: false` turned into
 * `NODE_TLS_REJECT_UNAUTHORIZED=0` for the whole process), it has:
 *
 * - undici `Agent` with keep-alive, at most `poolSize` connections per origin, TLS
 *   verification configured on this dispatcher only;
 * - a real per-request timeout covering headers and body (the request is aborted), combined
 *   with the caller's `options.signal` and the transport's own `close()`;
 * - every failure thrown as a typed error of `./errors.ts` carrying the operation, the HTTP
 *   status and, for 429, `Retry-After` in ms, so `sdk.<method>()` rejects with it;
 * - one replay after a 401 on an authenticated request, once the session has dropped the
 *   rejected token (`onUnauthorized`), so concurrent 401s cause a single re-login;
 * - no console output, no retries (retry policy lives above, in the engine).
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
  /** A response body larger than this fails its request (ResponseTooLargeError). @default 256 MiB */
  maxResponseBytes?: number;
}

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}

/** Far above any real Looker answer (the largest dashboards are a few MB; a page of 100, ~30 MB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

export type UnauthorizedHandler = (sentAuthorization: string | undefined) => Promise<void>;

/** Replays after 401s before a request fails with an authentication error. */
const MAX_UNAUTHORIZED_REPLAYS = 6;

/** The abort reason of a request that ran out of time. */
const TIMED_OUT = Symbol('timed out');

export class LookerTransport implements ITransport {
  readonly dispatcher: Agent;
  readonly timeoutMs: number;
  /** Part of `ITransport`: sees every raw response before it is interpreted. */
  observer: RawObserver | undefined = undefined;
  /** Set by the session: drop the rejected token so the replay logs in again. */
  onUnauthorized: UnauthorizedHandler | undefined;
  /** Set by the session: a request with its token was not refused (401). */
  onAuthorized: (() => void) | undefined;
  private readonly closing = new AbortController();
  private readonly fanout = new AbortFanout();
  private readonly userAgent: string;
  private readonly maxResponseBytes: number;

  /** `settings`: the SDK's settings (`base_url`, default `headers`), merged into each request's options. */
  constructor(
    private readonly settings: Partial<ITransportSettings>,
    options: LookerTransportOptions,
  ) {
    if (!Number.isInteger(options.poolSize) || options.poolSize < 1) {
      throw new RangeError(`poolSize must be an integer >= 1, got ${options.poolSize}`);
    }
    this.timeoutMs = Math.max(1, options.timeoutMs);
    this.userAgent = options.userAgent ?? 'lookervault';
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
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

  retry(request: IRawRequest): Promise<LookerRawResponse> {
    return this.rawRequest(
      request.method,
      request.path,
      request.queryParams,
      request.body,
      request.authenticator,
      request.options,
    );
  }

  /**
   * One HTTP exchange. Resolves with the response whatever its status (body read as text);
   * rejects with a typed error when there is no response: unreachable, reset, timeout, abort.
   */
  async rawRequest(
    method: HttpMethod,
    path: string,
    queryParams?: Values,
    body?: unknown,
    authenticator?: Authenticator,
    options?: Partial<ITransportSettings>,
  ): Promise<LookerRawResponse> {
    const opts: LookerRequestOptions = { ...this.settings, ...options };
    const url = addQueryParams(absoluteUrl(path, opts.base_url), queryParams);
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
      const bytes = await this.readBody(res.body, res.headers, operation);
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
      if (error instanceof ResponseTooLargeError) throw error;
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
   * The whole body, or ResponseTooLargeError as soon as it is known to pass the cap (from its
   * Content-Length, or while it streams in): memory never holds more than the cap.
   */
  private async readBody(
    body: AsyncIterable<Uint8Array> & { destroy(error?: Error): unknown },
    headers: Record<string, string | string[] | undefined>,
    operation: string,
  ): Promise<Uint8Array> {
    const limit = this.maxResponseBytes;
    const tooLarge = (size: string): ResponseTooLargeError => {
      const error = new ResponseTooLargeError(
        `${operation}: the response is larger than ${mebibytes(limit)} (${size}); it was abandoned.`,
        {
          operation,
          hint: 'A Looker answer this large is unusual: check the server. To accept it, raise --max-response-mb.',
        },
      );
      body.destroy(error);
      return error;
    };
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > limit)
      throw tooLarge(`${mebibytes(declared)} announced`);
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > limit) throw tooLarge('more kept coming');
      chunks.push(chunk);
    }
    return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks, size);
  }

  /**
   * What `sdk.<method>()` calls. Resolves `{ok: true, value}` with the parsed JSON; rejects
   * with a typed error for any failure, after at most one replay following a 401.
   */
  async request<TSuccess, TError>(
    method: HttpMethod,
    path: string,
    queryParams?: Values,
    body?: unknown,
    authenticator?: Authenticator,
    options?: Partial<ITransportSettings>,
  ): Promise<SDKResponse<TSuccess, TError>> {
    const opts: LookerRequestOptions = { ...this.settings, ...options };
    const send = () => this.rawRequest(method, path, queryParams, body, authenticator, options);
    let raw = await send();
    if (authenticator && this.onUnauthorized) {
      // A 401 drops the token and the replay logs in again; a token rejected right after its
      // login (a cluster that has not seen it yet) is replayed a few more times, the session
      // spacing those logins out, before the run gives up on authentication.
      for (let replay = 1; raw.statusCode === 401; replay++) {
        if (replay > MAX_UNAUTHORIZED_REPLAYS) {
          const operation = operationOf(opts, method, raw.url);
          throw new ApiAuthError(
            `${operation}: Looker rejected ${String(MAX_UNAUTHORIZED_REPLAYS)} fresh session tokens in a row (HTTP 401).`,
            {
              operation,
              status: 401,
              hint: 'The API user may have been disabled or its API keys revoked meanwhile; run `lookervault check`.',
            },
          );
        }
        await this.onUnauthorized(raw.sentAuthorization);
        raw = await send();
      }
      this.onAuthorized?.();
    }
    const operation = operationOf(opts, method, raw.url);
    if (!raw.ok) throw errorFromResponse(raw, operation);
    opts.onHeaders?.(raw.headers);
    if (opts.deferParse === true) {
      return { ok: true, value: unparsedJsonBody(raw, operation) as TSuccess };
    }
    return { ok: true, value: parseJsonBody(raw, operation) as TSuccess };
  }

  parseResponse<TSuccess, TError>(raw: LookerRawResponse): Promise<SDKResponse<TSuccess, TError>> {
    const operation = `${raw.method} ${pathOf(raw.url)}`;
    if (!raw.ok) return Promise.reject(errorFromResponse(raw, operation));
    return Promise.resolve({ ok: true, value: parseJsonBody(raw, operation) as TSuccess });
  }

  stream<T>(): Promise<T> {
    return Promise.reject(new Error('Streaming responses are not supported by LookerTransport.'));
  }

  /** The request props: the SDK's conventions (headers, body encoding, authenticator), silent. */
  private async initRequest(
    method: HttpMethod,
    url: string,
    body: unknown,
    authenticator: Authenticator | undefined,
    options: Partial<ITransportSettings>,
  ): Promise<IRequestProps> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.userAgent,
      'x-looker-appid': this.userAgent,
      ...(this.settings.headers ?? {}),
      ...(options.headers ?? {}),
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
    let props: IRequestProps = { url, method, headers, body: encoded };
    if (authenticator) props = (await authenticator(props)) as IRequestProps;
    return props;
  }
}

/** A path the SDK built (`${base_url}/api/4.0/...`) is already absolute; others get `base_url`. */
function absoluteUrl(path: string, baseUrl: string | undefined): string {
  return /^https?:\/\//i.test(path) ? path : `${baseUrl ?? ''}${path}`;
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

/** Read through a call: TypeScript would narrow a property read across the awaits above. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
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
