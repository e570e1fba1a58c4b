import { describe, expect, it } from '@jest/globals';
import { AbortFanout } from '../../../src/looker/transport.js';

describe('AbortFanout', () => {
  it('aborts every linked controller when the shared signal aborts, with its reason', () => {
    const fanout = new AbortFanout();
    const shared = new AbortController();
    const controllers = Array.from({ length: 3 }, () => new AbortController());
    for (const controller of controllers) fanout.link(shared.signal, controller);
    shared.abort('stop');
    expect(controllers.map((c): unknown => c.signal.reason)).toEqual(['stop', 'stop', 'stop']);
  });

  it('leaves a controller alone once it is unlinked', () => {
    const fanout = new AbortFanout();
    const shared = new AbortController();
    const done = new AbortController();
    const running = new AbortController();
    fanout.link(shared.signal, done)();
    fanout.link(shared.signal, running);
    shared.abort();
    expect(done.signal.aborted).toBe(false);
    expect(running.signal.aborted).toBe(true);
  });

  it('adds one listener to a shared signal however many requests use it', () => {
    const fanout = new AbortFanout();
    const shared = new AbortController();
    let listeners = 0;
    const add = shared.signal.addEventListener.bind(shared.signal);
    shared.signal.addEventListener = (...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    };
    for (let i = 0; i < 100; i++) fanout.link(shared.signal, new AbortController())();
    expect(listeners).toBe(1);
  });

  it('aborts at once a controller linked to a signal that already aborted', () => {
    const fanout = new AbortFanout();
    const shared = new AbortController();
    fanout.link(shared.signal, new AbortController());
    shared.abort('late');
    const controller = new AbortController();
    fanout.link(shared.signal, controller);
    expect(controller.signal.reason).toBe('late');
  });
});
