/**
 * What the target instance holds, read before anything is written: light listings (ids and the
 * keys items are matched by) of each type the plan touches, its users' emails, and the API user.
 * Listings page by 1,000 with `sorts=id`; each listing stops after at most `MAX_PAGES` pages.
 */
import type { ApiCaller } from '../looker/client.js';
import { InvalidResponseError } from '../looker/errors.js';
import { text, isObject } from './normalize.js';
import { RESTORE_TYPES, type Json, type RestoreType } from './types.js';

const PAGE = 1000;
const MAX_PAGES = 10_000;

export interface TargetFolder {
  id: string;
  name: string;
  parentId: string | null;
  system: boolean;
  /** For a personal folder: the user it belongs to. */
  personalOf?: string | null;
  createdAt?: string | null;
}

export interface TargetEntry {
  id: string;
  deleted: boolean;
  /** The key it is matched by (slug; folder id + title; title; name + target). */
  key: string;
  /**
   * When the server created it (immutable): what tells a mapped item from another that took its
   * id in a rebuilt instance. Null where the type has none (configuration).
   */
  createdAt?: string | null;
}

type Keyed = Exclude<RestoreType, 'folder'>;

const KEYED: readonly Keyed[] = RESTORE_TYPES.filter((type): type is Keyed => type !== 'folder');

function perType<T>(make: () => T): Record<Keyed, T> {
  return Object.fromEntries(KEYED.map((type) => [type, make()])) as Record<Keyed, T>;
}

export class TargetIndex {
  readonly folders = new Map<string, TargetFolder>();
  readonly #byPath = new Map<string, string>();
  readonly entries: Record<Keyed, Map<string, TargetEntry>> = perType(
    () => new Map<string, TargetEntry>(),
  );
  readonly #byKey: Record<Keyed, Map<string, string>> = perType(() => new Map<string, string>());
  readonly userByEmail = new Map<string, string>();
  readonly userIds = new Set<string>();
  apiUserId = '';
  /** The Shared folder (where LookML dashboards' copies go). */
  sharedRootId: string | null = null;
  /** Requests the reads took. */
  requests = 0;

  constructor(private readonly api: ApiCaller) {}

