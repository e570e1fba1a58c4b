import type { ContentType } from '../content-types.js';
import { UsageError } from '../errors.js';
import type { ApiCaller } from '../looker/client.js';
import { InvalidResponseError, NotFoundError } from '../looker/errors.js';

/**
 * Folder scope: which folders a scoped run backs up, resolved once from what the user named
 * (ids or paths such as `Shared/Marketing/Weekly`), with every subfolder under `--recursive`.
 * Every request goes through the run's `api` (the gate, retries).
 */

/** The types that live in folders: a scoped run backs up only their items in the scope. */
export const SCOPED_TYPES = [
  'folder',
  'folder_access',
  'look',
  'dashboard',
  'scheduled_plan',
] as const satisfies readonly ContentType[];

export function isScopedType(type: ContentType): boolean {
  return (SCOPED_TYPES as readonly ContentType[]).includes(type);
}

export interface ScopeFolder {
  id: string;
  /** Names from the root, e.g. `Shared/Marketing/Weekly`. */
  path: string;
}

/** A resolved scope, as stored in the run's configuration. */
export interface FolderScope {
  /** The folders as the user named them, in order. */
  named: string[];
  recursive: boolean;
  /** Every folder in the scope (the named ones first), each once. */
  folders: ScopeFolder[];
}

/** How a run's events and summary describe its scope. */
export function scopeSummary(scope: FolderScope): {
  folders: string[];
  recursive: boolean;
  folderCount: number;
} {
  return { folders: scope.named, recursive: scope.recursive, folderCount: scope.folders.length };
}

/** The scope a user asks for, before resolution. */
export interface ScopeRequest {
  folders: string[];
  recursive: boolean;
}

/** Folder ids are digits; anything else is a path. */
export function isFolderId(text: string): boolean {
  return /^\d+$/.test(text);
}

/** Whether a stored scope is what the user asks for now (same folders named, same recursion). */
export function sameScope(scope: FolderScope, request: ScopeRequest): boolean {
  const named = new Set(scope.named);
  return (
    scope.recursive === request.recursive &&
    named.size === new Set(request.folders).size &&
    request.folders.every((folder) => named.has(folder))
  );
}

export function describeScope(scope: Pick<FolderScope, 'named' | 'recursive'>): string {
  return `${scope.named.join(', ')}${scope.recursive ? ' (and subfolders)' : ''}`;
}

interface FolderRow {
  id: string;
  name: string;
  parentId: string | null;
}

/** Children per request when walking the tree. */
const CHILDREN_PAGE = 1000;
/** Far beyond any real folder: a server that never sends a short page cannot loop forever. */
const MAX_CHILD_PAGES = 10_000;
const FOLDER_FIELDS = 'id,name,parent_id';

/** Resolves `request` against the instance; an unknown id or path is a UsageError naming it. */
export async function resolveScope(
  api: ApiCaller,
  request: ScopeRequest,
  signal?: AbortSignal,
): Promise<FolderScope> {
  const resolver = new ScopeResolver(api, signal);
  const named = await Promise.all(request.folders.map((text) => resolver.resolve(text)));
  const folders = new Map<string, ScopeFolder>();
  for (const folder of named) if (!folders.has(folder.id)) folders.set(folder.id, folder);
  if (request.recursive) {
    let level = [...folders.values()];
    while (level.length > 0) {
      const children = await Promise.all(
        level.map(async (parent) =>
          (await resolver.children(parent.id)).map((child) => ({
            id: child.id,
            path: `${parent.path}/${child.name}`,
          })),
        ),
      );
      level = [];
      for (const child of children.flat()) {
        if (folders.has(child.id)) continue;
        folders.set(child.id, child);
        level.push(child);
      }
    }
  }
  return {
    named: [...request.folders],
    recursive: request.recursive,
    folders: [...folders.values()],
  };
}

