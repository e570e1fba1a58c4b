/**
 * Carrying out a plan: the request sequence per type (docs/restore.md), level by level —
 * folders (parents first), looks, dashboards, boards, scheduled plans — each level's items
 * shared by N worker loops through the run's one gate. An item whose dependency failed is
 * skipped with the reason; a failure of one item never stops the others (dead-letter), but a
 * rejected login or a missing permission (403) stops the run: nothing else could succeed.
 *
 * Crash safety: the journal records the intent (and the key the item will be found by) before
 * every create, and the mapping right after the answer, before any of the item's parts are
 * written. A restore killed anywhere and run again finds the item through the mapping or its
 * key, and updates it instead of creating a second one.
 */
import { createHash } from 'node:crypto';
import { AuthError, LookervaultError, RequestAbortedError } from '../errors.js';
import { PermissionType, type IContentMetaGroupUser, type IWriteUserAttribute } from '@looker/sdk';
import type { ApiCaller } from '../looker/client.js';
import { REGISTRY } from '../looker/registry.js';
import { ClientRequestError, LookerApiError, isRetryable } from '../looker/errors.js';
import type { RestoreJournal } from '../store/restore-journal.js';
import {
  array,
  boardBody,
  boardItemBody,
  canonical,
  comparable,
  dashboardBody,
  elementBody,
  filterBody,
  folderAccessForm,
  folderBody,
  groupValuesBody,
  groupBody,
  identity,
  inheritsAccess,
  isObject,
  lookBody,
  modelSetBody,
  permissionSetBody,
  roleBody,
  orderedElements,
  orderedItems,
  orderedSections,
  planBody,
  principalOf,
  mergeBody,
  queryBody,
  sectionBody,
  text,
  userAttributeBody,
  type IdMapper,
} from './normalize.js';
import type { PlanningState } from './planner.js';
import { lookKey } from './target.js';
import {
  RESTORE_TYPES,
  refKey,
  type Json,
  type PlannedItem,
  type RestoreItemResult,
  type RestoreType,
} from './types.js';

/** One item could not be restored; the message says why (the server's words when it has them). */
export class ItemRestoreError extends LookervaultError {
  override readonly code = 'restore_item';
}

export interface ExecutorContext {
  api: ApiCaller;
  once: ApiCaller;
  journal: RestoreJournal;
  state: PlanningState;
  workers: number;
  maxRetries: number;
  signal: AbortSignal;
  onItem: (result: RestoreItemResult) => void;
  onStart: (item: PlannedItem) => void;
}

export async function executePlan(context: ExecutorContext): Promise<RestoreItemResult[]> {
  const { state } = context;
  const results = new Map<string, RestoreItemResult>();
  const levels = levelsOf(state.plan.items);
  for (const level of levels) {
    let next = 0;
    let fatal: Error | undefined;
    const loop = async (): Promise<void> => {
      while (next < level.length && fatal === undefined) {
        const item = level[next++] as PlannedItem;
        if (context.signal.aborted) return;
        try {
          const result = await restoreOne(item, results, context);
          results.set(refKey({ type: item.type, id: item.sourceId }), result);
          context.onItem(result);
        } catch (error) {
          fatal ??= error instanceof Error ? error : new Error(String(error));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, context.workers) }, loop));
    if (fatal !== undefined) throw fatal;
    if (context.signal.aborted) break;
  }
  return [...results.values()];
}

/** Levels in dependency order: folders by depth, then each other type. */
function levelsOf(items: readonly PlannedItem[]): PlannedItem[][] {
  const levels = new Map<string, PlannedItem[]>();
  for (const item of items) {
    const key = `${String(RESTORE_TYPES.indexOf(item.type)).padStart(2, '0')}:${String(item.depth).padStart(4, '0')}`;
    const level = levels.get(key) ?? [];
    level.push(item);
    levels.set(key, level);
  }
  return [...levels.keys()].sort().map((key) => levels.get(key) as PlannedItem[]);
}

