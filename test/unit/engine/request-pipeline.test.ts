import { describe, expect, it } from '@jest/globals';
import { createRequestPipeline } from '../../../src/engine/request-pipeline.js';
import type { LookerClient } from '../../../src/looker/client.js';

/** A client whose calls answer when the test says so, each at a time the test sets. */
function controlledClient() {
  const pending: { operation: string; answer: () => void }[] = [];
  const client = {
    call: (operation: string) =>
      new Promise((resolve) => {
        pending.push({
          operation,
          answer: () => {
            resolve({ ok: true });
          },
        });
      }),
    login: () => Promise.resolve(),
  } as unknown as LookerClient;
  return { client, pending };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('createRequestPipeline: slot time per type', () => {
  it('books each request of apiFor(type) from its start in a slot to its answer, not its wait', async () => {
    let now = 0;
    const { client, pending } = controlledClient();
    const pipeline = createRequestPipeline(client, {
      workers: 1,
      maxRetries: 0,
      signal: new AbortController().signal,
      emit: () => undefined,
      now: () => now,
    });
    const invoke = () => Promise.reject(new Error('the controlled client answers'));
    const first = pipeline.apiFor('look').call('look', invoke);
    const second = pipeline.apiFor('dashboard').call('dashboard', invoke);
    await settle();
    // One slot: the dashboard request waits in the gate while the look's is in flight.
    expect(pending.map((p) => p.operation)).toEqual(['look']);
    now = 100;
    pending.shift()?.answer();
    await first;
    await settle();
    expect(pending.map((p) => p.operation)).toEqual(['dashboard']);
    now = 150;
    pending.shift()?.answer();
    await second;
    expect(pipeline.costs.cost('look')).toMatchObject({ slotMs: 100, requests: 1 });
    // Started at 100 (after 100 ms in the gate's queue), answered at 150.
    expect(pipeline.costs.cost('dashboard')).toMatchObject({ slotMs: 50, requests: 1 });
    // Untagged requests are not booked.
    const untagged = pipeline.api.call('me', invoke);
    await settle();
    pending.shift()?.answer();
    await untagged;
    expect(pipeline.costs.cost('me').requests).toBe(0);
  });
});
