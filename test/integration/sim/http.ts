/** A small HTTP client for the simulator's own tests (undici, keep-alive, per-test agent). */
import { afterEach } from '@jest/globals';
import { Agent, request } from 'undici';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../../src/sim/index.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  bytes: Buffer;
}

export class SimClient {
  readonly agent = new Agent({ connections: 16, keepAliveTimeout: 10_000 });
  private token: string | undefined;

  constructor(private readonly sim: RunningSimulator) {}

  get api(): string {
    return `${this.sim.url}/api/4.0`;
  }

  async send(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {},
  ): Promise<Answer> {
    const response = await request(`${this.api}${path}`, {
      method: method as 'GET',
      headers: options.headers,
      body: options.body,
      dispatcher: this.agent,
      signal: options.signal,
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    return {
      status: response.statusCode,
      headers: response.headers,
      text: bytes.toString('utf8'),
      bytes,
    };
  }

  async login(clientId = this.sim.clientId, clientSecret = this.sim.clientSecret): Promise<Answer> {
    return this.send('POST', '/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret }).toString(),
    });
  }

  /** Logs in once and remembers the token. */
  async authorize(): Promise<string> {
    if (this.token === undefined) {
      const answer = await this.login();
      if (answer.status !== 200)
        throw new Error(`login failed: ${String(answer.status)} ${answer.text}`);
      this.token = (JSON.parse(answer.text) as { access_token: string }).access_token;
    }
    return this.token;
  }

  async get(
    path: string,
    options: { signal?: AbortSignal; scheme?: string } = {},
  ): Promise<Answer> {
    const token = await this.authorize();
    return this.send('GET', path, {
      headers: { authorization: `${options.scheme ?? 'Bearer'} ${token}` },
      signal: options.signal,
    });
  }

  /** An authorized write (POST, PATCH, PUT, DELETE) with a JSON body. */
  async write(method: string, path: string, body?: unknown): Promise<Answer> {
    const token = await this.authorize();
    return this.send(method, path, {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  /** GET and parse JSON, failing on any status but 200. */
  async json<T = unknown>(path: string): Promise<T> {
    const answer = await this.get(path);
    if (answer.status !== 200)
      throw new Error(`GET ${path}: ${String(answer.status)} ${answer.text}`);
    return JSON.parse(answer.text) as T;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  forgetToken(): void {
    this.token = undefined;
  }
}

/** Waits (polling the event loop, bounded) until a condition holds; for server-side events. */
export async function until(
  condition: () => boolean,
  what: string,
  maxTurns = 5000,
): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * For a test file: `start(options)` runs a simulator (with `defaults` under `options`) and a
 * client for it; every one started is closed after each test.
 */
export function simulatorsPerTest(
  defaults: SimulatorOptions,
): (options?: SimulatorOptions) => Promise<{ s: RunningSimulator; c: SimClient }> {
  const started: { s: RunningSimulator; c: SimClient }[] = [];
  afterEach(async () => {
    for (const { s, c } of started.splice(0)) {
      await c.close();
      await s.close();
    }
  });
  return async (options = {}) => {
    const s = await startSimulator({ ...defaults, ...options });
    const pair = { s, c: new SimClient(s) };
    started.push(pair);
    return pair;
  };
}
