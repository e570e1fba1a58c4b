/**
 * Deciding what a restore does, before it writes anything: which backed-up items take part
 * (the selection and what it depends on), their counterparts in the target (through the id
 * mapping, the same id on the same instance, or a stable key), and per item create, update,
 * undelete, copy or skip, with the reason.
 */
import { embedMergeResults } from '../looker/merge-results.js';
import { REGISTRY } from '../looker/registry.js';
import { compareIds } from '../content-types.js';
import { UsageError } from '../errors.js';
import type { ApiCaller } from '../looker/client.js';
import { NotFoundError } from '../looker/errors.js';
import { readIdMap, readSnapshotItems, readUserEmails } from '../store/restore-journal.js';
import type { Vault } from '../store/vault.js';
import {
  array,
  canonical,
  comparable,
  differingFields,
  inheritsAccess,
  isBuiltIn,
  principalOf,
  unmappedUsers,
  isObject,
  isSystemFolder,
  roleRefs,
  text,
  titleOf,
  type IdMapper,
} from './normalize.js';
import type { Selector } from './selectors.js';
import { TargetIndex, lookKey, planKey } from './target.js';
import {
  RESTORE_TYPES,
  refKey,
  type ConflictPolicy,
  type ItemRef,
  type Json,
  type PlannedItem,
  type RestorePlan,
  type RestoreType,
} from './types.js';

/** Where the backed-up items come from: a snapshot of the backup file, or an exported tree. */
export interface SnapshotContent {
  /** How the plan names it: "snapshot 3", "the tree at ./looker-content". */
  label: string;
  items(type: RestoreType): Iterable<{ id: string; json: string; trashed: boolean }>;
  userEmails(): Map<string, string>;
}

/** A snapshot of the backup file as the planner's source. */
export function vaultSnapshotContent(vault: Vault, snapshotId: number): SnapshotContent {
  return {
    label: `snapshot ${String(snapshotId)}`,
    items: (type) => readSnapshotItems(vault, snapshotId, type),
    userEmails: () => readUserEmails(vault),
  };
}

export interface PlanInput {
  vault: Vault;
  api: ApiCaller;
  /** The snapshot restored from (null: an exported tree). */
  snapshotId: number | null;
  /** The backed-up items: `vaultSnapshotContent(vault, snapshotId)`, or an exported tree's. */
  content: SnapshotContent;
  sourceInstance: string;
  targetInstance: string;
  types: readonly RestoreType[];
  selectors: readonly Selector[];
  onConflict: ConflictPolicy;
  workers: number;
  signal: AbortSignal;
  /** Only these items (and what they depend on): `--retry-failed`. */
  only?: ReadonlySet<string>;
}

/** A backed-up item and what the planner knows of it. */
interface SourceItem {
  type: RestoreType;
  id: string;
  content: Json;
}

export interface PlanningState {
  plan: RestorePlan;
  /** `type:id` → target id, as known after planning (mapping, same id, stable key). */
  mapping: Map<string, string>;
  target: TargetIndex;
  /** Backed-up users' emails (owner mapping). */
  userEmails: Map<string, string>;
  /** Backed-up folders by id (paths for matching, parents). */
  sourceFolders: Map<string, Json>;
  /**
   * A backed-up reference's target id: the mapping, or on the same instance the same id when
   * the target has it (a look in the trash that a tile shows is still that look).
   */
  map: IdMapper;
}

