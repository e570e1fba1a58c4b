import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CONTENT_TYPES } from '../content-types.js';
import { UsageError } from '../errors.js';

/**
 * The manifest at the top of an exported tree: what each file holds (type, id) and the SHA-256
 * of the item's canonical JSON (the hash the backup stores), so a tree can be checked and read
 * back. It names the source instance but no snapshot or time: exporting an unchanged backup
 * again must leave every file, the manifest included, byte for byte as it was.
 */

export const MANIFEST_FILE = 'lookervault-manifest.json';
export const MANIFEST_FORMAT = 'lookervault-export';

const entrySchema = z.object({
  path: z.string().min(1),
  type: z.enum(CONTENT_TYPES),
  id: z.string().min(1),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  trashed: z.boolean().optional(),
});

const headerSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(1),
  source: z.string(),
  fileFormat: z.enum(['json', 'yaml']),
  items: z.array(z.unknown()),
});

export type ManifestEntry = z.infer<typeof entrySchema>;
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  source: string;
  fileFormat: 'json' | 'yaml';
  items: ManifestEntry[];
}

/**
 * The manifest's text in pieces (header, then one piece per item), exactly as
 * `JSON.stringify(manifest, null, 2)` would write it whole: 100,000 items are never one string.
 */
export function* manifestChunks(manifest: Manifest): Generator<string> {
  const { items, ...header } = manifest;
  const head = JSON.stringify({ ...header, items: [] }, null, 2);
  if (items.length === 0) {
    yield `${head}\n`;
    return;
  }
  yield `${head.slice(0, head.lastIndexOf('[]'))}[\n`;
  for (let i = 0; i < items.length; i++) {
    const entry = JSON.stringify(items[i], null, 2).replace(/\n/g, '\n    ');
    yield `    ${entry}${i + 1 < items.length ? ',' : ''}\n`;
  }
  yield '  ]\n}\n';
}

/** The manifest of the tree at `directory`, or undefined when there is none. */
export function readManifest(directory: string): Manifest | undefined {
  const file = path.join(directory, MANIFEST_FILE);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`, {
      hint: 'Restore the manifest from version control, or export again into an empty directory.',
    });
  }
  const header = headerSchema.safeParse(parsed);
  if (!header.success) throw notAManifest(file, header.error.issues[0]);
  // Entry by entry: a copy of 100,000 entries at once is what a whole-schema parse would make.
  const items: ManifestEntry[] = [];
  header.data.items.forEach((raw, index) => {
    const entry = entrySchema.safeParse(raw);
    if (!entry.success) throw notAManifest(file, entry.error.issues[0], `items.${String(index)}`);
    if (!isInside(entry.data.path)) {
      throw new UsageError(`${file} names a file outside its tree: ${entry.data.path}`, {
        hint: 'A manifest lists relative paths inside its directory; restore it from version control.',
      });
    }
    items.push(entry.data);
  });
  return { ...header.data, items };
}

function notAManifest(file: string, issue: z.core.$ZodIssue | undefined, at?: string): UsageError {
  const where = [at, ...(issue?.path.map(String) ?? [])].filter(Boolean).join('.');
  return new UsageError(
    `${file} is not a lookervault export manifest (${issue ? `${where}: ${issue.message}` : 'invalid'})`,
    { hint: 'Point at the top directory of a tree made by `lookervault export`.' },
  );
}

/** A relative path that stays inside its directory (no `..`, not absolute). */
function isInside(relative: string): boolean {
  if (path.isAbsolute(relative) || relative.includes('\\')) return false;
  return relative.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}
