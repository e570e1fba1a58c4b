/**
 * A least-recently-used cache of byte buffers with a total size budget. Keys are numbers (cheap
 * to hash, unlike composed strings); each entry carries the revision it was made from, so a
 * changed item misses. Map iteration order is insertion order, so re-inserting on every hit
 * keeps the oldest entry first.
 */
interface Entry {
  rev: number;
  body: Buffer;
}

export class ByteLru {
  private readonly entries = new Map<number, Entry>();
  private bytes = 0;

  constructor(private readonly budget: number) {}

  get(key: number, rev: number): Buffer | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.rev !== rev) {
      this.delete(key, entry);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.body;
  }

  set(key: number, rev: number, body: Buffer): void {
    if (body.length > this.budget / 4) return;
    const previous = this.entries.get(key);
    if (previous !== undefined) this.delete(key, previous);
    this.entries.set(key, { rev, body });
    this.bytes += body.length;
    while (this.bytes > this.budget) {
      const oldest = this.entries.entries().next();
      if (oldest.done) break;
      this.delete(oldest.value[0], oldest.value[1]);
    }
  }

  private delete(key: number, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.body.length;
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