export async function planRestore(input: PlanInput): Promise<PlanningState> {
  const sameInstance = input.sourceInstance === input.targetInstance;
  const source = loadSource(input);
  const chosen = select(source, input);
  const only = input.only;
  const selected = only ? new Map([...chosen].filter(([key]) => only.has(key))) : chosen;
  const included = withDependencies(source, selected);
  const typesInPlan = new Set<RestoreType>([...included.values()].map((item) => item.type));
  // What the planned types refer to is read too (tiles show looks, plans and boards show both).
  if (typesInPlan.has('dashboard')) typesInPlan.add('look');
  if (typesInPlan.has('role')) {
    typesInPlan.add('permission_set');
    typesInPlan.add('model_set');
  }
  if (typesInPlan.has('board') || typesInPlan.has('scheduled_plan')) {
    typesInPlan.add('look');
    typesInPlan.add('dashboard');
  }
  // Group values and access rows name groups.
  if (typesInPlan.has('user_attribute') || typesInPlan.has('folder_access'))
    typesInPlan.add('group');
  const target = new TargetIndex(input.api);
  await target.load(typesInPlan, input.signal);

  const warnings: string[] = [];
  const mapping = new Map<string, string>();
  // A mapped id is trusted only while the item there is the one that was mapped: an instance
  // rebuilt at the same URL reuses ids for other items (created_at tells them apart).
  for (const [key, mapped] of readIdMap(input.vault, input.sourceInstance, input.targetInstance)) {
    const type = key.slice(0, key.indexOf(':')) as RestoreType;
    const now = target.createdAt(type, mapped.id);
    if (mapped.createdAt !== null && now !== null && now !== mapped.createdAt) {
      warnings.push(
        `${key.replace(':', ' ')} was mapped to ${mapped.id}, which is now another item (created ${now}, not ${mapped.createdAt}); it is matched again by its key`,
      );
      continue;
    }
    mapping.set(key, mapped.id);
  }
  const items: PlannedItem[] = [];
  const aliases = new Map<string, string>();
  const map: IdMapper = (type, id) => {
    if (type === 'user') return targetUser(id, source.userEmails, target, sameInstance);
    const mapped = mapping.get(`${type}:${id}`) ?? aliases.get(`${type}:${id}`);
    if (mapped !== undefined || !sameInstance) return mapped;
    const present = type === 'folder' ? target.folders.has(id) : target.entries[type].has(id);
    return present ? id : undefined;
  };
  let planningRequests = target.requests;

  // LookML dashboards live in LookML's own folder, which is no content folder: their
  // user-defined copies go to the target's Shared folder.
  for (const item of included.values()) {
    if (!isLookmlDashboard(item)) continue;
    const folder = text(item.content.folder_id);
    if (folder !== null && !source.folders.has(folder) && target.sharedRootId !== null) {
      aliases.set(`folder:${folder}`, target.sharedRootId);
    }
  }
  const ordered = order([...included.values()], source.folders);
  // Counterparts first (in dependency order, so a look's folder is mapped before the look is
  // matched by folder and title), then the reads that compare contents, in parallel.
  const pending: { item: PlannedItem; candidate: string | null; trashed: boolean }[] = [];
  // Which backed-up item each target item already stands for: a key match never takes a
  // target item that another backed-up item is mapped to (two boards may share a title).
  const owners = new Map<string, string>();
  for (const [key, targetId] of mapping)
    owners.set(`${key.slice(0, key.indexOf(':'))}:${targetId}`, key);
  for (const { source: item, depth } of ordered) {
    const key = refKey(item);
    const isSelected = selected.has(key);
    let found = counterpart(item, {
      mapping,
      target,
      sameInstance,
      sourceFolders: source.folders,
      userEmails: source.userEmails,
    });
    const owner = found.id === null ? undefined : owners.get(`${item.type}:${found.id}`);
    if (owner !== undefined && owner !== key) found = none;
    if (found.id !== null) {
      mapping.set(key, found.id);
      owners.set(`${item.type}:${found.id}`, key);
    }
    const planned: PlannedItem = {
      type: item.type,
      sourceId: item.id,
      title: titleOf(item.type, item.content),
      action: 'create',
      reason: '',
      targetId: found.id,
      content: item.content,
      targetContent: null,
      dependsOn: dependencies(item, source),
      depth,
      selected: isSelected,
      stableKey: stableKeyOf(item, source.folders),
    };
    items.push(planned);
    if (sameInstance && isLookmlDashboard(item)) {
      planned.action = 'skip';
      planned.reason = 'LookML dashboard: it comes from LookML files, which this instance has';
      continue;
    }
    if (isBuiltIn(item.type, item.content)) {
      planned.action = 'skip';
      planned.reason =
        found.id === null
          ? 'built in (every instance has it), but missing in the target'
          : 'built in: matched by name, never written';
      continue;
    }
    if (item.type === 'folder' && isSystemFolder(item.content)) {
      planned.action = 'skip';
      planned.reason =
        found.id === null
          ? 'system folder (a root or a personal folder) missing in the target'
          : 'system folder: matched by its path, never written';
      if (found.id === null) planned.targetId = null;
      continue;
    }
    pending.push({ item: planned, candidate: found.id, trashed: found.trashed });
  }

  let next = 0;
  const readOne = async (): Promise<void> => {
    while (next < pending.length) {
      const entry = pending[next++] as (typeof pending)[number];
      const { item, candidate } = entry;
      if (candidate === null) {
        item.action = 'create';
        item.reason = isLookmlDashboard({
          type: item.type,
          id: item.sourceId,
          content: item.content,
        })
          ? 'LookML dashboard: restored as a user-defined copy (in the Shared folder)'
          : sameInstance
            ? 'not in the target (deleted for good)'
            : 'not in the target';
        continue;
      }
      let current: Json | null;
      if (item.type === 'folder') {
        const folder = target.folders.get(candidate);
        current = folder ? { name: folder.name, parent_id: folder.parentId } : null;
      } else {
        const read = await readTarget(input.api, item.type, item.content, candidate, input.signal);
        current = read.current;
        planningRequests += read.requests;
      }
      if (current === null) {
        mapping.delete(refKey({ type: item.type, id: item.sourceId }));
        item.targetId = null;
        item.action = 'create';
        item.reason = 'its counterpart was deleted from the target';
        continue;
      }
      item.targetContent = current;
      decide(item, entry.trashed, map, input.onConflict);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, input.workers) }, readOne));

  for (const item of items) {
    if (item.type !== 'folder_access') continue;
    for (const user of unmappedUsers(item.content, map)) {
      const email = source.userEmails.get(user);
      warnings.push(
        `folder_access ${item.sourceId} (${item.title}): the access of ${email ?? `user ${user}`} is not restored; that user is not in the target`,
      );
    }
  }
  for (const item of items) {
    if (item.action === 'skip') continue;
    const owner = text(item.content.user_id);
    if (owner === null || item.type === 'folder') continue;
    const email = source.userEmails.get(owner);
    const mapped = email === undefined ? undefined : target.userByEmail.get(email);
    if (mapped === undefined && !(sameInstance && target.userIds.has(owner))) {
      warnings.push(
        `${item.type} ${item.sourceId} (${item.title}): its owner ${email ?? `user ${owner}`} is not in the target; the API user will own it`,
      );
    }
  }

  const plan: RestorePlan = {
    snapshotId: input.snapshotId,
    origin: input.content.label,
    sourceInstance: input.sourceInstance,
    targetInstance: input.targetInstance,
    sameInstance,
    items,
    unrestorable: [],
    warnings,
    estimatedRequests: items.reduce((sum, item) => sum + estimateRequests(item), 0),
    planningRequests,
  };
  return {
    plan,
    mapping,
    target,
    userEmails: source.userEmails,
    sourceFolders: source.folders,
    map,
  };
}

