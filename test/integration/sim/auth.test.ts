import { afterEach, describe, expect, it } from '@jest/globals';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../../src/sim/index.js';
import { SimClient } from './http.js';

let sim: RunningSimulator | undefined;
let client: SimClient | undefined;

async function start(options: SimulatorOptions = {}): Promise<SimClient> {
  sim = await startSimulator({ counts: { dashboard: 20, look: 10, user: 5 }, ...options });
  client = new SimClient(sim);
  return client;
}

afterEach(async () => {
  await client?.close();
  await sim?.close();
  client = undefined;
  sim = undefined;
});

function tokenOf(text: string): string {
  return (JSON.parse(text) as { access_token: string }).access_token;
}

describe('authentication', () => {
  it('login with the form body returns a bearer token with expires_in', async () => {
    const c = await start({ tokenTtlSeconds: 900 });
    const answer = await c.login();
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({
      access_token: expect.stringMatching(/^[0-9a-f]{40}$/),
      token_type: 'Bearer',
      expires_in: 900,
    });
    expect(sim?.stats().logins).toBe(1);
  });

  it('login also accepts client_id and client_secret as query parameters', async () => {
    const c = await start();
    const query = new URLSearchParams({
      client_id: sim?.clientId ?? '',
      client_secret: sim?.clientSecret ?? '',
    });
    const answer = await c.send('POST', `/login?${query.toString()}`);
    expect(answer.status).toBe(200);
  });

  it('wrong credentials get 404 with Looker’s error body, as Looker answers (or 401 when configured)', async () => {
    const c = await start();
    const wrong = await c.login(sim?.clientId, 'not-the-secret');
    expect(wrong.status).toBe(404);
    expect(JSON.parse(wrong.text)).toEqual({
      message: expect.any(String),
      documentation_url: expect.any(String),
    });
    expect(sim?.stats()).toMatchObject({ logins: 0, failedLogins: 1 });
    await client?.close();
    await sim?.close();
    const c401 = await start({ loginFailureStatus: 401 });
    expect((await c401.login('nobody', 'nothing')).status).toBe(401);
  });

  it('requests without a token, or with an unknown one, get 401', async () => {
    const c = await start();
    expect((await c.send('GET', '/dashboards/1')).status).toBe(401);
    expect(
      (await c.send('GET', '/dashboards/1', { headers: { authorization: 'Bearer nope' } })).status,
    ).toBe(401);
    expect(
      (await c.send('GET', '/dashboards/1', { headers: { authorization: 'Basic abc' } })).status,
    ).toBe(401);
    expect(sim?.stats().unauthorized).toBe(3);
  });

  it('accepts both "Bearer <token>" and "token <token>"', async () => {
    const c = await start();
    expect((await c.get('/user', { scheme: 'Bearer' })).status).toBe(200);
    expect((await c.get('/user', { scheme: 'token' })).status).toBe(200);
  });

  it('tokens expire after the TTL on the injected clock, and a new login works', async () => {
    let now = Date.UTC(2026, 0, 1);
    const c = await start({ tokenTtlSeconds: 60, clock: () => now });
    const token = tokenOf((await c.login()).text);
    const auth = { authorization: `Bearer ${token}` };
    expect((await c.send('GET', '/user', { headers: auth })).status).toBe(200);
    now += 59_999;
    expect((await c.send('GET', '/user', { headers: auth })).status).toBe(200);
    now += 1;
    expect((await c.send('GET', '/user', { headers: auth })).status).toBe(401);
    const fresh = tokenOf((await c.login()).text);
    expect(
      (await c.send('GET', '/user', { headers: { authorization: `Bearer ${fresh}` } })).status,
    ).toBe(200);
    expect(sim?.stats()).toMatchObject({ logins: 2, unauthorized: 1 });
  });

  it('logout ends the session: the token stops working', async () => {
    const c = await start();
    const token = tokenOf((await c.login()).text);
    const auth = { authorization: `token ${token}` };
    expect((await c.send('DELETE', '/logout', { headers: auth })).status).toBe(204);
    expect((await c.send('GET', '/user', { headers: auth })).status).toBe(401);
    expect(sim?.stats().logouts).toBe(1);
  });

  it('versions needs no token; me returns the API user', async () => {
    const c = await start();
    const versions = await c.send('GET', '/versions');
    expect(versions.status).toBe(200);
    expect(JSON.parse(versions.text)).toMatchObject({ current_version: { version: '4.0' } });
    const me = await c.json<{ id: string; credentials_api3: { client_id: string }[] }>('/user');
    expect(me.id).toBe('1');
    expect(me.credentials_api3[0]?.client_id).toBe(sim?.clientId);
  });

  it('paths outside /api/4.0 and unknown operations are 404', async () => {
    const c = await start();
    expect((await c.get('/no_such_thing')).status).toBe(404);
    const outside = await c.send('GET', '/../../index.html');
    expect(outside.status).toBe(404);
  });
});
