/**
 * The HTTP side of the simulator (node:http, no framework). Every API request goes through the
 * same pipeline, in this order:
 *
 *   arrive (counted in flight) → Retry-After violation check → rate limit (429; not /login)
 *   → capacity queue (FIFO) → latency + jitter → auth (401) → scripted/random fault
 *   → handler → response (malformed fault truncates it)
 *
 * `/__sim/*` control endpoints (stats, logs, scripted faults, mutation) skip the pipeline.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { TokenStore } from './auth.js';
import { Capacity } from './behaviour/capacity.js';
import { FaultInjector, type Fault } from './behaviour/faults.js';
import { MutationScriptError, Mutator } from './behaviour/mutation.js';
import {
  createRequestLimit,
  retryAfterHeader,
  RetryAfterWindow,
  type RequestLimit,
} from './behaviour/rate-limit.js';
import { Dataset } from './dataset.js';
import { errorBody, gatewayPage } from './looker-errors.js';
import {
  createHandlers,
  json,
  notFound,
  replyForError,
  type Handler,
  type Reply,
} from './operations.js';
import type { ResolvedOptions } from './options.js';
import { Rng, hash3 } from './prng.js';
import { API_PREFIX, Spec, type Operation } from './spec.js';
import { createAccessWriteHandlers } from './access-writes.js';
import { createWriteHandlers, validationFailed } from './writes.js';
import { RequestLog, StatsRecorder } from './stats.js';
import {
  SIM_CONTENT_TYPES,
  type RequestLogEntry,
  type ScriptedFault,
  type ScriptedMutation,
  type SimContentType,
} from './types.js';

/** The simulator could not listen (port in use, permission denied, bad host). */
export class SimulatorListenError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly host: string,
    readonly port: number,
  ) {
    super(message);
    this.name = 'SimulatorListenError';
  }
}

/** Operations that are not content: never faulted, never counted for request-driven mutation. */
const NON_CONTENT = new Set(['login', 'logout', 'versions']);
/** Operations served without a token. */
const PUBLIC = new Set(['login', 'versions']);
const JSON_TYPE = 'application/json';
const MAX_LOGIN_BODY = 64 * 1024;
const MAX_WRITE_BODY = 16 * 1024 * 1024;
/**
 * Operations of the spec subset the simulator does not play (LookML dashboards' import and
 * export, alerts, listing content metadata by parent): answered 501 so a
 * client that calls them fails loudly instead of reading made-up data.
 */
const UNSIMULATED = new Set([
  'import_lookml_dashboard',
  'search_lookml_dashboards',
  'dashboard_lookml',
  'create_dashboard_from_lookml',
  'search_alerts',
  'get_alert',
  'update_alert',
  'create_alert',
  'all_content_metadatas',
]);
const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  operationId: string;
  startedMs: number;
  /** The client went away (or the response is complete and the socket moved on). */
  closed: boolean;
  /** Answered or over: no longer in flight. */
  done: boolean;
  holdsSlot: boolean;
  /** Admitted by the request limit: counts against a concurrency limit until answered. */
  holdsLimit: boolean;
  cancelWait: (() => void) | undefined;
  log: RequestLogEntry | undefined;
}

interface Route {
  op: Operation;
  literals: number;
}

export class SimServer {
  readonly dataset: Dataset;
  readonly stats = new StatsRecorder();
  readonly mutator: Mutator;
  readonly faults: FaultInjector;
  private readonly spec: Spec;
  private readonly handlers: Record<string, Handler>;
  private readonly routes = new Map<string, Route[]>();
  private readonly tokens: TokenStore;
  private readonly limit: RequestLimit | undefined;
  private readonly window: RetryAfterWindow;
  private readonly capacity: Capacity | undefined;
  private readonly jitter: Rng;
  private readonly log: RequestLog | undefined;
  private readonly server: http.Server;
  private readonly hung = new Set<http.ServerResponse>();
  /** operationId → share of its requests answered 422 (a server-side rejection), for tests. */
  private writeRejections: Record<string, number>;
  private readonly writeRng: Rng;

