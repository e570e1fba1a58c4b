/**
 * The layout of the simulated instance: which ids exist, who owns what, which folder holds
 * which item. Everything is a pure function of (seed, counts, index), so any item can be
 * generated alone; the few small caches here (folder objects, child counts) are bounded by the
 * number of folders, not by the number of dashboards or looks.
 */
import { Rng, hash3 } from '../prng.js';
import type { ResolvedCounts } from '../options.js';
import { FIRST_NAMES, FOLDER_WORDS, LAST_NAMES, MODEL_NAMES, VIEW_NAMES } from './words.js';

export type Item = Record<string, unknown>;

export interface UserNames {
  first: string;
  last: string;
  display: string;
  email: string;
}

/** Base time of the generated history: items were created in the 3 years before it. */
export const EPOCH_MS = Date.UTC(2026, 0, 1);
export const DAY_MS = 86_400_000;
export const HISTORY_MS = 3 * 365 * DAY_MS;

/** Stream tags: one independent random stream per (purpose, index). */
export const Stream = {
  dashboard: 1,
  dashboardElements: 2,
  look: 3,
  folder: 4,
  user: 5,
  group: 6,
  role: 7,
  permissionSet: 8,
  modelSet: 9,
  model: 10,
  explore: 11,
  schedule: 12,
  board: 13,
  lookmlDashboard: 14,
  placement: 15,
  trash: 16,
  templates: 17,
  mergedTiles: 18,
  userAttribute: 19,
} as const;

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * Looker's timestamp format: ISO 8601 with milliseconds and an explicit offset
 * ("2025-03-04T05:06:07.000+00:00"). Hand-rolled (days → civil date, H. Hinnant's algorithm)
 * because Date#toISOString was a fifth of the generators' time.
 */
export function isoTime(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = Math.floor(rest - seconds * 1000);
  return `${String(year)}-${PAD2[month] as string}-${PAD2[day] as string}T${PAD2[hours] as string}:${PAD2[minutes] as string}:${PAD2[seconds] as string}.${PAD3[millis] as string}+00:00`;
}

/** A folder's role in the tree. */
export type FolderKind = 'shared-root' | 'users-root' | 'personal' | 'shared';

export const SHARED_ROOT = 0;
export const USERS_ROOT = 1;

export const INSTANCE_HOST = 'looker.sim.example';

export class World {
  readonly seed: number;
  readonly counts: ResolvedCounts;
  readonly modelNames: string[];
  readonly exploreNames: string[][];
  readonly folderCount: number;
  private readonly folderBaseCache = new Map<number, Item>();
  private readonly folderJsonCache = new Map<number, string>();
  private readonly userNameCache = new Map<number, UserNames>();
  private childCounts: Int32Array | undefined;
  /** Prefix sums of the fixed dashboards-per-folder layout: folder k holds [ends[k-1], ends[k]). */
  private readonly layoutEnds: number[];

  constructor(seed: number, counts: ResolvedCounts, dashboardsPerFolder: readonly number[] = []) {
    this.seed = seed;
    this.counts = counts;
    this.layoutEnds = [];
    let sum = 0;
    for (const n of dashboardsPerFolder) this.layoutEnds.push((sum += n));
    this.modelNames = [];
    for (let m = 0; m < counts.lookml_model; m++) {
      const base = MODEL_NAMES[m % MODEL_NAMES.length] as string;
      const round = Math.floor(m / MODEL_NAMES.length);
      this.modelNames.push(round === 0 ? base : `${base}_${round + 1}`);
    }
    this.exploreNames = this.modelNames.map((_, m) => {
      const names: string[] = [];
      for (let e = 0; e < counts.exploresPerModel; e++) {
        const k = (e + m * 3) % VIEW_NAMES.length;
        const round = Math.floor(e / VIEW_NAMES.length);
        const base = VIEW_NAMES[k] as string;
        names.push(round === 0 ? base : `${base}_${round + 1}`);
      }
      return names;
    });
    this.folderCount = 2 + counts.user + counts.folder;
  }

  rng(stream: number, index: number): Rng {
    return Rng.for(this.seed, stream, index);
  }

  /** A deterministic fraction in [0, 1) for (stream, index) without building a generator. */
  unit(stream: number, index: number): number {
    return hash3(this.seed, stream, index) / 4294967296;
  }

  // ── users ──────────────────────────────────────────────────────────────────────────────

  userId(user: number): string {
    return String(user + 1);
  }

  userNames(user: number): UserNames {
    let names = this.userNameCache.get(user);
    if (!names) {
      if (user === 0) {
        names = {
          first: 'API',
          last: 'Service',
          display: 'API Service',
          email: 'api-service@example.com',
        };
      } else {
        const h = hash3(this.seed, Stream.user, user);
        const first = FIRST_NAMES[h % FIRST_NAMES.length] as string;
        const last = LAST_NAMES[(h >>> 8) % LAST_NAMES.length] as string;
        const email = `${first}.${last}.${String(user + 1)}@example.com`.toLowerCase();
        names = { first, last, display: `${first} ${last}`, email };
      }
      if (this.userNameCache.size < 100_000) this.userNameCache.set(user, names);
    }
    return names;
  }

  /** A user picked for (stream, index): the API user owns about 10% of what `biased` picks. */
  ownerOf(stream: number, index: number, biased = false): number {
    const h = hash3(this.seed, Stream.placement + stream * 31, index);
    if (biased && h % 10 === 0) return 0;
    return (h >>> 4) % this.counts.user;
  }

  userPublic(user: number): Item {
    const names = this.userNames(user);
    const id = this.userId(user);
    return {
      can: {},
      id,
      first_name: names.first,
      last_name: names.last,
      display_name: names.display,
      avatar_url: `https://www.gravatar.com/avatar/${String(hash3(this.seed, 99, user))}?s=156&d=blank`,
      url: `https://${INSTANCE_HOST}/api/4.0/users/${id}`,
    };
  }

  // ── folders ────────────────────────────────────────────────────────────────────────────
  // index 0: Shared root, 1: Users root, 2..2+U-1: personal folders, then shared folders.

  folderId(folder: number): string {
    return String(folder + 1);
  }

  personalFolderOf(user: number): number {
    return 2 + user;
  }

  folderKind(folder: number): FolderKind {
    if (folder === SHARED_ROOT) return 'shared-root';
    if (folder === USERS_ROOT) return 'users-root';
    if (folder < 2 + this.counts.user) return 'personal';
    return 'shared';
  }

  /** Parent folder index, or -1 for the roots. */
  folderParent(folder: number): number {
    const kind = this.folderKind(folder);
    if (kind === 'shared-root' || kind === 'users-root') return -1;
    if (kind === 'personal') return USERS_ROOT;
    const k = folder - 2 - this.counts.user;
    if (k === 0) return SHARED_ROOT;
    const r = this.unit(Stream.folder, folder);
    if (r < 0.5) return SHARED_ROOT;
    if (r < 0.92)
      return 2 + this.counts.user + Math.floor(this.unit(Stream.folder + 100, folder) * k);
    return this.personalFolderOf(
      Math.floor(this.unit(Stream.folder + 200, folder) * this.counts.user),
    );
  }

  /** Ancestors from the root down to the parent. */
  folderAncestors(folder: number): number[] {
    const chain: number[] = [];
    for (let p = this.folderParent(folder); p >= 0; p = this.folderParent(p)) chain.push(p);
    return chain.reverse();
  }

  folderIsPersonalDescendant(folder: number): boolean {
    if (this.folderKind(folder) !== 'shared') return false;
    return this.folderAncestors(folder).some((a) => this.folderKind(a) === 'personal');
  }

  folderOwner(folder: number): number {
    const kind = this.folderKind(folder);
    if (kind === 'personal') return folder - 2;
    if (kind === 'shared') {
      const ancestors = this.folderAncestors(folder);
      const personal = ancestors.find((a) => this.folderKind(a) === 'personal');
      if (personal !== undefined) return personal - 2;
      return this.ownerOf(Stream.folder, folder);
    }
    return 0;
  }

  folderName(folder: number): string {
    const kind = this.folderKind(folder);
    if (kind === 'shared-root') return 'Shared';
    if (kind === 'users-root') return 'Users';
    if (kind === 'personal') return this.userNames(folder - 2).display;
    const h = hash3(this.seed, Stream.folder + 300, folder);
    const word = FOLDER_WORDS[h % FOLDER_WORDS.length] as string;
    return `${word} ${String(folder - 1 - this.counts.user)}`;
  }

  folderCreatedAt(folder: number): number {
    if (folder < 2) return EPOCH_MS - HISTORY_MS - 30 * DAY_MS;
    return (
      EPOCH_MS - HISTORY_MS + Math.floor(this.unit(Stream.folder + 400, folder) * HISTORY_MS * 0.5)
    );
  }

  folderChildCount(folder: number): number {
    if (!this.childCounts) {
      const counts = new Int32Array(this.folderCount);
      for (let f = 0; f < this.folderCount; f++) {
        const parent = this.folderParent(f);
        if (parent >= 0) counts[parent] = (counts[parent] ?? 0) + 1;
      }
      this.childCounts = counts;
    }
    return this.childCounts[folder] ?? 0;
  }

  /** The FolderBase object of a folder (nested in dashboards and looks; cached, immutable). */
  folderBase(folder: number): Item {
    let cached = this.folderBaseCache.get(folder);
    if (!cached) {
      const kind = this.folderKind(folder);
      const parent = this.folderParent(folder);
      cached = {
        name: this.folderName(folder),
        parent_id: parent < 0 ? null : this.folderId(parent),
        id: this.folderId(folder),
        content_metadata_id: String(100_000 + folder),
        created_at: isoTime(this.folderCreatedAt(folder)),
        creator_id:
          kind === 'shared-root' || kind === 'users-root'
            ? null
            : this.userId(this.folderOwner(folder)),
        child_count: this.folderChildCount(folder),
        external_id: null,
        is_embed: false,
        is_embed_shared_root: false,
        is_embed_users_root: false,
        is_personal: kind === 'personal',
        is_personal_descendant: this.folderIsPersonalDescendant(folder),
        is_shared_root: kind === 'shared-root',
        is_users_root: kind === 'users-root',
        can: FOLDER_CAN,
      };
      Object.freeze(cached);
      if (this.folderBaseCache.size < 100_000) this.folderBaseCache.set(folder, cached);
    }
    return cached;
  }

  /** FolderBase as JSON (cached). */
  folderBaseJson(folder: number): string {
    let json = this.folderJsonCache.get(folder);
    if (json === undefined) {
      json = JSON.stringify(this.folderBase(folder));
      if (this.folderJsonCache.size < 100_000) this.folderJsonCache.set(folder, json);
    }
    return json;
  }

  /**
   * The folder holding content item `index` of a stream (dashboards, looks): mostly shared
   * folders, a share in personal folders, a few in the Shared root.
   */
  contentFolder(stream: number, index: number): number {
    const fixed = this.layoutEnds.length;
    if (stream === Stream.dashboard && fixed > 0) {
      const placed = this.layoutEnds[fixed - 1] as number;
      if (index < placed) return 2 + this.counts.user + this.layoutSlot(index);
    }
    const r = this.unit(Stream.placement + stream * 7, index);
    // Folders of a fixed layout hold exactly their dashboards: the rest go elsewhere.
    const reserved = stream === Stream.dashboard ? fixed : 0;
    const shared = this.counts.folder - reserved;
    const pick = this.unit(Stream.placement + stream * 7 + 1, index);
    if (r < 0.05 || (shared === 0 && r < 0.7)) return SHARED_ROOT;
    if (r < 0.7) return 2 + this.counts.user + reserved + Math.floor(pick * shared);
    return this.personalFolderOf(Math.floor(pick * this.counts.user));
  }

  /** The layout folder (0-based among shared folders) holding fixed-layout dashboard `index`. */
  private layoutSlot(index: number): number {
    let lo = 0;
    let hi = this.layoutEnds.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (index < (this.layoutEnds[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Owner of a content item: the folder owner for personal folders, else any user. */
  contentOwner(stream: number, index: number, folder: number): number {
    const kind = this.folderKind(folder);
    if (
      kind === 'personal' ||
      (kind === 'shared' && this.folderBase(folder).is_personal_descendant === true)
    ) {
      return this.folderOwner(folder);
    }
    return this.ownerOf(stream, index);
  }

  modelLabel(model: string): string {
    return model
      .split('_')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(' ');
  }
}

export const FOLDER_CAN = Object.freeze({
  index: true,
  show: true,
  create: true,
  see_admin_spaces: true,
  update: true,
  destroy: true,
  move_content: true,
  edit_content: true,
});

/** Deeply freezes a generated template so shared references can never be changed. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