async function restoreOne(
  item: PlannedItem,
  results: ReadonlyMap<string, RestoreItemResult>,
  context: ExecutorContext,
): Promise<RestoreItemResult> {
  const { journal } = context;
  const result = (
    outcome: RestoreItemResult['outcome'],
    targetId: string | null,
    error: string | null,
  ): RestoreItemResult => ({
    type: item.type,
    sourceId: item.sourceId,
    title: item.title,
    action: item.action,
    outcome,
    targetId,
    error,
  });
  for (const dependency of item.dependsOn) {
    const done = results.get(refKey(dependency));
    if (done && done.outcome !== 'done') {
      const why = `${dependency.type} ${dependency.id} it depends on was not restored`;
      journal.skipped(item.type, item.sourceId, why);
      return result('skipped', null, why);
    }
    if (context.state.map(dependency.type, dependency.id) === undefined) {
      const why = `${dependency.type} ${dependency.id} it depends on is not in the target`;
      journal.failed(item.type, item.sourceId, why);
      return result('failed', null, why);
    }
  }
  if (item.action === 'skip') {
    journal.done(item.type, item.sourceId, item.targetId);
    return result('done', item.targetId, null);
  }
  context.onStart(item);
  try {
    const targetId = await write(item, context);
    journal.done(item.type, item.sourceId, targetId);
    return result('done', targetId, null);
  } catch (error) {
    if (isFatal(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    journal.failed(item.type, item.sourceId, message);
    return result('failed', null, message);
  }
}

/** Errors after which no other write can succeed either. */
function isFatal(error: unknown): boolean {
  if (error instanceof AuthError || error instanceof RequestAbortedError) return true;
  if (error instanceof ClientRequestError && error.status === 403) return true;
  return !(error instanceof LookerApiError || error instanceof ItemRestoreError);
}

// ── per type ─────────────────────────────────────────────────────────────────────────────

async function write(item: PlannedItem, context: ExecutorContext): Promise<string> {
  switch (item.type) {
    case 'folder':
      return writeFolder(item, context);
    case 'look':
      return writeLook(item, context);
    case 'dashboard':
      return writeDashboard(item, context);
    case 'board':
      return writeBoard(item, context);
    case 'scheduled_plan':
      return writePlan(item, context);
    case 'permission_set':
    case 'model_set':
    case 'group':
    case 'role':
      return writeConfiguration(item, context);
    case 'user_attribute':
      return writeUserAttribute(item, context);
    case 'folder_access':
      return writeFolderAccess(item, context);
  }
}

/**
 * A user attribute: created or updated (matched by name), then the values groups give it, all
 * set in one request when they differ (the request replaces them all: a rerun repeats it
 * harmlessly).
 */
async function writeUserAttribute(item: PlannedItem, context: ExecutorContext): Promise<string> {
  const { api, signal, state } = context;
  const map = mapperOf(context);
  const body = userAttributeBody(item.content);
  const values = groupValuesBody(item.content, map);
  for (const value of values) requireMapped(value, ['group_id']);
  let targetId: string;
  if (item.action === 'update' && item.targetId !== null) {
    const id = item.targetId;
    targetId = id;
    await api.call(
      'update_user_attribute',
      (sdk, o) => sdk.update_user_attribute(id, attributeWrite(body), 'id', o),
      signal,
    );
  } else {
    if (item.action === 'copy') {
      // Names are lowercase words and unique; labels unique too.
      body.name = `${text(body.name) ?? ''}_restored_copy`;
      body.label = `${text(body.label) ?? ''} (restored copy)`;
    }
    const key = text(body.name) ?? '';
    context.journal.intend(item.type, item.sourceId, key);
    targetId = await create(
      context,
      'create_user_attribute',
      (caller) =>
        caller.call(
          'create_user_attribute',
          (sdk, o) => sdk.create_user_attribute(attributeWrite(body), 'id', o),
          signal,
        ),
      () => Promise.resolve(state.target.byKey('user_attribute', key)),
    );
    record(item, targetId, context);
    state.target.remember('user_attribute', { id: targetId, deleted: false, key });
  }
  const current =
    item.action === 'update' ? groupValuesBody(item.targetContent ?? {}, identity) : [];
  if (canonical(values) !== canonical(current)) {
    const rows = values.map((value, i) => ({ ...value, rank: i + 1 }));
    await api.call(
      'set_user_attribute_group_values',
      (sdk, o) =>
        sdk.set_user_attribute_group_values(
          targetId,
          rows as Parameters<typeof sdk.set_user_attribute_group_values>[1],
          o,
        ),
      signal,
    );
  }
  return targetId;
}

/** A user attribute's body in the SDK's shape (name, label and type are required). */
function attributeWrite(body: Json): IWriteUserAttribute {
  return { ...body, name: text(body.name), label: text(body.label), type: text(body.type) };
}

/**
 * Who may see or edit a folder, made as the backup says: `inherits` first, then each group's
 * or user's row created, or its permission updated. The target's access is read again first
 * (its folder may be new), so a rerun after a crash finds the rows it made and makes no second
 * one. Rows the target has for others are kept: a restore deletes nothing.
 */
async function writeFolderAccess(item: PlannedItem, context: ExecutorContext): Promise<string> {
  const { api, signal } = context;
  const map = mapperOf(context);
  const folderId = map('folder', item.sourceId);
  if (folderId === undefined) {
    throw new ItemRestoreError(`its folder ${item.sourceId} is not in the target`, {
      hint: 'Restore the folder too (drop --types, or add folders to it).',
    });
  }
  const wanted = folderAccessForm(item.content, map);
  const wantedRows = array(wanted.access);
  for (const row of wantedRows) requireMapped(row, ['group_id']);
  const read = async (): Promise<{ metadataId: string; inherits: boolean; rows: Json[] }> => {
    const current = (await REGISTRY.folder_access.fetchById(api, folderId, signal)) as Json;
    const metadataId = isObject(current.content_metadata)
      ? text(current.content_metadata.id)
      : null;
    if (metadataId === null) {
      throw new ItemRestoreError(`the target gave folder ${folderId} no content metadata`, {
        hint: 'Check the folder in Looker, then `restore --retry-failed`.',
      });
    }
    return { metadataId, inherits: inheritsAccess(current), rows: array(current.access) };
  };
  let current = await read();
  const metadataId = current.metadataId;
  if (wanted.inherits !== current.inherits) {
    await api.call(
      'update_content_metadata',
      (sdk, o) =>
        sdk.update_content_metadata(metadataId, { inherits: wanted.inherits === true }, o),
      signal,
    );
    // Rows it has of its own now (none, or a copy of what it inherited).
    if (wanted.inherits !== true) current = await read();
  }
  if (wanted.inherits === true) return folderId;
  const existing = new Map(current.rows.map((row) => [principalOf(row), row]));
  for (const row of wantedRows) {
    const permission =
      text(row.permission_type) === 'edit' ? PermissionType.edit : PermissionType.view;
    const found = existing.get(principalOf(row));
    if (found !== undefined) {
      const rowId = text(found.id);
      if (rowId === null || text(found.permission_type) === permission) continue;
      await api.call(
        'update_content_metadata_access',
        (sdk, o) => sdk.update_content_metadata_access(rowId, { permission_type: permission }, o),
        signal,
      );
      continue;
    }
    const body: Partial<IContentMetaGroupUser> = {
      content_metadata_id: metadataId,
      permission_type: permission,
      ...(text(row.group_id) !== null
        ? { group_id: text(row.group_id) }
        : { user_id: text(row.user_id) }),
    };
    try {
      await api.call(
        'create_content_metadata_access',
        (sdk, o) => sdk.create_content_metadata_access(body, undefined, o),
        signal,
      );
    } catch (error) {
      // 409: that group or user has a row already (made by an earlier, interrupted restore).
      if (!(error instanceof ClientRequestError && error.status === 409)) throw error;
    }
  }
  return folderId;
}

/**
 * Permission sets, model sets, groups and roles: one create or update each, matched by name.
 * A role's sets go through the mapping (they are written first).
 */
async function writeConfiguration(item: PlannedItem, context: ExecutorContext): Promise<string> {
  const { api, signal, state } = context;
  const map = mapperOf(context);
  const type = item.type as 'permission_set' | 'model_set' | 'group' | 'role';
  const body: Json =
    type === 'group'
      ? groupBody(item.content)
      : type === 'permission_set'
        ? permissionSetBody(item.content)
        : type === 'model_set'
          ? modelSetBody(item.content)
          : roleBody(item.content, map);
  requireMapped(body, ['permission_set_id', 'model_set_id']);
  const name = text(body.name) ?? '';
  if ((item.action === 'update' || item.action === 'undelete') && item.targetId !== null) {
    const id = item.targetId;
    await CONFIG_WRITES[type].update(api, id, body, signal);
    return id;
  }
  if (item.action === 'copy') body.name = `${name} (restored copy)`;
  const key = text(body.name) ?? '';
  context.journal.intend(item.type, item.sourceId, key);
  const targetId = await create(
    context,
    `create_${type}`,
    (caller) => CONFIG_WRITES[type].create(caller, body, signal),
    () => Promise.resolve(state.target.byKey(type, key)),
  );
  record(item, targetId, context);
  state.target.remember(type, { id: targetId, deleted: false, key });
  return targetId;
}

type Writes = {
  create: (api: ApiCaller, body: Json, signal: AbortSignal) => Promise<unknown>;
  update: (api: ApiCaller, id: string, body: Json, signal: AbortSignal) => Promise<unknown>;
};

const CONFIG_WRITES: Record<'permission_set' | 'model_set' | 'group' | 'role', Writes> = {
  permission_set: {
    create: (api, body, signal) =>
      api.call('create_permission_set', (sdk, o) => sdk.create_permission_set(body, o), signal),
    update: (api, id, body, signal) =>
      api.call('update_permission_set', (sdk, o) => sdk.update_permission_set(id, body, o), signal),
  },
  model_set: {
    create: (api, body, signal) =>
      api.call('create_model_set', (sdk, o) => sdk.create_model_set(body, o), signal),
    update: (api, id, body, signal) =>
      api.call('update_model_set', (sdk, o) => sdk.update_model_set(id, body, o), signal),
  },
  group: {
    create: (api, body, signal) =>
      api.call('create_group', (sdk, o) => sdk.create_group(body, 'id', o), signal),
    update: (api, id, body, signal) =>
      api.call('update_group', (sdk, o) => sdk.update_group(id, body, 'id', o), signal),
  },
  role: {
    create: (api, body, signal) =>
      api.call('create_role', (sdk, o) => sdk.create_role(body, o), signal),
    update: (api, id, body, signal) =>
      api.call('update_role', (sdk, o) => sdk.update_role(id, body, o), signal),
  },
};

function mapperOf(context: ExecutorContext): IdMapper {
  return context.state.map;
}

/** The target user who owns what is created: the owner by email, else the API user. */
function ownerOf(item: PlannedItem, context: ExecutorContext): string {
  const { state } = context;
  const owner = text(item.content.user_id);
  if (owner !== null) {
    const email = state.userEmails.get(owner);
    const byEmail = email === undefined ? undefined : state.target.userByEmail.get(email);
    if (byEmail !== undefined) return byEmail;
    if (state.plan.sameInstance && state.target.userIds.has(owner)) return owner;
  }
  return state.target.apiUserId;
}

function idOf(value: unknown, operation: string): string {
  const id = isObject(value) ? text(value.id) : null;
  if (id === null) {
    throw new ItemRestoreError(`${operation} answered without an id`, {
      hint: 'The target did not say what it created: check it in Looker, then `restore --retry-failed` (the restore finds what it made before creating again).',
    });
  }
  return id;
}

/**
 * The `created_at` each create's answer gave, by target id, until the mapping is recorded
 * (right after the create, with no wait in between).
 */
const createdAts = new WeakMap<ExecutorContext, Map<string, string>>();

function createdAtOf(context: ExecutorContext): Map<string, string> {
  let map = createdAts.get(context);
  if (!map) createdAts.set(context, (map = new Map<string, string>()));
  return map;
}

/**
 * A create that is never sent twice blindly: when its answer is lost (timeout, reset, 5xx),
 * `find` looks for what it may have made before trying again.
 */
async function create(
  context: ExecutorContext,
  operation: string,
  send: (api: ApiCaller) => Promise<unknown>,
  find: () => Promise<string | undefined>,
): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await send(context.once);
      const id = idOf(answer, operation);
      const createdAt = isObject(answer) ? text(answer.created_at) : null;
      if (createdAt !== null) createdAtOf(context).set(id, createdAt);
      return id;
    } catch (error) {
      if (!isRetryable(error) || attempt >= context.maxRetries) throw error;
      const found = await find();
      if (found !== undefined) return found;
    }
  }
}

