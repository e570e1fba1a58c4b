/**
 * Live mutation: creates, edits and deletes items while the server runs, so that consistency
 * under change can be tested. Deterministic per seed: the choice of type, action and item comes
 * from a seeded PRNG, and in request-driven mode (`everyRequests`) from the request count.
 * Mix: 40% create, 40% update, 20% delete (create when nothing is left to change).
 */
import type { CollectionName } from '../data/collection.js';
import type { Dataset } from '../dataset.js';
import { Rng, hash3 } from '../prng.js';
import {
  MUTABLE_TYPES,
  type MutableType,
  type MutationLogEntry,
  type ScriptedMutation,
} from '../types.js';

/** A scripted mutation that cannot be applied (unknown item, no trash for the type…). */
export class MutationScriptError extends Error {}

const SCRIPT_ACTIONS = [
  'create',
  'update',
  'edit-tiles',
  'trash',
  'restore',
  'delete',
  'move',
] as const;

const LOG_LIMIT = 100_000;

export class Mutator {
  private readonly rng: Rng;
  private readonly log: MutationLogEntry[] = [];
  private seq = 0;
  private requests = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataset: Dataset,
    private readonly types: readonly MutableType[],
    seed: number,
    private readonly clock: () => number,
    private readonly everyRequests: number | undefined,
  ) {
    this.rng = new Rng(hash3(seed, 0x3a7e, 2));
  }

  /** Counts a content request; applies a mutation every `everyRequests`. */
  onRequest(): void {
    if (this.everyRequests === undefined) return;
    if (++this.requests % this.everyRequests === 0) this.apply(1);
  }

  start(perSecond: number): void {
    const tickMs = Math.max(10, 1000 / perSecond);
    let due = 0;
    this.timer = setInterval(() => {
      due += (perSecond * tickMs) / 1000;
      const n = Math.floor(due);
      due -= n;
      if (n > 0) this.apply(n);
    }, tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  apply(n: number): MutationLogEntry[] {
    const done: MutationLogEntry[] = [];
    for (let i = 0; i < n; i++) done.push(this.once());
    return done;
  }

  /**
   * Applies exactly `mutations`, in order, after checking all of them: a script with one
   * invalid step changes nothing.
   */
  script(mutations: readonly ScriptedMutation[]): MutationLogEntry[] {
    const planned = mutations.map((mutation, step) => this.resolve(mutation, step));
    return planned.map(({ mutation, index }) => {
      const name: CollectionName = mutation.type;
      const now = this.clock();
      let at = index;
      switch (mutation.action) {
        case 'create':
          at = this.dataset.create(name, now);
          break;
        case 'update':
          this.dataset.update(name, index, now);
          break;
        case 'edit-tiles':
          this.dataset.editTiles(index, now);
          break;
        case 'trash':
          if (name === 'board') this.dataset.trashBoard(index, now);
          else this.dataset.remove(name, index, now);
          break;
        case 'restore':
          this.dataset.untrash(name, index);
          break;
        case 'delete':
          this.dataset.purge(name, index);
          break;
        case 'move':
          this.dataset.move(
            mutation.type === 'look' ? 'look' : 'dashboard',
            index,
            mutation.folderId ?? '',
            now,
          );
          break;
      }
      const entry: MutationLogEntry = {
        seq: ++this.seq,
        at: now,
        type: mutation.type,
        action: mutation.action,
        id: this.dataset.key(name, at),
      };
      this.log.push(entry);
      return entry;
    });
  }

  private resolve(
    mutation: ScriptedMutation,
    step: number,
  ): { mutation: ScriptedMutation; index: number } {
    const where = `mutation ${step + 1}`;
    if (!(SCRIPT_ACTIONS as readonly string[]).includes(mutation.action)) {
      throw new MutationScriptError(`${where}: action must be one of ${SCRIPT_ACTIONS.join(', ')}`);
    }
    if (!(MUTABLE_TYPES as readonly string[]).includes(mutation.type)) {
      throw new MutationScriptError(`${where}: type must be one of ${MUTABLE_TYPES.join(', ')}`);
    }
    if (mutation.action === 'create') return { mutation, index: -1 };
    const index =
      mutation.id === undefined ? undefined : this.dataset.find(mutation.type, mutation.id);
    if (index === undefined) {
      throw new MutationScriptError(
        `${where}: there is no ${mutation.type} ${String(mutation.id)}`,
      );
    }
    if (mutation.action === 'edit-tiles' && mutation.type !== 'dashboard') {
      throw new MutationScriptError(`${where}: only dashboards have tiles`);
    }
    if (mutation.action === 'move') {
      if (mutation.type !== 'dashboard' && mutation.type !== 'look') {
        throw new MutationScriptError(`${where}: only dashboards and looks are moved`);
      }
      if (mutation.folderId === undefined || !this.dataset.hasFolder(mutation.folderId)) {
        throw new MutationScriptError(`${where}: there is no folder ${String(mutation.folderId)}`);
      }
    }
    const hasTrash =
      mutation.type === 'dashboard' || mutation.type === 'look' || mutation.type === 'board';
    if ((mutation.action === 'trash' || mutation.action === 'restore') && !hasTrash) {
      throw new MutationScriptError(`${where}: ${mutation.type}s have no trash`);
    }
    return { mutation, index };
  }

  entries(): MutationLogEntry[] {
    return [...this.log];
  }

  get count(): number {
    return this.seq;
  }

  private once(): MutationLogEntry {
    const type = this.rng.pick(this.types);
    const name: CollectionName = type;
    const now = this.clock();
    const r = this.rng.float();
    let action: MutationLogEntry['action'] = r < 0.4 ? 'create' : r < 0.8 ? 'update' : 'delete';
    let index = action === 'create' ? -1 : this.pickLive(name);
    if (index < 0) action = 'create';
    if (action === 'create') index = this.dataset.create(name, now);
    else if (action === 'update') this.dataset.update(name, index, now);
    else this.dataset.remove(name, index, now);
    const entry: MutationLogEntry = {
      seq: ++this.seq,
      at: now,
      type,
      action,
      id: this.dataset.key(name, index),
    };
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    return entry;
  }

  private pickLive(name: CollectionName): number {
    const total = this.dataset.total(name);
    if (total === 0) return -1;
    for (let attempt = 0; attempt < 32; attempt++) {
      const index = this.rng.int(total);
      if (this.dataset.state(name, index) === 'live') return index;
    }
    const start = this.rng.int(total);
    for (let k = 0; k < total; k++) {
      const index = (start + k) % total;
      if (this.dataset.state(name, index) === 'live') return index;
    }
    return -1;
  }
}
