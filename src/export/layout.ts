import { CONTENT_TYPE_PLURALS, type ContentType } from '../content-types.js';
import type { FolderNode } from '../store/index.js';
import { collisionKey, safeName } from './names.js';

/**
 * Where each item of a snapshot goes in an exported tree. Looker's folders become directories
 * (`Shared/Marketing/`), each holding `_folder.json` (the folder itself), `_access.json` (who may
 * see or edit it), `dashboards/<slug>` and `looks/<id>-<title>`; types without a folder get a directory of their own at the top
 * (`_boards/`, `_users/`, `_scheduled_plans/`, …); dashboards and looks whose folder the
 * snapshot does not hold go under `_unfiled/`. Our own names start with `_` or are `dashboards`
 * and `looks`: a Looker folder named like one of them, or two sibling folders (or two dashboard
 * slugs) that differ only in case, get ` ~<id>` added, so that no two items ever share a file on
 * any system. The same snapshot always gives the same paths.
 */

export const FOLDER_FILE = '_folder';
/** A folder's access (who may see or edit it), beside the folder. */
export const ACCESS_FILE = '_access';
const CONTENT_DIRECTORIES = new Set(['dashboards', 'looks']);

export interface LayoutItem {
  type: ContentType;
  id: string;
  name: string | null;
  folderId: string | null;
  /** A dashboard's slug (its file name), when it has one. */
  slug?: string | null;
}

export class TreeLayout {
  readonly #directories = new Map<string, string>();
  /** Names taken per directory (case-folded) → the item key that took it. */
  readonly #taken = new Map<string, Map<string, string>>();

  constructor(folders: readonly FolderNode[]) {
    const byParent = new Map<string | null, FolderNode[]>();
    const ids = new Set(folders.map((folder) => folder.id));
    for (const folder of folders) {
      const parent = folder.parentId !== null && ids.has(folder.parentId) ? folder.parentId : null;
      const siblings = byParent.get(parent);
      if (siblings) siblings.push(folder);
      else byParent.set(parent, [folder]);
    }
    const place = (parent: string | null, prefix: string, depth: number): void => {
      const siblings = byParent.get(parent) ?? [];
      const counts = new Map<string, number>();
      for (const folder of siblings) {
        const key = collisionKey(safeName(folder.name));
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const folder of siblings) {
        let name = safeName(folder.name);
        const key = collisionKey(name);
        const ours = name.startsWith('_') || CONTENT_DIRECTORIES.has(key);
        if (ours || (counts.get(key) ?? 0) > 1) name = `${name} ~${safeName(folder.id)}`;
        const directory = `${prefix}${name}`;
        this.#directories.set(folder.id, directory);
        // A cycle in damaged data must not recurse for ever.
        if (depth < 64) place(folder.id, `${directory}/`, depth + 1);
      }
    };
    place(null, '', 0);
  }

  /** A folder's directory ("Shared/Marketing"), or undefined when the snapshot lacks it. */
  directoryOf(folderId: string): string | undefined {
    return this.#directories.get(folderId);
  }

  /** The item's path in the tree, relative, with `/`, without the extension. */
  pathOf(item: LayoutItem): string {
    if (item.type === 'folder' || item.type === 'folder_access') {
      const file = item.type === 'folder' ? FOLDER_FILE : ACCESS_FILE;
      return `${this.#directories.get(item.id) ?? `_unfiled/${safeName(item.id)}`}/${file}`;
    }
    if (item.type === 'dashboard' || item.type === 'look') {
      const folder = item.folderId === null ? undefined : this.#directories.get(item.folderId);
      const directory = `${folder ?? '_unfiled'}/${CONTENT_TYPE_PLURALS[item.type]}`;
      if (item.type === 'dashboard') {
        const name = safeName(item.slug ?? item.id);
        return `${directory}/${this.#claim(directory, name, `${item.type}:${item.id}`)}`;
      }
      return `${directory}/${this.#byId(directory, item)}`;
    }
    const directory = `_${CONTENT_TYPE_PLURALS[item.type]}`;
    return `${directory}/${this.#byId(directory, item)}`;
  }

  /** `<id>-<name>`: a numeric id makes it unique already; another id may need its claim. */
  #byId(directory: string, item: LayoutItem): string {
    const name = `${safeName(item.id)}-${safeName(item.name ?? '')}`;
    return /^\d+$/.test(item.id) ? name : this.#claim(directory, name, `${item.type}:${item.id}`);
  }

  /** The name itself, or, when another item has it already (ignoring case), with ` ~<id>`. */
  #claim(directory: string, name: string, itemKey: string): string {
    let taken = this.#taken.get(directory);
    if (!taken) {
      taken = new Map();
      this.#taken.set(directory, taken);
    }
    const key = collisionKey(name);
    const holder = taken.get(key);
    if (holder === undefined || holder === itemKey) {
      taken.set(key, itemKey);
      return name;
    }
    const id = itemKey.slice(itemKey.indexOf(':') + 1);
    const unique = `${name} ~${safeName(id)}`;
    taken.set(collisionKey(unique), itemKey);
    return unique;
  }
}