/** A reference the target cannot resolve fails the item with a clear reason, not a 422. */
function requireMapped(body: Json, fields: readonly string[]): void {
  for (const field of fields) {
    const value = text(body[field]);
    if (value?.startsWith('unmapped:')) {
      const type = field.replace(/_id$/, '');
      throw new ItemRestoreError(
        `it refers to ${type} ${value.slice('unmapped:'.length)}, which is neither in the target nor restorable from this snapshot (deleted, or in the trash, when the snapshot was taken)`,
        { hint: `Restore that ${type} from an older snapshot first, or edit this item in Looker.` },
      );
    }
  }
}

function record(item: PlannedItem, targetId: string, context: ExecutorContext): void {
  const createdAt = createdAtOf(context).get(targetId) ?? null;
  createdAtOf(context).delete(targetId);
  context.state.mapping.set(refKey({ type: item.type, id: item.sourceId }), targetId);
  context.journal.mapped(item.type, item.sourceId, targetId, createdAt);
}

async function writeFolder(item: PlannedItem, context: ExecutorContext): Promise<string> {
  const { api, signal, state } = context;
  const body = folderBody(item.content, mapperOf(context));
  requireMapped(body, ['parent_id']);
  if (item.action === 'update' && item.targetId !== null) {
    const targetId = item.targetId;
    await api.call('update_folder', (sdk, o) => sdk.update_folder(targetId, body, o), signal);
    return targetId;
  }
  const parentId = text(body.parent_id) ?? '';
  const find = async (): Promise<string | undefined> => {
    const rows = await api.call(
      'search_folders',
      (sdk, o) =>
        sdk.search_folders({ parent_id: parentId, name: String(body.name), fields: 'id' }, o),
      signal,
    );
    return rows.length > 0 ? (text((rows[0] as unknown as Json).id) ?? undefined) : undefined;
  };
  context.journal.intend(item.type, item.sourceId, item.stableKey);
  let targetId: string;
  try {
    targetId = await create(
      context,
      'create_folder',
      (caller) => caller.call('create_folder', (sdk, o) => sdk.create_folder(body, o), signal),
      find,
    );
  } catch (error) {
    // 409: a folder of that name is already there (made by an earlier, interrupted restore).
    if (!(error instanceof ClientRequestError && error.status === 409)) throw error;
    const found = await find();
    if (found === undefined) throw error;
    targetId = found;
  }
  record(item, targetId, context);
  state.target.remember(
    'folder',
    { id: targetId, deleted: false, key: '' },
    { id: targetId, name: String(body.name), parentId, system: false },
  );
  return targetId;
}

