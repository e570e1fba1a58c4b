import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  writeSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { dump as yamlDump } from 'js-yaml';
import { isScopedType } from '../extract/scope.js';
import type { ContentType } from '../content-types.js';
import { LookervaultError, UsageError } from '../errors.js';
import {
  folderFilter,
  folderPaths,
  contentReader,
  iterateExportRows,
  snapshotFolders,
  type ExportRow,
  type Vault,
} from '../store/index.js';
import { instanceKey } from '../store/sanitize.js';
import { indentJson } from './indent-json.js';
import { TreeLayout } from './layout.js';
import {
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  manifestChunks,
  readManifest,
  type Manifest,
  type ManifestEntry,
} from './manifest.js';

/**
 * `export`: a snapshot as a tree of files, one item per file, laid out like Looker's folders
 * (see layout.ts), for git. Deterministic: the same snapshot gives the same bytes (keys in the
 * stored canonical order, two-space indentation, a final newline), and a file whose bytes would
 * not change is not written, so re-exporting an unchanged backup changes nothing and a nightly
 * `export && git commit` commits only real changes. Files of items gone since the last export
 * (named by the previous manifest) are removed; no other file in the directory is ever touched,
 * and one that is in the way is an error before anything is written. Each file is written to a
 * temporary name and renamed, and the manifest last.
 */

export type ExportFormat = 'json' | 'yaml';

export interface ExportOptions {
  directory: string;
  snapshotId: number;
  baseUrl: string;
  format: ExportFormat;
  types: readonly ContentType[];
  /** Folder ids or paths: their subtrees only (for the types that live in folders). */
  folders?: readonly string[];
  /** Called after each item, for progress. */
  onItem?: (done: number, total: number) => void;
}

export interface ExportResult {
  directory: string;
  snapshotId: number;
  format: ExportFormat;
  items: number;
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
  perType: Partial<Record<ContentType, number>>;
  durationMs: number;
  itemsPerSecond: number;
}

export function exportSnapshot(vault: Vault, options: ExportOptions): ExportResult {
  const started = Date.now();
  const directory = path.resolve(options.directory);
  prepareDirectory(directory);
  const ours = new Set(readManifest(directory)?.items.map((entry) => entry.path) ?? []);
  // One read transaction: the layout and the contents see the same state of the file, even
  // while an extract writes to it.
  vault.db.exec('BEGIN');
  try {
    return writeTree(vault, options, directory, ours, started);
  } finally {
    vault.db.exec('COMMIT');
  }
}

function writeTree(
  vault: Vault,
  options: ExportOptions,
  directory: string,
  ours: ReadonlySet<string>,
  started: number,
): ExportResult {
  const { entries, contentIds } = layOut(vault, options);
  refuseForeignFiles(directory, entries, ours, options.format);

  let created = 0;
  let updated = 0;
  let unchanged = 0;
  const madeDirectories = new Set<string>();
  const contentOf = contentReader(vault);
  entries.forEach((entry, index) => {
    const text = renderItem(contentOf(contentIds[index] ?? -1), options.format);
    const file = path.join(directory, ...entry.path.split('/'));
    const outcome = writeIfChanged(file, text, madeDirectories);
    if (outcome === 'created') created += 1;
    else if (outcome === 'updated') updated += 1;
    else unchanged += 1;
    options.onItem?.(index + 1, entries.length);
  });

  const current = new Set(entries.map((entry) => entry.path));
  let removed = 0;
  for (const stale of ours) {
    if (current.has(stale)) continue;
    const file = path.join(directory, ...stale.split('/'));
    if (existsSync(file)) {
      try {
        unlinkSync(file);
      } catch (error) {
        throw asExportError(error, file);
      }
      removed += 1;
      removeEmptyParents(path.dirname(file), directory);
    }
  }

  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: 1,
    source: instanceKey(options.baseUrl),
    fileFormat: options.format,
    items: entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  };
  writeChunksIfChanged(path.join(directory, MANIFEST_FILE), manifestChunks(manifest));

  const perType: Partial<Record<ContentType, number>> = {};
  for (const entry of entries) perType[entry.type] = (perType[entry.type] ?? 0) + 1;
  const durationMs = Date.now() - started;
  return {
    directory,
    snapshotId: options.snapshotId,
    format: options.format,
    items: entries.length,
    created,
    updated,
    unchanged,
    removed,
    perType,
    durationMs,
    itemsPerSecond: durationMs > 0 ? (entries.length * 1000) / durationMs : entries.length,
  };
}

