#!/usr/bin/env node
// Micro-benchmark of the store's writer, against the compiled dist/ (run `npm run build` first).
//
//   node bench/writer.js [--items 20000] [--size 15000] [--page 100] [--mode thread|inline|both]
//                        [--dir /tmp] [--json]
//
// Writes --items items of ~--size bytes of JSON in pages of --page items, three times: into a
// new file (all new), the same items again (all unchanged) and modified items (all changed).
// A producer enqueues as fast as the writer's backpressure lets it, as extraction workers do.
// Reports items/s and MB/s end to end (enqueue of the first page to the commit of the last),
// and how busy the main thread was (event-loop utilisation): what is left for HTTP and JSON.
// It also measures canonicalJson + contentHash, the per-item work the workers do.
import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  canonicalJson,
  contentHash,
  openVault,
  RunStore,
  VaultWriter,
} from '../dist/store/index.js';

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '20000' },
    size: { type: 'string', default: '15000' },
    page: { type: 'string', default: '100' },
    mode: { type: 'string', default: 'both' },
    dir: { type: 'string', default: os.tmpdir() },
    json: { type: 'boolean', default: false },
  },
});
const itemCount = Number(args.items);
const targetSize = Number(args.size);
const pageSize = Number(args.page);
const modes = args.mode === 'both' ? ['thread', 'inline'] : [args.mode];

/** A deterministic PRNG, so every run writes the same data. */
function mulberry32(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A dashboard-like object of about `targetSize` bytes of JSON. */
function makeRawItem(id, version, random) {
  const word = () => Math.floor(random() * 36 ** 6).toString(36);
  const elements = [];
  const item = {
    id: String(id),
    title: `Dashboard ${id} ${word()}`,
    description: `Version ${version}`,
    folder_id: String(id % 97),
    user_id: String(id % 13),
    created_at: '2024-01-02T03:04:05.000+00:00',
    updated_at: `2024-06-0${1 + (version % 9)}T00:00:00.000+00:00`,
    deleted: false,
    dashboard_elements: elements,
  };
  let size = JSON.stringify(item).length;
  while (size < targetSize) {
    const element = {
      id: String(elements.length + 1),
      title: `Tile ${word()} ${word()}`,
      type: 'vis',
      query: {
        model: `model_${word()}`,
        view: word(),
        fields: [word(), word(), word()],
        limit: '500',
      },
      note_text: `${word()} ${word()} ${word()}`,
    };
    elements.push(element);
    size += JSON.stringify(element).length + 1;
  }
  return item;
}

function toItemWrite(raw) {
  const json = canonicalJson(raw);
  return {
    id: raw.id,
    name: raw.title,
    folderId: raw.folder_id,
    ownerId: raw.user_id,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
    deleted: raw.deleted,
    json,
    hash: contentHash(json),
    size: Buffer.byteLength(json),
  };
}

function buildPages(version) {
  const random = mulberry32(version);
  const raws = [];
  for (let id = 1; id <= itemCount; id++) raws.push(makeRawItem(id, version, random));
  // Key order shuffled the way a server might send it: canonical JSON must not care.
  const plainStarted = performance.now();
  for (const raw of raws) JSON.stringify(raw);
  const stringifyMs = performance.now() - plainStarted;
  const started = performance.now();
  const items = raws.map(toItemWrite);
  const canonicalMs = performance.now() - started;
  const pages = [];
  for (let start = 0; start < items.length; start += pageSize) {
    const pageItems = items.slice(start, start + pageSize);
    pages.push({
      type: 'dashboard',
      unitKey: `v${version}:offset:${start}`,
      offset: start,
      limit: pageSize,
      rawCount: pageItems.length,
      items: pageItems,
      invalid: [],
    });
  }
  const bytes = items.reduce((sum, item) => sum + item.size, 0);
  return { pages, bytes, canonicalMs, stringifyMs };
}

async function writeAll(vault, runId, mode, pages) {
  let committedItems = 0;
  const writer = new VaultWriter(vault, runId, {
    mode,
    onCommit: (results) => {
      for (const result of results) committedItems += result.stored;
    },
  });
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const page of pages) await writer.enqueue(page);
  await writer.flush();
  const ms = performance.now() - started;
  const busy = performance.eventLoopUtilization(elu);
  const usage = process.cpuUsage(cpu);
  await writer.close();
  return {
    ms,
    items: committedItems,
    mainThreadBusy: busy.utilization,
    cpuMs: (usage.user + usage.system) / 1000,
  };
}

async function benchMode(mode, datasets) {
  const dir = mkdtempSync(path.join(args.dir, 'lookervault-bench-'));
  const file = path.join(dir, 'bench.db');
  const rows = [];
  try {
    for (const [phase, data] of datasets) {
      const vault = openVault(file, { create: true, toolVersion: 'bench' });
      const runs = new RunStore(vault);
      const run = runs.start({
        types: ['dashboard'],
        config: {},
        baseUrl: 'http://bench',
        toolVersion: 'bench',
      });
      const result = await writeAll(vault, run.id, mode, data.pages);
      runs.finish(run.id, 'success', {});
      const fileBytes = vault.fileSizeBytes();
      vault.close();
      const seconds = result.ms / 1000;
      rows.push({
        mode,
        phase,
        items: result.items,
        seconds: Number(seconds.toFixed(3)),
        itemsPerSecond: Math.round(result.items / seconds),
        mbPerSecond: Number((data.bytes / 1e6 / seconds).toFixed(1)),
        mainThreadBusy: Number(result.mainThreadBusy.toFixed(2)),
        processCpuMsPerKItem: Number(((result.cpuMs / result.items) * 1000).toFixed(0)),
        fileMB: Number((fileBytes / 1e6).toFixed(1)),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

const first = buildPages(1);
const changed = buildPages(2);
const datasets = [
  ['new', first],
  ['unchanged', first],
  ['changed', changed],
];
const averageItemBytes = Math.round(first.bytes / itemCount);
const canonical = {
  itemsPerSecond: Math.round(itemCount / (first.canonicalMs / 1000)),
  mbPerSecond: Number((first.bytes / 1e6 / (first.canonicalMs / 1000)).toFixed(1)),
  plainStringifyItemsPerSecond: Math.round(itemCount / (first.stringifyMs / 1000)),
};

const results = [];
for (const mode of modes) results.push(...(await benchMode(mode, datasets)));

const report = {
  node: process.version,
  cpus: os.cpus().length,
  items: itemCount,
  averageItemBytes,
  pageSize,
  canonicalJsonPlusHash: canonical,
  writer: results,
};
if (args.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(
    `writer bench: ${itemCount} items of ~${averageItemBytes} B in pages of ${pageSize}, node ${process.version}, ${report.cpus} CPUs`,
  );
  console.log(
    `canonicalJson + contentHash: ${canonical.itemsPerSecond} items/s (${canonical.mbPerSecond} MB/s) on the main thread; plain JSON.stringify: ${canonical.plainStringifyItemsPerSecond} items/s`,
  );
  for (const row of results) {
    console.log(
      `${row.mode.padEnd(6)} ${row.phase.padEnd(9)} ${String(row.itemsPerSecond).padStart(7)} items/s ${String(row.mbPerSecond).padStart(6)} MB/s  main thread busy ${(row.mainThreadBusy * 100).toFixed(0).padStart(3)}%  process CPU ${row.processCpuMsPerKItem} ms/1k items  file ${row.fileMB} MB`,
    );
  }
}