/** A backed-up user's counterpart: the target user with the same email (or, on the same instance, the same id). */
function targetUser(
  id: string,
  emails: ReadonlyMap<string, string>,
  target: TargetIndex,
  sameInstance: boolean,
): string | undefined {
  const email = emails.get(id);
  const byEmail = email === undefined ? undefined : target.userByEmail.get(email);
  if (byEmail !== undefined) return byEmail;
  return sameInstance && target.userIds.has(id) ? id : undefined;
}

function isLookmlDashboard(item: SourceItem): boolean {
  return item.type === 'dashboard' && item.id.includes('::');
}

function decide(item: PlannedItem, trashed: boolean, map: IdMapper, policy: ConflictPolicy): void {
  const wanted = comparable(item.type, item.content, map);
  const current = comparable(item.type, item.targetContent ?? {}, (_type, id) => id);
  let kept = '';
  if (item.type === 'folder_access' && !wanted.inherits && !current.inherits) {
    // A restore never deletes: rows the target has for others stay, and do not make it differ.
    const wantedRows = new Set(array(wanted.access).map(principalOf));
    const rows = array(current.access);
    const others = rows.filter((row) => !wantedRows.has(principalOf(row)));
    current.access = rows.filter((row) => wantedRows.has(principalOf(row)));
    if (others.length > 0) kept = `; ${String(others.length)} more in the target, kept`;
  }
  const equal = canonical(wanted) === canonical(current);
  if (trashed) {
    item.action = 'undelete';
    item.reason = equal ? "in the target's trash" : "in the target's trash, and different";
    return;
  }
  if (equal) {
    item.action = 'skip';
    item.reason = `identical${kept}`;
    return;
  }
  const fields = differingFields(wanted, current);
  const what = `differs: ${fields.slice(0, 4).join(', ')}${fields.length > 4 ? ', …' : ''}${kept}`;
  if (!item.selected) {
    item.action = 'skip';
    item.reason = `a dependency that exists (${what}); left as it is`;
    return;
  }
  if (policy === 'skip') {
    item.action = 'skip';
    item.reason = `${what}; --on-conflict skip`;
    return;
  }
  // A folder's access has no copy: it is that folder's.
  if (policy === 'copy' && item.type !== 'folder' && item.type !== 'folder_access') {
    item.action = 'copy';
    item.reason = `${what}; --on-conflict copy`;
    return;
  }
  item.action = 'update';
  item.reason = what;
}

