/**
 * A server that works on at most `limit` requests at once; more wait in arrival order (FIFO),
 * as requests do in front of a server with that many worker threads.
 */
interface Waiter {
  resolve: () => void;
  cancelled: boolean;
}

export class Capacity {
  private active = 0;
  private readonly queue: Waiter[] = [];
  private head = 0;

  constructor(private readonly limit: number) {}

  /** Undefined when a slot was free (taken now); else a waiter whose promise resolves on a slot. */
  acquire(): { promise: Promise<void>; cancel: () => void } | undefined {
    if (this.active < this.limit && this.head === this.queue.length) {
      this.active++;
      return undefined;
    }
    let waiter!: Waiter;
    const promise = new Promise<void>((resolve) => {
      waiter = { resolve, cancelled: false };
    });
    this.queue.push(waiter);
    return {
      promise,
      cancel: () => {
        waiter.cancelled = true;
      },
    };
  }

  release(): void {
    this.active--;
    while (this.head < this.queue.length && this.active < this.limit) {
      const next = this.queue[this.head++] as Waiter;
      if (next.cancelled) continue;
      this.active++;
      next.resolve();
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  get waiting(): number {
    return this.queue.length - this.head;
  }
}