async function newQuery(query: unknown, context: ExecutorContext): Promise<string> {
  if (!isObject(query)) {
    throw new ItemRestoreError('its query is missing from the backup', {
      hint: 'Run `lookervault extract --full` to store the item again with its queries, then restore it.',
    });
  }
  const body = queryBody(query);
  // A query is immutable and unowned: creating one twice after a lost answer is harmless.
  const created = await context.api.call(
    'create_query',
    (sdk, o) => sdk.create_query(body, 'id', o),
    context.signal,
  );
  return idOf(created, 'create_query');
}

/**
 * A merged-results tile's merge: its source queries first (each a new query), then the merge
 * naming them. Like queries, a merge is immutable and unowned: one created twice is harmless.
 */
async function newMergeQuery(merge: Json, context: ExecutorContext): Promise<string> {
  const queryIds = await Promise.all(
    array(merge.source_queries).map((source) => newQuery(source.query, context)),
  );
  const body = mergeBody(merge, queryIds);
  const created = await context.api.call(
    'create_merge_query',
    (sdk, o) =>
      sdk.create_merge_query(body as Parameters<typeof sdk.create_merge_query>[0], 'id', o),
    context.signal,
  );
  return idOf(created, 'create_merge_query');
}

async function writeLook(item: PlannedItem, context: ExecutorContext): Promise<string> {
  const { api, signal, state } = context;
  const body = lookBody(item.content, mapperOf(context));
  requireMapped(body, ['folder_id']);
  if (item.action === 'undelete' && item.targetId !== null) {
    const targetId = item.targetId;
    await api.call(
      'update_look',
      (sdk, o) => sdk.update_look(targetId, { deleted: false }, 'id', o),
      signal,
    );
    if (!differs(item, context)) return targetId;
  }
  const queryId = await newQuery(item.content.query, context);
  if ((item.action === 'update' || item.action === 'undelete') && item.targetId !== null) {
    const targetId = item.targetId;
    await api.call(
      'update_look',
      (sdk, o) => sdk.update_look(targetId, { ...body, query_id: queryId }, 'id', o),
      signal,
    );
    return targetId;
  }
  const title = item.action === 'copy' ? `${text(body.title) ?? ''} (restored copy)` : body.title;
  const folderId = text(body.folder_id) ?? '';
  const key = lookKey(folderId, text(title) ?? '');
  const createBody: Json = { ...body, title, query_id: queryId, user_id: ownerOf(item, context) };
  const find = async (): Promise<string | undefined> => {
    const rows = await api.call(
      'search_looks',
      (sdk, o) =>
        sdk.search_looks({ folder_id: folderId, title: text(title) ?? '', fields: 'id' }, o),
      signal,
    );
    return rows.length > 0 ? (text((rows[0] as unknown as Json).id) ?? undefined) : undefined;
  };
  context.journal.intend(item.type, item.sourceId, key);
  const targetId = await create(
    context,
    'create_look',
    (caller) =>
      caller.call(
        'create_look',
        (sdk, o) => sdk.create_look(createBody, 'id,created_at', o),
        signal,
      ),
    find,
  );
  record(item, targetId, context);
  state.target.remember('look', { id: targetId, deleted: false, key });
  return targetId;
}