class ScopeResolver {
  constructor(
    private readonly api: ApiCaller,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async resolve(text: string): Promise<ScopeFolder> {
    return isFolderId(text) ? this.byId(text) : this.byPath(text);
  }

  /** The live subfolders of `parentId`, every page. */
  async children(parentId: string): Promise<FolderRow[]> {
    const rows: FolderRow[] = [];
    for (let page = 0; page < MAX_CHILD_PAGES; page++) {
      const batch = await this.search({
        parent_id: parentId,
        limit: CHILDREN_PAGE,
        offset: page * CHILDREN_PAGE,
      });
      rows.push(...batch);
      if (batch.length < CHILDREN_PAGE) break;
    }
    return rows;
  }

  private async byId(id: string): Promise<ScopeFolder> {
    let folder: FolderRow;
    try {
      folder = folderRow(
        await this.api.call(
          'folder',
          (sdk, options) => sdk.folder(id, FOLDER_FIELDS, options),
          this.signal,
        ),
        'folder',
      );
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      throw new UsageError(`There is no folder with id ${id}`, {
        hint: 'Name it by id (as in its URL, /folders/<id>) or by path, e.g. "Shared/Marketing".',
      });
    }
    const ancestors = await this.api.call(
      'folder_ancestors',
      (sdk, options) => sdk.folder_ancestors(id, FOLDER_FIELDS, options),
      this.signal,
    );
    const byId = new Map<string, FolderRow>();
    if (Array.isArray(ancestors)) {
      for (const value of ancestors as unknown[]) {
        const row = folderRow(value, 'folder_ancestors');
        byId.set(row.id, row);
      }
    }
    // Walked by parent links: the order the server lists ancestors in does not matter.
    const names = [folder.name];
    for (let at = folder.parentId; at !== null;) {
      const parent = byId.get(at);
      if (!parent || names.length > byId.size + 1) break;
      names.unshift(parent.name);
      at = parent.parentId;
    }
    return { id, path: names.join('/') };
  }

  private async byPath(text: string): Promise<ScopeFolder> {
    const segments = text.split('/');
    if (segments.some((segment) => segment.trim() === '')) {
      const meant = segments.filter((segment) => segment.trim() !== '').join('/');
      throw new UsageError(`"${text}" is not a folder path`, {
        hint:
          meant === ''
            ? 'A path is folder names from a root, e.g. "Shared/Marketing" or "Users/Jane Doe".'
            : `Did you mean "${meant}"? A path has no leading, trailing or double slash.`,
      });
    }
    const [rootName, ...rest] = segments as [string, ...string[]];
    const roots = await this.roots();
    // Walked exactly; a name that matches only in another case is followed too, so the hint can
    // give the whole path as it is spelled.
    let current = pick(roots, rootName);
    if (!current) {
      throw new UsageError(`There is no folder "${text}"`, {
        hint: `A path starts at a root folder: ${roots.map((root) => `"${root.name}"`).join(' or ')}.`,
      });
    }
    const walked = [current.name];
    for (const name of rest) {
      const children = await this.children(current.id);
      const found = pick(children, name);
      if (!found) throw notFound(walked, name, children);
      walked.push(found.name);
      current = found;
    }
    const path = walked.join('/');
    if (path !== text) {
      throw new UsageError(`There is no folder "${text}"`, {
        hint: `Did you mean "${path}"? Folder names are case-sensitive.`,
      });
    }
    return { id: current.id, path };
  }

  private async roots(): Promise<FolderRow[]> {
    const [shared, users] = await Promise.all([
      this.search({ is_shared_root: true }),
      this.search({ is_users_root: true }),
    ]);
    return [...shared, ...users];
  }

  private async search(filter: {
    parent_id?: string;
    is_shared_root?: boolean;
    is_users_root?: boolean;
    limit?: number;
    offset?: number;
  }): Promise<FolderRow[]> {
    const value = await this.api.call(
      'search_folders',
      (sdk, options) =>
        sdk.search_folders({ fields: FOLDER_FIELDS, sorts: 'id', ...filter }, options),
      this.signal,
    );
    if (!Array.isArray(value)) {
      throw new InvalidResponseError('search_folders: expected a JSON array.', {
        operation: 'search_folders',
      });
    }
    return (value as unknown[]).map((item) => folderRow(item, 'search_folders'));
  }
}

/**
 * The folder named `name` among `folders`: the exact name, else the one name that differs only
 * in case. Two folders with the exact name are ambiguous: the user names one by id.
 */
function pick(folders: FolderRow[], name: string): FolderRow | undefined {
  const exact = folders.filter((folder) => folder.name === name);
  if (exact.length > 1) {
    throw new UsageError(
      `"${name}" names ${exact.length} folders (ids ${exact.map((folder) => folder.id).join(', ')})`,
      { hint: 'Name the one you mean by its id.' },
    );
  }
  if (exact[0]) return exact[0];
  const caseless = folders.filter((folder) => folder.name.toLowerCase() === name.toLowerCase());
  return caseless.length === 1 ? caseless[0] : undefined;
}

function notFound(walked: string[], name: string, children: FolderRow[]): UsageError {
  const where = walked.join('/');
  const names = children.map((child) => `"${child.name}"`);
  return new UsageError(`There is no folder "${name}" in "${where}"`, {
    hint:
      names.length === 0
        ? `"${where}" has no subfolders.`
        : `Its subfolders: ${names.slice(0, 8).join(', ')}${names.length > 8 ? `, … (${names.length})` : ''}.`,
  });
}

function folderRow(value: unknown, operation: string): FolderRow {
  const row = value as { id?: unknown; name?: unknown; parent_id?: unknown } | null;
  const id = typeof row?.id === 'number' ? String(row.id) : row?.id;
  if (typeof id !== 'string' || id === '' || typeof row?.name !== 'string') {
    throw new InvalidResponseError(`${operation}: a folder without a string id and name.`, {
      operation,
    });
  }
  const parent = row.parent_id;
  return {
    id,
    name: row.name,
    parentId: typeof parent === 'string' || typeof parent === 'number' ? String(parent) : null,
  };
}

/**
 * Scheduled plans in a scope: those of its dashboards and looks. Plans have no folder, and
 * asking for each dashboard's plans would cost a request per dashboard, so the plans are listed
 * whole (a few pages: they are small) and kept when they show scoped content.
 */
export function planInScope(
  dashboards: ReadonlySet<string>,
  looks: ReadonlySet<string>,
): (item: unknown) => boolean {
  return (item) => {
    const plan = item as { dashboard_id?: unknown; look_id?: unknown } | null;
    const dashboard = idText(plan?.dashboard_id);
    const look = idText(plan?.look_id);
    return (
      (dashboard !== undefined && dashboards.has(dashboard)) ||
      (look !== undefined && looks.has(look))
    );
  };
}

/** An id as text (ids are strings; a number is tolerated), else undefined. */
function idText(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/** The ids of the scope's scheduled plans (reconciliation), from one light listing of all plans. */
export async function scopedPlanIds(
  api: ApiCaller,
  inScope: (item: unknown) => boolean,
  signal?: AbortSignal,
): Promise<string[]> {
  const value = await api.call(
    'all_scheduled_plans',
    (sdk, options) =>
      sdk.all_scheduled_plans({ fields: 'id,dashboard_id,look_id', all_users: true }, options),
    signal,
  );
  if (!Array.isArray(value)) {
    throw new InvalidResponseError('all_scheduled_plans: expected a JSON array.', {
      operation: 'all_scheduled_plans',
    });
  }
  return (value as unknown[]).filter(inScope).flatMap((item) => {
    const id = (item as { id?: unknown } | null)?.id;
    return typeof id === 'string' || typeof id === 'number' ? [String(id)] : [];
  });
}