  constructor(private readonly options: ResolvedOptions) {
    this.spec = Spec.load();
    this.dataset = new Dataset(options, this.spec);
    this.handlers = {
      ...createHandlers(this.dataset, this.spec, {
        dashboardListing: options.dashboardListing,
        totalCount: options.totalCount,
      }),
      ...createWriteHandlers(this.dataset, this.spec, {
        clock: options.clock,
        seed: options.seed,
      }),
      ...createAccessWriteHandlers(this.dataset, this.spec),
    };
    this.writeRejections = { ...options.writeRejections };
    this.writeRng = new Rng(hash3(options.seed, 0x7e1e, 5));
    for (const op of this.spec.operations) {
      if (
        op.operationId !== 'login' &&
        op.operationId !== 'logout' &&
        !UNSIMULATED.has(op.operationId) &&
        !(op.operationId in this.handlers)
      ) {
        throw new Error(`simulator has no handler for ${op.operationId}`);
      }
      const key = `${op.method} ${String(op.segments.length)}`;
      const routes = this.routes.get(key) ?? [];
      routes.push({ op, literals: op.segments.filter((s) => s.literal !== undefined).length });
      routes.sort((a, b) => b.literals - a.literals);
      this.routes.set(key, routes);
    }
    this.tokens = new TokenStore(options.tokenTtlSeconds, options.clock);
    const limit = options.rateLimit;
    this.limit = limit ? createRequestLimit(limit, options.clock()) : undefined;
    this.window = new RetryAfterWindow(options.retryAfterGraceMs);
    this.capacity = options.capacity === undefined ? undefined : new Capacity(options.capacity);
    this.faults = new FaultInjector(options.faults, options.seed);
    this.jitter = new Rng(hash3(options.seed, 0x1a7e, 3));
    this.log = options.requestLog ? new RequestLog(options.requestLogLimit) : undefined;
    const mutation = options.mutation;
    this.mutator = new Mutator(
      this.dataset,
      mutation?.types ?? ['dashboard', 'look'],
      options.seed,
      options.clock,
      mutation?.everyRequests,
    );
    this.server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
      this.onRequest(req, res);
    });
  }

  listen(): Promise<string> {
    const { host, port } = this.options;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        const code = error.code ?? 'ERROR';
        const message =
          code === 'EADDRINUSE'
            ? `port ${String(port)} on ${host} is already in use`
            : code === 'EACCES'
              ? `no permission to listen on port ${String(port)} on ${host}`
              : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
                ? `cannot listen on ${host}: no such local address`
                : `cannot listen on ${host}:${String(port)}: ${error.message}`;
        reject(new SimulatorListenError(message, code, host, port));
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address() as AddressInfo;
        const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        if (this.options.mutation?.perSecond !== undefined)
          this.mutator.start(this.options.mutation.perSecond);
        resolve(`http://${hostPart}:${String(address.port)}`);
      });
    });
  }

  async close(): Promise<void> {
    this.mutator.stop();
    const closed = new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
    for (const res of this.hung) res.socket?.destroy();
    this.hung.clear();
    this.server.closeAllConnections();
    await closed;
  }

  injectFaults(faults: ScriptedFault[]): void {
    this.faults.inject(faults);
  }

  requestLog(): RequestLogEntry[] {
    return this.log?.entries() ?? [];
  }

  // ── request pipeline ───────────────────────────────────────────────────────────────────

  private route(
    method: string,
    path: string,
  ): { op: Operation; params: Record<string, string> } | undefined {
    const segments = path.split('/').filter((s) => s.length > 0);
    const candidates = this.routes.get(`${method} ${String(segments.length)}`);
    if (!candidates) return undefined;
    outer: for (const { op } of candidates) {
      const params: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const want = op.segments[i];
        const got = segments[i] as string;
        if (want?.literal !== undefined) {
          if (want.literal !== got) continue outer;
        } else if (want?.param !== undefined) {
          try {
            params[want.param] = decodeURIComponent(got);
          } catch {
            continue outer;
          }
        }
      }
      return { op, params };
    }
    return undefined;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const search = q < 0 ? '' : url.slice(q + 1);
    if (path.startsWith('/__sim/')) {
      this.control(req, res, path, search);
      return;
    }
    if (!path.startsWith(`${API_PREFIX}/`)) {
      this.write(res, notFound());
      return;
    }
    const match = this.route(req.method ?? 'GET', path.slice(API_PREFIX.length));
    const operationId = match?.op.operationId ?? 'unknown';
    const now = this.options.clock();
    this.stats.arrive(operationId);
    const ex: Exchange = {
      req,
      res,
      operationId,
      startedMs: performance.now(),
      closed: false,
      done: false,
      holdsSlot: false,
      holdsLimit: false,
      cancelWait: undefined,
      log: this.log?.add({
        operationId,
        method: req.method ?? 'GET',
        path,
        query: Object.fromEntries(new URLSearchParams(search)),
        arrivedAt: now,
      }),
    };
    res.once('close', () => {
      this.onClose(ex);
    });
    if (!match) {
      this.send(ex, notFound());
      return;
    }
    if (match.op.bodySchema === undefined || operationId === 'login') {
      this.admit(ex, match, search, now, undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_WRITE_BODY) chunks.push(chunk);
    });
    req.once('end', () => {
      if (ex.closed) return;
      if (size > MAX_WRITE_BODY) {
        this.send(ex, json(413, errorBody(413, 'Request body too large')));
        return;
      }
      this.admit(ex, match, search, now, Buffer.concat(chunks));
    });
  }

  private admit(
    ex: Exchange,
    match: { op: Operation; params: Record<string, string> },
    search: string,
    now: number,
    body: Buffer | undefined,
  ): void {
    const operationId = match.op.operationId;
    if (operationId !== 'login' && this.window.violatedBy(now)) this.stats.retryAfterViolations++;
    if (this.limit && this.options.rateLimit && operationId !== 'login') {
      const taken = this.limit.take(now);
      if (!taken.ok) {
        const { header, windowMs } = retryAfterHeader(
          this.options.rateLimit.retryAfter,
          taken.waitMs,
          now,
        );
        if (windowMs !== undefined) this.window.announceMs(now, windowMs);
        this.send(
          ex,
          json(429, errorBody(429)),
          header === undefined ? {} : { 'Retry-After': header },
        );
        return;
      }
      ex.holdsLimit = true;
    }
    const slot = this.capacity?.acquire();
    if (this.capacity && !slot) ex.holdsSlot = true;
    const latency =
      this.options.latencyMs +
      (this.options.jitterMs > 0 ? this.jitter.float() * this.options.jitterMs : 0);
    if (!slot && latency === 0) {
      this.prepare(ex, match.op, match.params, search, body)();
      return;
    }
    void this.queued(ex, slot, latency, match.op, match.params, search, body);
  }

  private async queued(
    ex: Exchange,
    slot: { promise: Promise<void>; cancel: () => void } | undefined,
    latency: number,
    op: Operation,
    params: Record<string, string>,
    search: string,
    body: Buffer | undefined,
  ): Promise<void> {
    if (slot) {
      ex.cancelWait = slot.cancel;
      await slot.promise;
      ex.cancelWait = undefined;
      ex.holdsSlot = true;
      if (ex.closed) {
        this.releaseSlot(ex);
        return;
      }
    }
    // The server works while the latency runs, as a real one does: its own CPU time is part
    // of the latency, not added to it. The work waits for the next turn of the event loop, so
    // a burst of requests is all received (and its latency clocks started) before any of it
    // is computed.
    const started = performance.now();
    await new Promise((resolve) => setImmediate(resolve));
    if (isClosed(ex)) return;
    const deliver = this.prepare(ex, op, params, search, body);
    const remaining = latency - (performance.now() - started);
    if (remaining > 0) {
      await new Promise((resolve) => setTimeout(resolve, remaining));
      if (isClosed(ex)) return;
    }
    deliver();
  }

  /**
   * Decides the answer to a request (auth, faults, the handler's reply) and returns what
   * delivers it, so that the answer can be computed as the request arrives and sent once its
   * latency is over.
   */
  private prepare(
    ex: Exchange,
    op: Operation,
    params: Record<string, string>,
    search: string,
    rawBody?: Buffer,
  ): () => void {
    const id = op.operationId;
    if (id === 'login') {
      return () => {
        this.login(ex, search);
      };
    }
    let user = 0;
    if (!PUBLIC.has(id)) {
      const check = this.tokens.check(ex.req.headers.authorization);
      if (!check.ok) {
        return () => {
          this.send(ex, json(401, errorBody(401)));
        };
      }
      user = check.user;
    }
    const content = !NON_CONTENT.has(id);
    this.options.onRequest?.({
      operationId: id,
      query: Object.fromEntries(new URLSearchParams(search)),
    });
    const fault = this.faults.next(id, content);
    if (content) this.mutator.onRequest();
    if (fault && fault.kind !== 'malformed') {
      return () => {
        this.applyFault(ex, fault);
      };
    }
    let reply: Reply;
    const write = this.checkWrite(op, rawBody);
    if (id === 'logout') {
      this.tokens.revoke(ex.req.headers.authorization);
      this.stats.logouts++;
      reply = { status: 204 };
    } else if (UNSIMULATED.has(id)) {
      reply = json(501, errorBody(501, `The simulator does not play ${id}.`));
    } else if ('reply' in write) {
      reply = write.reply;
    } else {
      try {
        reply = (this.handlers[id] as Handler)({
          op,
          path: (ex.req.url ?? '/').split('?')[0] ?? '/',
          params,
          query: new URLSearchParams(search),
          user,
          ...(write.body === undefined ? {} : { body: write.body }),
        });
      } catch (error) {
        reply =
          replyForError(error) ??
          json(500, errorBody(500, error instanceof Error ? error.message : undefined));
      }
    }
    if (fault?.kind === 'malformed') {
      this.countFault(fault);
      const body =
        reply.body ?? (reply.chunks ? Buffer.concat([...reply.chunks()]) : Buffer.from('{}'));
      reply = { status: 200, body: body.subarray(0, Math.max(1, Math.floor(body.length / 2))) };
    }
    const answer = reply;
    return () => {
      this.send(ex, answer);
    };
  }

  /**
   * Before a write's handler: a read-only API user gets 403, a body that is not JSON 400, one
   * its schema rejects 422 (Looker's `errors[]`), and a configured share of an operation's
   * requests 422 as a server-side rejection would.
   */
  private checkWrite(
    op: Operation,
    raw: Buffer | undefined,
  ): { reply: Reply } | { body?: unknown } {
    if (!WRITE_METHODS.has(op.method) || op.operationId === 'logout') return {};
    if (!this.options.canWrite) {
      return { reply: json(403, errorBody(403, 'You do not have permission to do that.')) };
    }
    const rate = this.writeRejections[op.operationId];
    if (rate !== undefined && rate > 0 && this.writeRng.float() < rate) {
      this.stats.faults.scripted++;
      return {
        reply: validationFailed([
          {
            field: 'base',
            code: 'invalid',
            message: `The server rejected this ${op.operationId} request.`,
          },
        ]),
      };
    }
    if (op.bodySchema === undefined) return {};
    let body: unknown;
    try {
      body =
        raw === undefined || raw.length === 0
          ? op.bodyIsArray === true
            ? []
            : {}
          : (JSON.parse(raw.toString('utf8')) as unknown);
    } catch {
      return { reply: json(400, errorBody(400, 'The request body is not valid JSON.')) };
    }
    const errors = this.spec.validateBody(op.bodySchema, body, {
      isArray: op.bodyIsArray === true,
      partial: op.method === 'PATCH',
    });
    if (errors.length > 0) return { reply: validationFailed(errors) };
    return { body };
  }

  /** Sets the share of an operation's requests answered 422 (0 turns it off). */
  setWriteRejections(rates: Record<string, number>): void {
    this.writeRejections = { ...this.writeRejections, ...rates };
  }

  private login(ex: Exchange, search: string): void {
    const fault = this.faults.next('login', false);
    if (fault) {
      this.applyFault(ex, fault);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    ex.req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_LOGIN_BODY) chunks.push(chunk);
    });
    ex.req.once('end', () => {
      if (ex.closed) return;
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const query = new URLSearchParams(search);
      const clientId = form.get('client_id') ?? query.get('client_id');
      const clientSecret = form.get('client_secret') ?? query.get('client_secret');
      if (clientId === this.options.clientId && clientSecret === this.options.clientSecret) {
        this.stats.logins++;
        this.send(ex, json(200, this.tokens.issue(0)));
        return;
      }
      this.stats.failedLogins++;
      const status = this.options.loginFailureStatus;
      this.send(
        ex,
        json(
          status,
          errorBody(status, status === 404 ? 'Not found' : 'Invalid client_id or client_secret.'),
        ),
      );
    });
  }

  private countFault(fault: Fault): void {
    if (fault.scripted) this.stats.faults.scripted++;
    else if (fault.kind === 'status') this.stats.faults.serverError++;
    else this.stats.faults[fault.kind]++;
  }

  private applyFault(ex: Exchange, fault: Fault): void {
    this.countFault(fault);
    switch (fault.kind) {
      case 'status': {
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) {
          headers['Retry-After'] = String(fault.retryAfterSeconds);
          this.window.announce(this.options.clock(), fault.retryAfterSeconds);
        }
        if (fault.body !== undefined) {
          if (typeof fault.body === 'string') {
            this.send(
              ex,
              { status: fault.status, body: Buffer.from(fault.body), contentType: 'text/plain' },
              headers,
            );
          } else {
            this.send(ex, json(fault.status, fault.body), headers);
          }
        } else if (!fault.scripted && fault.status !== 500) {
          this.send(
            ex,
            {
              status: fault.status,
              body: Buffer.from(gatewayPage(fault.status)),
              contentType: 'text/html',
            },
            headers,
          );
        } else {
          this.send(ex, json(fault.status, errorBody(fault.status)), headers);
        }
        return;
      }
      case 'reset':
        if (ex.log) ex.log.status = 'reset';
        ex.req.socket.resetAndDestroy();
        return;
      case 'hang':
        if (ex.log) ex.log.status = 'hang';
        this.hung.add(ex.res);
        return;
      case 'malformed':
        // handled by serve(), which needs the real body to truncate
        return;
    }
  }

  private send(ex: Exchange, reply: Reply, headers?: Record<string, string>): void {
    if (ex.closed) return;
    const status = reply.status;
    if (ex.log) ex.log.status = status;
    if (reply.pageKey !== undefined && status === 200 && reply.contentType === undefined) {
      this.stats.page(reply.pageKey);
    }
    this.write(ex.res, reply, { ...reply.headers, ...headers }, () => {
      this.stats.answered(status, performance.now() - ex.startedMs);
      this.finish(ex);
    });
  }

  /**
   * Writes a reply; streams chunked bodies with backpressure. `onEnd` runs once the whole
   * response is handed to the socket (API requests: counted in bytesSent, then answered).
   */
  private write(
    res: http.ServerResponse,
    reply: Reply,
    headers?: Record<string, string>,
    onEnd?: () => void,
  ): void {
    res.statusCode = reply.status;
    if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (reply.status === 204) {
      res.end();
      onEnd?.();
      return;
    }
    res.setHeader('Content-Type', reply.contentType ?? JSON_TYPE);
    if (reply.body) {
      res.setHeader('Content-Length', reply.body.length);
      if (onEnd) this.stats.bytesSent += reply.body.length;
      res.end(reply.body);
      onEnd?.();
      return;
    }
    if (reply.chunks) {
      const iterator = reply.chunks()[Symbol.iterator]();
      const pump = () => {
        for (;;) {
          if (res.destroyed) return;
          const next = iterator.next();
          if (next.done) {
            res.end();
            onEnd?.();
            return;
          }
          if (onEnd) this.stats.bytesSent += next.value.length;
          if (!res.write(next.value)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      pump();
      return;
    }
    res.end();
    onEnd?.();
  }

  /**
   * The request is answered (its response handed to the socket) or over (client gone, reset,
   * hung until close): it leaves the in-flight count and frees its capacity slot. Counting at
   * the answer, not at the socket's later 'close', keeps a client with N workers at ≤ N.
   */
  private finish(ex: Exchange): void {
    if (ex.done) return;
    ex.done = true;
    this.stats.leave();
    this.hung.delete(ex.res);
    this.releaseSlot(ex);
    if (ex.holdsLimit) {
      ex.holdsLimit = false;
      this.limit?.release();
    }
  }

  private onClose(ex: Exchange): void {
    if (ex.closed) return;
    ex.closed = true;
    ex.cancelWait?.();
    this.finish(ex);
  }

  private releaseSlot(ex: Exchange): void {
    if (ex.holdsSlot) {
      ex.holdsSlot = false;
      this.capacity?.release();
    }
  }

  // ── /__sim control endpoints ───────────────────────────────────────────────────────────

  private control(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    search: string,
  ): void {
    const method = req.method ?? 'GET';
    const query = new URLSearchParams(search);
    const reply = (value: unknown, status = 200) => {
      this.write(res, value === undefined ? { status: 204 } : json(status, value));
    };
    const readJson = (then: (value: unknown) => void) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.once('end', () => {
        try {
          then(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
        } catch (error) {
          reply({ message: error instanceof Error ? error.message : String(error) }, 400);
        }
      });
    };
    if (method === 'GET' && path === '/__sim/stats') {
      reply(this.snapshot());
    } else if (method === 'POST' && path === '/__sim/stats/reset') {
      this.stats.reset();
      reply(undefined);
    } else if (method === 'GET' && path === '/__sim/requests') {
      reply(this.requestLog());
    } else if (method === 'GET' && path === '/__sim/mutations') {
      reply(this.mutator.entries());
    } else if (method === 'POST' && path === '/__sim/mutate') {
      const n = Number(query.get('n') ?? '1');
      if (!Number.isInteger(n) || n < 1 || n > 1_000_000) {
        reply({ message: 'n must be a whole number from 1 to 1000000' }, 400);
      } else {
        reply(this.mutator.apply(n));
      }
    } else if (method === 'POST' && path === '/__sim/mutations') {
      readJson((value) => {
        try {
          reply(
            this.mutator.script((Array.isArray(value) ? value : [value]) as ScriptedMutation[]),
          );
        } catch (error) {
          if (!(error instanceof MutationScriptError)) throw error;
          reply({ message: error.message }, 400);
        }
      });
    } else if (method === 'POST' && path === '/__sim/write-rejections') {
      readJson((value) => {
        const rates = (typeof value === 'object' && value !== null ? value : {}) as Record<
          string,
          number
        >;
        this.setWriteRejections(rates);
        reply(undefined);
      });
    } else if (method === 'POST' && path === '/__sim/faults') {
      readJson((value) => {
        this.injectFaults((Array.isArray(value) ? value : [value]) as ScriptedFault[]);
        reply(undefined);
      });
    } else if (method === 'GET' && path.startsWith('/__sim/ids/')) {
      const type = path.slice('/__sim/ids/'.length);
      if (!(SIM_CONTENT_TYPES as readonly string[]).includes(type)) {
        reply({ message: `unknown type ${type}` }, 404);
      } else {
        const t = type as SimContentType;
        reply(query.get('deleted') === 'true' ? this.dataset.deletedIds(t) : this.dataset.ids(t));
      }
    } else {
      reply({ message: 'Not found' }, 404);
    }
  }

  snapshot() {
    return this.stats.snapshot(this.mutator.count);
  }
}

/** Whether the client went away: read through a call, since it changes across each await. */
function isClosed(ex: Exchange): boolean {
  return ex.closed;
}