  async load(types: ReadonlySet<RestoreType>, signal: AbortSignal): Promise<void> {
    const me = await this.api.call('me', (sdk, o) => sdk.me('id', o), signal);
    this.requests += 1;
    this.apiUserId = text((me as Json).id) ?? '';
    const loads: Promise<void>[] = [this.#loadFolders(signal), this.#loadUsers(signal)];
    if (types.has('look')) loads.push(this.#loadLooks(signal));
    if (types.has('dashboard')) loads.push(this.#loadDashboards(signal));
    if (types.has('board')) loads.push(this.#loadBoards(signal));
    if (types.has('scheduled_plan')) loads.push(this.#loadPlans(signal));
    for (const type of [
      'permission_set',
      'model_set',
      'group',
      'role',
      'user_attribute',
    ] as const) {
      if (types.has(type)) loads.push(this.#loadByName(type, signal));
    }
    await Promise.all(loads);
  }

  /** A user's personal folder. */
  personalFolderOf(userId: string): string | undefined {
    for (const folder of this.folders.values()) {
      if (folder.personalOf === userId) return folder.id;
    }
    return undefined;
  }

  folderByPath(path: string): string | undefined {
    return this.#byPath.get(path);
  }

  /** The path of names from the root down to a target folder. */
  folderPath(id: string): string | undefined {
    const names: string[] = [];
    let current: string | null = id;
    for (let depth = 0; current !== null && depth < 1000; depth++) {
      const folder = this.folders.get(current);
      if (!folder) return undefined;
      names.unshift(folder.name);
      current = folder.parentId;
    }
    return names.join('/');
  }

  /** When the target item was created, if the type says. */
  createdAt(type: RestoreType, id: string): string | null {
    if (type === 'folder') return this.folders.get(id)?.createdAt ?? null;
    return this.entries[type].get(id)?.createdAt ?? null;
  }

  byKey(type: Exclude<RestoreType, 'folder'>, key: string): string | undefined {
    return this.#byKey[type].get(key);
  }

  /** Records an item the restore wrote (so later matches see it). */
  remember(type: RestoreType, entry: TargetEntry, folder?: TargetFolder): void {
    if (type === 'folder') {
      if (folder) {
        this.folders.set(folder.id, folder);
        const path = this.folderPath(folder.id);
        if (path !== undefined) this.#byPath.set(path, folder.id);
      }
      return;
    }
    this.entries[type].set(entry.id, entry);
    this.#byKey[type].set(entry.key, entry.id);
  }

  #add(type: Exclude<RestoreType, 'folder'>, entry: TargetEntry): void {
    this.entries[type].set(entry.id, entry);
    // A live item wins its key over one in the trash.
    const existing = this.#byKey[type].get(entry.key);
    if (existing === undefined || this.entries[type].get(existing)?.deleted === true) {
      this.#byKey[type].set(entry.key, entry.id);
    }
  }

  async #pages(
    operation: string,
    fetch: (offset: number) => Promise<unknown>,
    each: (row: Json) => void,
  ): Promise<void> {
    for (let page = 0; page < MAX_PAGES; page++) {
      const rows = await fetch(page * PAGE);
      this.requests += 1;
      if (!Array.isArray(rows)) {
        throw new InvalidResponseError(`${operation}: expected a list`, { operation });
      }
      for (const row of rows) if (isObject(row)) each(row);
      if (rows.length < PAGE) return;
    }
  }

  async #loadFolders(signal: AbortSignal): Promise<void> {
    const rows = await this.api.call(
      'all_folders',
      (sdk, o) =>
        sdk.all_folders(
          'id,name,parent_id,creator_id,created_at,is_shared_root,is_users_root,is_personal,is_embed_shared_root,is_embed_users_root',
          o,
        ),
      signal,
    );
    this.requests += 1;
    for (const row of rows as unknown as Json[]) {
      const id = text(row.id);
      if (id === null) continue;
      if (row.is_shared_root === true) this.sharedRootId ??= id;
      this.folders.set(id, {
        id,
        name: text(row.name) ?? '',
        parentId: text(row.parent_id),
        personalOf: row.is_personal === true ? text(row.creator_id) : null,
        createdAt: text(row.created_at),
        system:
          row.is_shared_root === true ||
          row.is_users_root === true ||
          row.is_personal === true ||
          row.is_embed_shared_root === true ||
          row.is_embed_users_root === true,
      });
    }
    for (const id of this.folders.keys()) {
      const path = this.folderPath(id);
      if (path !== undefined && !this.#byPath.has(path)) this.#byPath.set(path, id);
    }
  }

  async #loadUsers(signal: AbortSignal): Promise<void> {
    await this.#pages(
      'search_users',
      (offset) =>
        this.api.call(
          'search_users',
          (sdk, o) => sdk.search_users({ fields: 'id,email', limit: PAGE, offset, sorts: 'id' }, o),
          signal,
        ),
      (row) => {
        const id = text(row.id);
        if (id === null) return;
        this.userIds.add(id);
        const email = text(row.email);
        if (email) this.userByEmail.set(email.toLowerCase(), id);
      },
    );
  }

  async #loadLooks(signal: AbortSignal): Promise<void> {
    for (const deleted of [false, true]) {
      await this.#pages(
        'search_looks',
        (offset) =>
          this.api.call(
            'search_looks',
            (sdk, o) =>
              sdk.search_looks(
                {
                  fields: 'id,title,folder_id,deleted,created_at',
                  limit: PAGE,
                  offset,
                  sorts: 'id',
                  deleted,
                },
                o,
              ),
            signal,
          ),
        (row) => {
          const id = text(row.id);
          if (id === null) return;
          this.#add('look', {
            id,
            deleted,
            createdAt: text(row.created_at),
            key: lookKey(text(row.folder_id) ?? '', text(row.title) ?? ''),
          });
        },
      );
    }
  }

  async #loadDashboards(signal: AbortSignal): Promise<void> {
    for (const deleted of [false, true]) {
      await this.#pages(
        'search_dashboards',
        (offset) =>
          this.api.call(
            'search_dashboards',
            (sdk, o) =>
              sdk.search_dashboards(
                {
                  fields: 'id,slug,deleted,created_at',
                  limit: PAGE,
                  offset,
                  sorts: 'id',
                  deleted: String(deleted),
                },
                o,
              ),
            signal,
          ),
        (row) => {
          const id = text(row.id);
          if (id === null) return;
          this.#add('dashboard', {
            id,
            deleted,
            key: text(row.slug) ?? `id:${id}`,
            createdAt: text(row.created_at),
          });
        },
      );
    }
  }

  async #loadBoards(signal: AbortSignal): Promise<void> {
    await this.#pages(
      'search_boards',
      (offset) =>
        this.api.call(
          'search_boards',
          (sdk, o) =>
            sdk.search_boards(
              { fields: 'id,title,deleted_at,created_at', limit: PAGE, offset, sorts: 'id' },
              o,
            ),
          signal,
        ),
      (row) => {
        const id = text(row.id);
        if (id === null) return;
        this.#add('board', {
          id,
          deleted: false,
          key: text(row.title) ?? '',
          createdAt: text(row.created_at),
        });
      },
    );
  }

  async #loadByName(
    type: 'permission_set' | 'model_set' | 'group' | 'role' | 'user_attribute',
    signal: AbortSignal,
  ): Promise<void> {
    const add = (row: Json): void => {
      const id = text(row.id);
      if (id !== null) this.#add(type, { id, deleted: false, key: text(row.name) ?? '' });
    };
    if (type === 'group') {
      await this.#pages(
        'search_groups',
        (offset) =>
          this.api.call(
            'search_groups',
            (sdk, o) =>
              sdk.search_groups({ fields: 'id,name', limit: PAGE, offset, sorts: 'id' }, o),
            signal,
          ),
        add,
      );
      return;
    }
    const rows = await BY_NAME[type](this.api, signal);
    this.requests += 1;
    for (const row of rows as unknown as Json[]) add(row);
  }

  async #loadPlans(signal: AbortSignal): Promise<void> {
    await this.#pages(
      'search_scheduled_plans',
      (offset) =>
        this.api.call(
          'search_scheduled_plans',
          (sdk, o) =>
            sdk.search_scheduled_plans(
              {
                fields: 'id,name,look_id,dashboard_id,created_at',
                all_users: true,
                limit: PAGE,
                offset,
                sorts: 'id',
              },
              o,
            ),
          signal,
        ),
      (row) => {
        const id = text(row.id);
        if (id === null) return;
        this.#add('scheduled_plan', {
          id,
          deleted: false,
          createdAt: text(row.created_at),
          key: planKey(text(row.name) ?? '', text(row.look_id), text(row.dashboard_id)),
        });
      },
    );
  }
}

/** Configuration is matched by name (a folder's access by its folder: nothing to list). */
const BY_NAME = {
  permission_set: (api: ApiCaller, signal: AbortSignal) =>
    api.call('all_permission_sets', (sdk, o) => sdk.all_permission_sets('id,name', o), signal),
  model_set: (api: ApiCaller, signal: AbortSignal) =>
    api.call('all_model_sets', (sdk, o) => sdk.all_model_sets('id,name', o), signal),
  role: (api: ApiCaller, signal: AbortSignal) =>
    api.call('all_roles', (sdk, o) => sdk.all_roles({ fields: 'id,name' }, o), signal),
  user_attribute: (api: ApiCaller, signal: AbortSignal) =>
    api.call(
      'all_user_attributes',
      (sdk, o) => sdk.all_user_attributes({ fields: 'id,name' }, o),
      signal,
    ),
} as const;

export function lookKey(folderId: string, title: string): string {
  return `${folderId}\u0000${title}`;
}

export function planKey(name: string, lookId: string | null, dashboardId: string | null): string {
  return `${name}\u0000${lookId ?? ''}\u0000${dashboardId ?? ''}`;
}
