import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load as yamlLoad } from 'js-yaml';
import { UsageError } from '../errors.js';
import { canonicalJson, contentHash } from '../store/index.js';
import { readManifest } from './manifest.js';

/**
 * An exported tree read back (for `restore --from-dir`): each file the manifest names, parsed
 * (JSON or YAML by its extension) and put back in canonical form. A file edited since the export
 * (in a pull request, say) is taken as it is now and reported; one that was deleted is left out
 * and reported; one that no longer parses is an error naming it.
 */

export interface TreeItem {
  type: string;
  id: string;
  /** Canonical JSON, as the backup stores content. */
  json: string;
  trashed: boolean;
}

export interface ExportedTree {
  directory: string;
  /** The instance the tree was exported from (as `id_map` keys instances). */
  source: string;
  items: TreeItem[];
  /** Files whose content no longer has the manifest's hash. */
  edited: string[];
  /** Files the manifest names that are gone. */
  missing: string[];
}

export function readExportedTree(directory: string): ExportedTree {
  const root = path.resolve(directory);
  const manifest = readManifest(root);
  if (!manifest) {
    throw new UsageError(`${root} holds no lookervault-manifest.json`, {
      hint: 'Point --from-dir at the top of a tree made by `lookervault export`.',
    });
  }
  const items: TreeItem[] = [];
  const edited: string[] = [];
  const missing: string[] = [];
  for (const entry of manifest.items) {
    const file = path.join(root, ...entry.path.split('/'));
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        missing.push(entry.path);
        continue;
      }
      throw new UsageError(`Could not read ${file}: ${(error as Error).message}`, {
        hint: 'Check the tree’s permissions.',
      });
    }
    let value: unknown;
    try {
      value = /\.ya?ml$/i.test(entry.path) ? yamlLoad(text) : JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${file} does not parse: ${(error as Error).message}`, {
        hint: 'Fix the file (or check it out again from version control) and run the restore again.',
      });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new UsageError(`${file} does not hold a JSON object`, {
        hint: 'Each file of an exported tree holds one item; check it out again from version control.',
      });
    }
    const json = canonicalJson(value);
    if (contentHash(json) !== entry.hash) edited.push(entry.path);
    items.push({ type: entry.type, id: entry.id, json, trashed: entry.trashed === true });
  }
  return { directory: root, source: manifest.source, items, edited, missing };
}
