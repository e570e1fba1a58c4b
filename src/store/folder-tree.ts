import { UsageError } from '../errors.js';
import type { FolderNode } from './listing.js';

/**
 * A snapshot's folders as paths ("Shared/Marketing/Weekly"), and `--folder`/`--folders` values
 * (ids or paths) turned into folder ids, with their subfolders when asked: `list` and `export`
 * read a backup's folders the same way.
 */

/** Every folder's path from its root, by the snapshot's folders. */
export function folderPaths(folders: readonly FolderNode[]): Map<string, string> {
  const byId = new Map(folders.map((folder) => [folder.id, folder]));
  const paths = new Map<string, string>();
  const pathOf = (id: string, depth = 0): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const folder = byId.get(id);
    if (!folder) return id;
    const parent =
      folder.parentId === null || depth > 100 || !byId.has(folder.parentId)
        ? ''
        : `${pathOf(folder.parentId, depth + 1)}/`;
    const path = `${parent}${folder.name}`;
    paths.set(id, path);
    return path;
  };
  for (const folder of folders) pathOf(folder.id);
  return paths;
}

/** Each folder's children ids. */
export function folderChildren(folders: readonly FolderNode[]): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const folder of folders) {
    if (folder.parentId === null) continue;
    const siblings = children.get(folder.parentId);
    if (siblings) siblings.push(folder.id);
    else children.set(folder.parentId, [folder.id]);
  }
  return children;
}

/** Folder ids for folder values (ids or paths), with subfolders when recursive. */
export function folderFilter(
  folders: readonly FolderNode[],
  paths: ReadonlyMap<string, string>,
  values: readonly string[],
  recursive: boolean,
): string[] {
  const ids = new Set<string>();
  for (const value of values) {
    if (/^\d+$/.test(value)) {
      ids.add(value);
      continue;
    }
    const exact = [...paths].filter(([, path]) => path === value).map(([id]) => id);
    if (exact.length === 0) {
      const meant = [...paths.values()].find(
        (path) => path.toLowerCase() === value.replace(/^\/+|\/+$/g, '').toLowerCase(),
      );
      throw new UsageError(`The snapshot holds no folder "${value}"`, {
        hint: meant
          ? `Did you mean "${meant}"? Paths are folder names from a root, as Looker spells them.`
          : 'A path is folder names from a root, e.g. "Shared/Marketing"; `list folders` shows them.',
      });
    }
    for (const id of exact) ids.add(id);
  }
  if (recursive) {
    const children = folderChildren(folders);
    const queue = [...ids];
    while (queue.length > 0) {
      for (const child of children.get(queue.pop() ?? '') ?? []) {
        if (!ids.has(child)) {
          ids.add(child);
          queue.push(child);
        }
      }
    }
  }
  return [...ids];
}
