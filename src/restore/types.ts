/**
 * What a restore works with: the content types it can write back, the actions it decides per
 * item, and the plan it shows before it writes anything.
 */

export type Json = Record<string, unknown>;

/**
 * Restorable types, in dependency order (a type only refers to types before it): content, then
 * configuration (permission and model sets, groups, roles, user attributes, folder access).
 */
export const RESTORE_TYPES = [
  'folder',
  'look',
  'dashboard',
  'board',
  'scheduled_plan',
  'permission_set',
  'model_set',
  'group',
  'role',
  'user_attribute',
  'folder_access',
] as const;
export type RestoreType = (typeof RESTORE_TYPES)[number];

/** What a restore writes unless --types says otherwise: content, never configuration. */
export const DEFAULT_RESTORE_TYPES: readonly RestoreType[] = [
  'folder',
  'look',
  'dashboard',
  'board',
  'scheduled_plan',
];

/** Configuration: restored only when --types names it (an admin decision). */
export const CONFIGURATION_TYPES: readonly RestoreType[] = [
  'permission_set',
  'model_set',
  'group',
  'role',
  'user_attribute',
  'folder_access',
];

/** Backed-up types a restore never writes, and why (reported when asked for). */
export const NOT_RESTORABLE: Record<string, string> = {
  explore: 'explores come from LookML, not from the API content store',
  lookml_model: 'LookML models come from LookML project files',
  user: 'users are never created; references to them are mapped by email',
};

/**
 * - create: not in the target (hard-deleted, or never there): created, with a new id.
 * - update: in the target, different: made equal to the backup.
 * - undelete: in the target's trash: taken out, then made equal to the backup.
 * - skip: nothing to do (identical), or left alone (`--on-conflict skip`, a dependency that exists).
 * - copy: in the target and different, `--on-conflict copy`: a new item beside it.
 */
export type RestoreAction = 'create' | 'update' | 'undelete' | 'skip' | 'copy';
export const RESTORE_ACTIONS: readonly RestoreAction[] = [
  'create',
  'update',
  'undelete',
  'copy',
  'skip',
];

export type ConflictPolicy = 'update' | 'skip' | 'copy';

export interface ItemRef {
  type: RestoreType;
  id: string;
}

export function refKey(ref: ItemRef): string {
  return `${ref.type}:${ref.id}`;
}

/** One item of a plan. */
export interface PlannedItem {
  type: RestoreType;
  /** Its id in the backup (the source instance). */
  sourceId: string;
  title: string;
  action: RestoreAction;
  /** Why this action, in words. */
  reason: string;
  /** The counterpart in the target, when there is one. */
  targetId: string | null;
  /** The item as the snapshot holds it. */
  content: Json;
  /** The counterpart as the target holds it now (read while planning), when there is one. */
  targetContent: Json | null;
  /** Items that must exist in the target before this one is written. */
  dependsOn: ItemRef[];
  /** Folders: how deep in the tree (parents are written first). Others: 0. */
  depth: number;
  /** Chosen by a selector (false: pulled in as a dependency, only created if missing). */
  selected: boolean;
  /** The key it is looked up by in the target before a create (crash safety, migration). */
  stableKey: string | null;
}

export interface RestorePlan {
  /** null: restored from an exported tree. */
  snapshotId: number | null;
  /** "snapshot 3", or "the tree at DIR". */
  origin: string;
  sourceInstance: string;
  targetInstance: string;
  sameInstance: boolean;
  items: PlannedItem[];
  /** Items asked for that cannot be restored, with the reason. */
  unrestorable: { type: string; id: string | null; reason: string }[];
  /** Warnings found while planning (owners that fall back to the API user, …). */
  warnings: string[];
  /** Requests the plan's writes take, estimated per action. */
  estimatedRequests: number;
  /** Requests spent while planning (target listings and reads). */
  planningRequests: number;
}

export type ItemOutcome = 'done' | 'failed' | 'skipped';

export interface RestoreItemResult {
  type: RestoreType;
  sourceId: string;
  title: string;
  action: RestoreAction;
  outcome: ItemOutcome;
  targetId: string | null;
  error: string | null;
}