/** Whether the target's item (read while planning) differs from the backup's. */
function differs(item: PlannedItem, context: ExecutorContext): boolean {
  const wanted = comparable(item.type, item.content, mapperOf(context));
  const current = comparable(item.type, item.targetContent ?? {}, identity);
  return canonical(wanted) !== canonical(current);
}

/** A slug for a copy, the same on every attempt (so a rerun finds the copy it made). */
function copySlug(context: ExecutorContext, sourceId: string): string {
  return createHash('sha256')
    .update(`${context.state.plan.sourceInstance}\u0000dashboard\u0000${sourceId}\u0000copy`)
    .digest('base64url')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 22);
}

async function writeDashboard(item: PlannedItem, context: ExecutorContext): Promise<string> {
  const { api, signal, state } = context;
  const body = dashboardBody(item.content, mapperOf(context));
  requireMapped(body, ['folder_id']);
  for (const element of array(item.content.dashboard_elements)) {
    requireMapped(elementBody(element, mapperOf(context)), ['look_id']);
  }
  if (item.action === 'undelete' && item.targetId !== null) {
    const targetId = item.targetId;
    await api.call(
      'update_dashboard',
      (sdk, o) => sdk.update_dashboard(targetId, { deleted: false }, o),
      signal,
    );
    if (!differs(item, context)) return targetId;
  }
  if ((item.action === 'update' || item.action === 'undelete') && item.targetId !== null) {
    const targetId = item.targetId;
    await api.call('update_dashboard', (sdk, o) => sdk.update_dashboard(targetId, body, o), signal);
    await clearDashboard(item.targetContent ?? {}, context);
    await fillDashboard(targetId, item.content, context);
    return targetId;
  }
  const lookml = item.sourceId.includes('::');
  const slug =
    item.action === 'copy' || lookml
      ? copySlug(context, item.sourceId)
      : (text(item.content.slug) ?? undefined);
  const createBody = { ...body, user_id: ownerOf(item, context), ...(slug ? { slug } : {}) };
  const find = async (): Promise<string | undefined> => {
    if (!slug) return undefined;
    const rows = await api.call(
      'search_dashboards',
      (sdk, o) => sdk.search_dashboards({ slug, fields: 'id' }, o),
      signal,
    );
    return rows.length > 0 ? (text((rows[0] as unknown as Json).id) ?? undefined) : undefined;
  };
  context.journal.intend(item.type, item.sourceId, slug ?? null);
  const targetId = await create(
    context,
    'create_dashboard',
    (caller) =>
      caller.call('create_dashboard', (sdk, o) => sdk.create_dashboard(createBody, o), signal),
    find,
  );
  record(item, targetId, context);
  state.target.remember('dashboard', {
    id: targetId,
    deleted: false,
    key: slug ?? `id:${targetId}`,
  });
  await fillDashboard(targetId, item.content, context);
  return targetId;
}