/** Every selected item's manifest entry and content id, from rows read one at a time. */
function layOut(
  vault: Vault,
  options: ExportOptions,
): { entries: ManifestEntry[]; contentIds: number[] } {
  const folders = snapshotFolders(vault, options.snapshotId);
  const inScope = scopeFilter(vault, options, folders);
  const layout = new TreeLayout(folders);
  const extension = options.format === 'yaml' ? '.yaml' : '.json';
  const entries: ManifestEntry[] = [];
  const contentIds: number[] = [];
  for (const row of iterateExportRows(vault, options.snapshotId, options.types)) {
    if (inScope && !inScope(row)) continue;
    const type = row.type as ContentType;
    const path = layout.pathOf({
      type,
      id: row.id,
      name: row.name,
      folderId: row.folderId,
      slug: row.slug,
    });
    entries.push({
      path: `${path}${extension}`,
      type,
      id: row.id,
      hash: row.hash,
      ...(row.trashed ? { trashed: true } : {}),
    });
    contentIds.push(row.contentId);
  }
  return { entries, contentIds };
}

/** An item's file: its stored JSON (keys already in canonical order), indented, or as YAML. */
export function renderItem(canonicalJson: string, format: ExportFormat): string {
  if (format === 'yaml') {
    return yamlDump(JSON.parse(canonicalJson), { lineWidth: -1, noRefs: true });
  }
  return `${indentJson(canonicalJson)}\n`;
}

function prepareDirectory(directory: string): void {
  if (existsSync(directory)) {
    if (!statSync(directory).isDirectory()) {
      throw new UsageError(`${directory} exists and is not a directory`, {
        hint: 'Name a directory to export into (it is created when missing).',
      });
    }
    return;
  }
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw new UsageError(`Could not create ${directory}: ${(error as Error).message}`, {
      hint: 'Check the path and its permissions.',
    });
  }
}

/**
 * With --folders: a test keeping the folders' subtrees, their content, and that content's
 * scheduled plans (a first pass over the rows finds which dashboards and looks are in scope).
 */
function scopeFilter(
  vault: Vault,
  options: ExportOptions,
  folders: ReturnType<typeof snapshotFolders>,
): ((row: ExportRow) => boolean) | undefined {
  const values = options.folders;
  if (values === undefined || values.length === 0) return undefined;
  const inScope = new Set(folderFilter(folders, folderPaths(folders), values, true));
  const content = new Set<string>();
  for (const row of iterateExportRows(vault, options.snapshotId, ['dashboard', 'look'])) {
    if (row.folderId !== null && inScope.has(row.folderId)) content.add(`${row.type}:${row.id}`);
  }
  return (row) => {
    if (row.type === 'folder' || row.type === 'folder_access') return inScope.has(row.id);
    if (row.type === 'dashboard' || row.type === 'look') {
      return row.folderId !== null && inScope.has(row.folderId);
    }
    if (row.type === 'scheduled_plan') {
      return (
        (row.dashboardId !== null && content.has(`dashboard:${row.dashboardId}`)) ||
        (row.lookId !== null && content.has(`look:${row.lookId}`))
      );
    }
    return !isScopedType(row.type as ContentType);
  };
}

/**
 * A file the export would write that is not from an earlier export (not in its manifest) and
 * holds something else: never overwritten. Checked for every file before the first is written.
 */
