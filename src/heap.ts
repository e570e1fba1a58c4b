import { setFlagsFromString } from 'node:v8';

/**
 * Trades a little of V8's throughput tuning for a flat memory profile during a long backup.
 *
 * A backup allocates fast and keeps little: every response is garbage once the writer has it.
 * By default V8 grows the young generation to 32 MB and lets the old generation reach about
 * three times its live size before collecting, which on a 50,000-item run took the process
 * from ~90 MB at start to ~260 MB peak RSS. Keeping the young generation at its initial size
 * and collecting the old one at 1.5× live holds the peak near 160 MB, for a throughput change
 * within the benchmark's run-to-run noise (bench/results/extract.md, `zero`).
 *
 * V8 reads both flags at each collection, so setting them at run time works, for the whole
 * process. Two catches: set them before module loading has grown the young generation
 * (`bin/run.js` calls this first thing), and starting a worker thread resets them (Node 20),
 * so a thread re-applies {@link runtimeHeapFlags} once it runs.
 */
const COMPACT_HEAP_FLAGS: readonly string[] = [
  '--semi-space-growth-factor=1',
  '--heap-growing-percent=50',
];

let applied: readonly string[] = [];

export function useCompactHeap(): void {
  applyHeapFlags(COMPACT_HEAP_FLAGS);
  applied = COMPACT_HEAP_FLAGS;
}

/** The V8 flags this process set at run time (none unless {@link useCompactHeap} ran). */
export function runtimeHeapFlags(): readonly string[] {
  return applied;
}

export function applyHeapFlags(flags: readonly string[]): void {
  for (const flag of flags) setFlagsFromString(flag);
}