/** Removes a dashboard's tiles and filters (before writing the backup's). */
async function clearDashboard(current: Json, context: ExecutorContext): Promise<void> {
  const { api, signal } = context;
  await settleAll([
    ...array(current.dashboard_elements).map(async (element) => {
      const id = text(element.id);
      if (id === null) return;
      await api.call(
        'delete_dashboard_element',
        (sdk, o) => sdk.delete_dashboard_element(id, o),
        signal,
      );
    }),
    ...array(current.dashboard_filters).map(async (filter) => {
      const id = text(filter.id);
      if (id === null) return;
      await api.call(
        'delete_dashboard_filter',
        (sdk, o) => sdk.delete_dashboard_filter(id, o),
        signal,
      );
    }),
  ]);
}

/**
 * Filters, tiles (each with its new query) and then each tile's place in the layout. The parts
 * of one dashboard go out in parallel (the gate still bounds what is in flight): their order
 * does not matter, since every tile's position is set explicitly afterwards.
 */
async function fillDashboard(
  dashboardId: string,
  dashboard: Json,
  context: ExecutorContext,
): Promise<void> {
  const { api, signal } = context;
  const map = mapperOf(context);
  const tiles = orderedElements(dashboard);
  for (const { element } of tiles) {
    if (element.merge_result_id != null && !isObject(element.merge_result)) {
      throw new ItemRestoreError(
        `tile "${text(element.title) ?? text(element.id) ?? ''}" shows merged results, and this backup of it does not hold the merge (${element.merge_result === null ? 'the server no longer had it' : 'backed up before lookervault kept merges'})`,
        {
          hint: 'Run `lookervault extract --full` to back the dashboard up again with its merge, then restore it; or rebuild that tile in Looker.',
        },
      );
    }
  }
  await settleAll(
    array(dashboard.dashboard_filters).map(async (filter) => {
      const body = { ...filterBody(filter), dashboard_id: dashboardId };
      await api.call(
        'create_dashboard_filter',
        (sdk, o) =>
          sdk.create_dashboard_filter(
            body as Parameters<typeof sdk.create_dashboard_filter>[0],
            'id',
            o,
          ),
        signal,
      );
    }),
  );
  const placed = await settleAll(
    tiles.map(async ({ element, position }) => {
      const body: Json = { ...elementBody(element, map), dashboard_id: dashboardId };
      if (isObject(element.query)) body.query_id = await newQuery(element.query, context);
      if (isObject(element.merge_result)) {
        body.merge_result_id = await newMergeQuery(element.merge_result, context);
      }
      const created = await api.call(
        'create_dashboard_element',
        (sdk, o) => sdk.create_dashboard_element({ body, fields: 'id' }, o),
        signal,
      );
      return { targetId: idOf(created, 'create_dashboard_element'), position };
    }),
  );
  if (placed.length === 0) return;
  const layouts = (await api.call(
    'dashboard_dashboard_layouts',
    (sdk, o) => sdk.dashboard_dashboard_layouts(dashboardId, undefined, o),
    signal,
  )) as unknown as Json[];
  const active = layouts.find((l) => l.active === true) ?? layouts[0];
  const components = new Map<string, Json>();
  for (const component of array(active?.dashboard_layout_components)) {
    const element = text(component.dashboard_element_id);
    if (element !== null) components.set(element, component);
  }
  await settleAll(
    placed.map(async ({ targetId, position }) => {
      const component = components.get(targetId);
      const componentId = component ? text(component.id) : null;
      if (!position || componentId === null || !component) return;
      const same = ['row', 'column', 'width', 'height'].every((k) => component[k] === position[k]);
      if (same) return;
      await api.call(
        'update_dashboard_layout_component',
        (sdk, o) => sdk.update_dashboard_layout_component(componentId, position, 'id', o),
        signal,
      );
    }),
  );
}