function refuseForeignFiles(
  directory: string,
  entries: readonly ManifestEntry[],
  ours: ReadonlySet<string>,
  format: ExportFormat,
): void {
  for (const entry of entries) {
    if (ours.has(entry.path)) continue;
    const file = path.join(directory, ...entry.path.split('/'));
    let stat;
    try {
      stat = statSync(file);
    } catch {
      continue;
    }
    // A file an interrupted export wrote (same item, before its manifest) is ours to rewrite.
    if (stat.isFile() && looksLikeExportOf(file, entry, format)) continue;
    throw new UsageError(`${file} is in the way: it is not from an earlier export`, {
      hint: 'lookervault never overwrites files it did not write: move it away, or export into an empty directory.',
    });
  }
}

function looksLikeExportOf(file: string, entry: ManifestEntry, format: ExportFormat): boolean {
  try {
    const text = readFileSync(file, 'utf8');
    if (format === 'json') {
      const value = JSON.parse(text) as { id?: unknown };
      return String(value.id) === entry.id;
    }
    return new RegExp(`^id: ["']?${escapeRegExp(entry.id)}["']?$`, 'm').test(text);
  } catch {
    return false;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type WriteOutcome = 'created' | 'updated' | 'unchanged';

/** Writes `text` to `file` unless it holds exactly that already; atomically (temp + rename). */
function writeIfChanged(file: string, text: string, madeDirectories: Set<string>): WriteOutcome {
  const bytes = Buffer.from(text, 'utf8');
  // A stat, not a read that fails: most files of a first export do not exist, and a thrown
  // ENOENT costs more than the write. A file of another size has changed without being read.
  let stat;
  try {
    stat = statSync(file, { throwIfNoEntry: false });
    if (stat?.size === bytes.length && readFileSync(file).equals(bytes)) return 'unchanged';
  } catch (error) {
    throw asExportError(error, file);
  }
  const parent = path.dirname(file);
  try {
    if (!madeDirectories.has(parent)) {
      mkdirSync(parent, { recursive: true });
      madeDirectories.add(parent);
    }
    const temporary = path.join(parent, `.${path.basename(file)}.lookervault-tmp`);
    writeFileSync(temporary, bytes);
    renameSync(temporary, file);
  } catch (error) {
    throw asExportError(error, file);
  }
  return stat === undefined ? 'created' : 'updated';
}

/**
 * The manifest: written in 1 MiB pieces to a temporary file and kept only if its SHA-256 differs
 * from the file there, so its megabytes are never one string.
 */
function writeChunksIfChanged(file: string, chunks: Iterable<string>): WriteOutcome {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.lookervault-tmp`);
  try {
    const fresh = createHash('sha256');
    const fd = openSync(temporary, 'w');
    try {
      let pending = '';
      const flush = (): void => {
        const bytes = Buffer.from(pending, 'utf8');
        fresh.update(bytes);
        writeSync(fd, bytes);
        pending = '';
      };
      for (const chunk of chunks) {
        pending += chunk;
        if (pending.length >= 1024 * 1024) flush();
      }
      flush();
    } finally {
      closeSync(fd);
    }
    const existing = fileHash(file);
    if (existing === fresh.digest('hex')) {
      unlinkSync(temporary);
      return 'unchanged';
    }
    renameSync(temporary, file);
    return existing === undefined ? 'created' : 'updated';
  } catch (error) {
    throw asExportError(error, file);
  }
}

/** The SHA-256 of a file read in pieces, or undefined when there is none. */
function fileHash(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.alloc(1024 * 1024);
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
    }
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

function removeEmptyParents(start: string, root: string): void {
  let current = start;
  while (current.startsWith(`${root}${path.sep}`)) {
    try {
      rmdirSync(current);
    } catch {
      return;
    }
    current = path.dirname(current);
  }
}

function asExportError(error: unknown, file: string): LookervaultError {
  const code = (error as NodeJS.ErrnoException).code;
  return new LookervaultError(`Could not write or remove ${file}: ${(error as Error).message}`, {
    hint:
      code === 'ENOSPC'
        ? 'The disk is full: free some space and export again (files already written are kept).'
        : 'Check the directory’s permissions and free space, then export again.',
    cause: error,
  });
}