/** The target's counterpart of `item` (null when it is gone), and the requests that took. */
async function readTarget(
  api: ApiCaller,
  type: Exclude<RestoreType, 'folder'>,
  backedUp: Json,
  id: string,
  signal: AbortSignal,
): Promise<{ current: Json | null; requests: number }> {
  const current = await readTargetItem(api, type, id, signal);
  // A user attribute with its group values: 2 requests; a folder's access: 3.
  const requests = type === 'user_attribute' ? 2 : type === 'folder_access' ? 3 : 1;
  if (current === null || type !== 'dashboard' || !keepsMerges(backedUp)) {
    return { current, requests };
  }
  // Compared with the backup, which keeps each merged tile's merge in the tile.
  return { current, requests: 1 + (await embedMergeResults(api, current, signal)) };
}

/**
 * Whether a backed-up dashboard keeps its merged tiles' merges (`merge_result`, null when the
 * server had lost one). Backups made before merges were kept do not: their dashboards are then
 * compared without the target's merges, as before, instead of all looking changed.
 */
function keepsMerges(dashboard: Json): boolean {
  return array(dashboard.dashboard_elements).every(
    (element) => element.merge_result_id == null || 'merge_result' in element,
  );
}

async function readTargetItem(
  api: ApiCaller,
  type: Exclude<RestoreType, 'folder'>,
  id: string,
  signal: AbortSignal,
): Promise<Json | null> {
  try {
    switch (type) {
      case 'look':
        return (await api.call('look', (sdk, o) => sdk.look(id, undefined, o), signal)) as Json;
      case 'dashboard':
        return (await api.call(
          'dashboard',
          (sdk, o) => sdk.dashboard(id, undefined, o),
          signal,
        )) as Json;
      case 'board':
        return (await api.call('board', (sdk, o) => sdk.board(id, undefined, o), signal)) as Json;
      case 'scheduled_plan':
        return (await api.call(
          'scheduled_plan',
          (sdk, o) => sdk.scheduled_plan(id, undefined, o),
          signal,
        )) as Json;
      case 'group':
        return (await api.call('group', (sdk, o) => sdk.group(id, undefined, o), signal)) as Json;
      case 'role':
        return (await api.call('role', (sdk, o) => sdk.role(id, o), signal)) as Json;
      case 'permission_set':
        return (await api.call(
          'permission_set',
          (sdk, o) => sdk.permission_set(id, undefined, o),
          signal,
        )) as Json;
      case 'model_set':
        return (await api.call(
          'model_set',
          (sdk, o) => sdk.model_set(id, undefined, o),
          signal,
        )) as Json;
      // Read as a backup keeps them: with their group values, the folder's rows.
      case 'user_attribute':
      case 'folder_access':
        return (await REGISTRY[type].fetchById(api, id, signal)) as Json;
    }
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

// ── the backup side ──────────────────────────────────────────────────────────────────────

interface Source {
  items: Map<string, SourceItem>;
  folders: Map<string, Json>;
  userEmails: Map<string, string>;
  /** Items the snapshot holds in Looker's trash (not restored). */
  trashed: Set<string>;
}

function loadSource(input: PlanInput): Source {
  const { content } = input;
  const items = new Map<string, SourceItem>();
  const folders = new Map<string, Json>();
  const trashed = new Set<string>();
  // Every restorable type is read, whatever --types says: what the chosen items depend on
  // (folders, the looks tiles show, the dashboards boards hold) may be of any of them.
  const wanted = new Set<RestoreType>(input.types);
  for (const type of RESTORE_TYPES) {
    const needed =
      wanted.has(type) ||
      type === 'folder' ||
      (type === 'look' &&
        (wanted.has('dashboard') || wanted.has('board') || wanted.has('scheduled_plan'))) ||
      (type === 'dashboard' && (wanted.has('board') || wanted.has('scheduled_plan'))) ||
      ((type === 'permission_set' || type === 'model_set') && wanted.has('role')) ||
      (type === 'group' && (wanted.has('user_attribute') || wanted.has('folder_access')));
    if (!needed) continue;
    for (const row of content.items(type)) {
      const content = JSON.parse(row.json) as Json;
      if (type === 'folder') folders.set(row.id, content);
      if (row.trashed) {
        trashed.add(`${type}:${row.id}`);
        continue;
      }
      items.set(`${type}:${row.id}`, { type, id: row.id, content });
    }
  }
  return { items, folders, userEmails: content.userEmails(), trashed };
}

function select(source: Source, input: PlanInput): Map<string, SourceItem> {
  const selected = new Map<string, SourceItem>();
  const wanted = new Set(input.types);
  if (input.selectors.length === 0) {
    for (const [key, item] of source.items) {
      if (wanted.has(item.type) && !(item.type === 'folder' && isSystemFolder(item.content))) {
        selected.set(key, item);
      }
    }
    return selected;
  }
  for (const selector of input.selectors) {
    const key = `${selector.type}:${selector.id}`;
    const item = source.items.get(key);
    if (!item) {
      const { label } = input.content;
      const why = source.trashed.has(key)
        ? `it was in Looker's trash in ${label}`
        : `${label} does not hold it`;
      throw new UsageError(`Cannot restore ${key}: ${why}`, {
        hint:
          input.snapshotId === null
            ? `The tree's lookervault-manifest.json lists what it holds.`
            : `See what the snapshot holds with \`lookervault show ${selector.type} ${selector.id} --snapshot ${String(input.snapshotId)}\` or \`lookervault history ${selector.type} ${selector.id}\`; pick another snapshot with --snapshot.`,
      });
    }
    if (!wanted.has(item.type)) {
      throw new UsageError(`${key} is a ${item.type}, which --types leaves out`, {
        hint: 'Add its type to --types, or drop --types.',
      });
    }
    selected.set(key, item);
    if (item.type !== 'folder') continue;
    // The folder's subtree and its content.
    const inTree = new Set<string>([item.id]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [id, folder] of source.folders) {
        const parent = text(folder.parent_id);
        if (!inTree.has(id) && parent !== null && inTree.has(parent)) {
          inTree.add(id);
          grew = true;
        }
      }
    }
    const contentIds = new Set<string>();
    for (const [k, candidate] of source.items) {
      if (!wanted.has(candidate.type)) continue;
      const folderId =
        candidate.type === 'folder' || candidate.type === 'folder_access'
          ? candidate.id
          : text(candidate.content.folder_id);
      if (folderId !== null && inTree.has(folderId)) {
        selected.set(k, candidate);
        if (candidate.type === 'look' || candidate.type === 'dashboard') contentIds.add(k);
      }
    }
    for (const [k, candidate] of source.items) {
      if (candidate.type !== 'scheduled_plan' || !wanted.has('scheduled_plan')) continue;
      const look = text(candidate.content.look_id);
      const dashboard = text(candidate.content.dashboard_id);
      if (
        (look !== null && contentIds.has(`look:${look}`)) ||
        (dashboard !== null && contentIds.has(`dashboard:${dashboard}`))
      ) {
        selected.set(k, candidate);
      }
    }
  }
  return selected;
}

function dependencies(item: SourceItem, source: Source): ItemRef[] {
  const refs: ItemRef[] = [];
  const add = (type: RestoreType, id: string | null): void => {
    if (id !== null && source.items.has(`${type}:${id}`)) refs.push({ type, id });
  };
  const c = item.content;
  switch (item.type) {
    case 'folder':
      add('folder', text(c.parent_id));
      break;
    case 'look':
      add('folder', text(c.folder_id));
      break;
    case 'dashboard':
      add('folder', text(c.folder_id));
      for (const element of array(c.dashboard_elements)) add('look', text(element.look_id));
      break;
    case 'board':
      for (const section of array(c.board_sections)) {
        for (const boardItem of array(section.board_items)) {
          add('dashboard', text(boardItem.dashboard_id));
          add('look', text(boardItem.look_id));
        }
      }
      break;
    case 'scheduled_plan':
      add('look', text(c.look_id));
      add('dashboard', text(c.dashboard_id));
      break;
    case 'role': {
      const refs2 = roleRefs(c);
      add('permission_set', refs2.permissionSet);
      add('model_set', refs2.modelSet);
      break;
    }
    case 'user_attribute':
      for (const row of array(c.group_values)) add('group', text(row.group_id));
      break;
    case 'folder_access':
      add('folder', item.id);
      for (const row of array(c.access)) add('group', text(row.group_id));
      break;
    case 'permission_set':
    case 'model_set':
    case 'group':
      break;
  }
  return refs;
}

function withDependencies(
  source: Source,
  selected: ReadonlyMap<string, SourceItem>,
): Map<string, SourceItem> {
  const included = new Map<string, SourceItem>();
  const queue = [...selected.values()];
  while (queue.length > 0) {
    const item = queue.pop() as SourceItem;
    const key = refKey(item);
    if (included.has(key)) continue;
    included.set(key, item);
    for (const ref of dependencies(item, source)) {
      const dependency = source.items.get(refKey(ref));
      if (dependency && !included.has(refKey(ref))) queue.push(dependency);
    }
  }
  return included;
}

/** Dependency order: folders by depth (parents first), then looks, dashboards, boards, plans. */
function order(
  items: SourceItem[],
  folders: Map<string, Json>,
): { source: SourceItem; depth: number }[] {
  const depthOf = (id: string): number => {
    let depth = 0;
    let current = text(folders.get(id)?.parent_id);
    while (current !== null && depth < 1000) {
      depth += 1;
      current = text(folders.get(current)?.parent_id);
    }
    return depth;
  };
  const rank = (type: RestoreType): number => RESTORE_TYPES.indexOf(type);
  return items
    .map((source) => ({ source, depth: source.type === 'folder' ? depthOf(source.id) : 0 }))
    .sort(
      (a, b) =>
        rank(a.source.type) - rank(b.source.type) ||
        a.depth - b.depth ||
        compareIds(a.source.id, b.source.id),
    );
}

export function sourceFolderPath(folders: Map<string, Json>, id: string): string | undefined {
  const names: string[] = [];
  let current: string | null = id;
  for (let depth = 0; current !== null && depth < 1000; depth++) {
    const folder = folders.get(current);
    if (!folder) return undefined;
    names.unshift(text(folder.name) ?? '');
    current = text(folder.parent_id);
  }
  return names.join('/');
}

/** The key an item is found by in a target when no mapping names it. */
function stableKeyOf(item: SourceItem, folders: Map<string, Json>): string | null {
  const c = item.content;
  switch (item.type) {
    case 'folder':
      return sourceFolderPath(folders, item.id) ?? null;
    case 'dashboard':
      return isLookmlDashboard(item) ? null : text(c.slug);
    case 'look': {
      const path = sourceFolderPath(folders, text(c.folder_id) ?? '');
      return path === undefined ? null : `${path}\u0000${text(c.title) ?? ''}`;
    }
    case 'board':
      return text(c.title);
    case 'scheduled_plan':
    case 'permission_set':
    case 'model_set':
    case 'group':
    case 'role':
    case 'user_attribute':
      return text(c.name);
    case 'folder_access':
      // Never created: it is the folder's, whose path finds it.
      return sourceFolderPath(folders, item.id) ?? null;
  }
}

function counterpart(
  item: SourceItem,
  context: {
    mapping: Map<string, string>;
    target: TargetIndex;
    sameInstance: boolean;
    sourceFolders: Map<string, Json>;
    userEmails: Map<string, string>;
  },
): { id: string | null; trashed: boolean } {
  const { mapping, target, sameInstance } = context;
  const key = refKey(item);
  if (item.type === 'folder_access') {
    // A folder's access is found where its folder is (mapped before it: folders come first).
    const folder = mapping.get(`folder:${item.id}`) ?? (sameInstance ? item.id : undefined);
    return folder !== undefined && target.folders.has(folder)
      ? { id: folder, trashed: false }
      : none;
  }
  const known = (id: string | undefined): { id: string; trashed: boolean } | undefined => {
    if (id === undefined) return undefined;
    if (item.type === 'folder') return target.folders.has(id) ? { id, trashed: false } : undefined;
    const entry = target.entries[item.type].get(id);
    return entry ? { id, trashed: entry.deleted } : undefined;
  };
  const direct = known(mapping.get(key)) ?? (sameInstance ? known(item.id) : undefined);
  if (direct) return direct;
  const c = item.content;
  switch (item.type) {
    case 'folder': {
      if (c.is_personal === true) {
        // Personal folders are their owner's, matched through the owner (names may repeat).
        const owner = text(c.creator_id);
        const email = owner === null ? undefined : context.userEmails.get(owner);
        const user =
          email !== undefined
            ? target.userByEmail.get(email)
            : sameInstance && owner !== null
              ? owner
              : undefined;
        const personal = user === undefined ? undefined : target.personalFolderOf(user);
        // Without the owner's email (users not backed up), the path of names is all there is.
        if (personal !== undefined || email !== undefined) {
          return { id: personal ?? null, trashed: false };
        }
      }
      const path = sourceFolderPath(context.sourceFolders, item.id);
      const id = path === undefined ? undefined : target.folderByPath(path);
      return { id: id ?? null, trashed: false };
    }
    case 'dashboard': {
      // A LookML dashboard's slug stays with it; its copy is found through the mapping only.
      const slug = item.id.includes('::') ? null : text(c.slug);
      return known(slug === null ? undefined : target.byKey('dashboard', slug)) ?? none;
    }
    case 'look': {
      const folder = mapping.get(`folder:${text(c.folder_id) ?? ''}`);
      if (folder === undefined) return none;
      return known(target.byKey('look', lookKey(folder, text(c.title) ?? ''))) ?? none;
    }
    case 'board':
      return known(target.byKey('board', text(c.title) ?? '')) ?? none;
    case 'scheduled_plan': {
      const look = text(c.look_id);
      const dashboard = text(c.dashboard_id);
      const key2 = planKey(
        text(c.name) ?? '',
        look === null ? null : (mapping.get(`look:${look}`) ?? `?${look}`),
        dashboard === null ? null : (mapping.get(`dashboard:${dashboard}`) ?? `?${dashboard}`),
      );
      return known(target.byKey('scheduled_plan', key2)) ?? none;
    }
    case 'permission_set':
    case 'model_set':
    case 'group':
    case 'role':
    case 'user_attribute':
      return known(target.byKey(item.type, text(c.name) ?? '')) ?? none;
  }
}

const none = { id: null, trashed: false } as const;

/** Requests the writes of one item take (for the plan; a dashboard's depend on its tiles). */
export function estimateRequests(item: PlannedItem): number {
  if (item.action === 'skip') return 0;
  const c = item.content;
  switch (item.type) {
    case 'folder':
      return 1;
    case 'look':
      return (item.action === 'undelete' ? 1 : 0) + 2;
    case 'dashboard': {
      const elements = array(c.dashboard_elements);
      const queries = elements.filter((e) => e.query != null).length;
      // A merged tile: its source queries, then the merge.
      const merges = elements.reduce(
        (n, e) =>
          n + (isObject(e.merge_result) ? array(e.merge_result.source_queries).length + 1 : 0),
        0,
      );
      const filters = array(c.dashboard_filters).length;
      const old = item.targetContent;
      const removals =
        item.action === 'update' || item.action === 'undelete'
          ? array(old?.dashboard_elements).length + array(old?.dashboard_filters).length
          : 0;
      return (
        1 +
        (item.action === 'undelete' ? 1 : 0) +
        removals +
        filters +
        queries +
        merges +
        elements.length +
        1 +
        elements.length
      );
    }
    case 'board': {
      const sections = array(c.board_sections);
      const boardItems = sections.reduce((n, s) => n + array(s.board_items).length, 0);
      return 1 + sections.length + boardItems;
    }
    case 'scheduled_plan':
    case 'permission_set':
    case 'model_set':
    case 'group':
    case 'role':
      return 1;
    case 'user_attribute':
      // The attribute, then its group values (set in one request).
      return 1 + (array(c.group_values).length > 0 || item.action === 'update' ? 1 : 0);
    case 'folder_access':
      // Its folder's current access (3 reads), inherits, one write per row.
      return 3 + 1 + (inheritsAccess(c) ? 0 : array(c.access).length);
  }
}