/** Like Promise.all, but waits for every task before throwing the first failure. */
async function settleAll<T>(tasks: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const values: T[] = [];
  for (const result of settled) {
    if (result.status === 'rejected') {
      throw result.reason instanceof Error ? result.reason : new Error(String(result.reason));
    }
    values.push(result.value);
  }
  return values;
}

async function writeBoard(item: PlannedItem, context: ExecutorContext): Promise<string> {
  const { api, signal, state } = context;
  const map = mapperOf(context);
  const body = boardBody(item.content);
  // Every reference is checked before anything is written: no half-made board.
  for (const section of orderedSections(item.content)) {
    for (const boardItem of orderedItems(section)) {
      requireMapped(boardItemBody(boardItem, map), ['dashboard_id', 'look_id']);
    }
  }
  let targetId: string;
  let existing: Json[] = [];
  if ((item.action === 'update' || item.action === 'undelete') && item.targetId !== null) {
    targetId = item.targetId;
    const id = targetId;
    await api.call('update_board', (sdk, o) => sdk.update_board(id, body, 'id', o), signal);
    existing = orderedSections(item.targetContent ?? {});
  } else {
    const title = item.action === 'copy' ? `${text(body.title) ?? ''} (restored copy)` : body.title;
    const createBody: Json = { ...body, title, user_id: ownerOf(item, context) };
    const find = async (): Promise<string | undefined> => {
      const rows = await api.call(
        'search_boards',
        (sdk, o) => sdk.search_boards({ title: text(title) ?? '', fields: 'id' }, o),
        signal,
      );
      return rows.length > 0 ? (text((rows[0] as unknown as Json).id) ?? undefined) : undefined;
    };
    context.journal.intend(item.type, item.sourceId, text(title) ?? '');
    targetId = await create(
      context,
      'create_board',
      (caller) =>
        caller.call(
          'create_board',
          (sdk, o) => sdk.create_board(createBody, 'id,created_at', o),
          signal,
        ),
      find,
    );
    record(item, targetId, context);
    state.target.remember('board', { id: targetId, deleted: false, key: text(title) ?? '' });
  }
  // Sections and items the board lacks are added; none is removed (the API has no call for it,
  // and a restore never deletes).
  const used = new Set<Json>();
  for (const section of orderedSections(item.content)) {
    const match = existing.find((s) => !used.has(s) && s.title === section.title);
    let sectionId: string;
    let present: Json[] = [];
    if (match) {
      used.add(match);
      sectionId = text(match.id) ?? '';
      present = orderedItems(match).map((i) => boardItemBody(i, identity));
    } else {
      const sectionBodyValue = { ...sectionBody(section), board_id: targetId };
      const created = await api.call(
        'create_board_section',
        (sdk, o) => sdk.create_board_section(sectionBodyValue, 'id', o),
        signal,
      );
      sectionId = idOf(created, 'create_board_section');
    }
    for (const boardItem of orderedItems(section)) {
      const itemBody = boardItemBody(boardItem, map);
      if (present.some((p) => canonical(p) === canonical(itemBody))) continue;
      const createBody = { ...itemBody, board_section_id: sectionId };
      await api.call(
        'create_board_item',
        (sdk, o) => sdk.create_board_item(createBody, 'id', o),
        signal,
      );
    }
  }
  return targetId;
}

async function writePlan(item: PlannedItem, context: ExecutorContext): Promise<string> {
  const { api, signal, state } = context;
  const body: Json = {
    ...planBody(item.content, mapperOf(context)),
    user_id: ownerOf(item, context),
  };
  requireMapped(body, ['look_id', 'dashboard_id']);
  if ((item.action === 'update' || item.action === 'undelete') && item.targetId !== null) {
    const targetId = item.targetId;
    await api.call(
      'update_scheduled_plan',
      (sdk, o) => sdk.update_scheduled_plan(targetId, body, o),
      signal,
    );
    return targetId;
  }
  if (item.action === 'copy') body.name = `${text(body.name) ?? ''} (restored copy)`;
  context.journal.intend(item.type, item.sourceId, text(body.name) ?? '');
  const targetId = await create(
    context,
    'create_scheduled_plan',
    (caller) =>
      caller.call('create_scheduled_plan', (sdk, o) => sdk.create_scheduled_plan(body, o), signal),
    () => Promise.resolve(undefined),
  );
  record(item, targetId, context);
  state.target.remember('scheduled_plan', {
    id: targetId,
    deleted: false,
    key: text(body.name) ?? '',
  });
  return targetId;
}

export type { RestoreType };
