import type { ContentTypeSpec, FetchedItem, InvalidItem, ParsedItem } from '../looker/registry.js';
import type { ItemProblem, PageWrite, RawItemWrite, UncheckedItemWrite } from '../store/index.js';
import type { WorkUnit } from './streams.js';

/**
 * How what a unit fetched becomes the page the writer commits: items to store, items the
 * server sent that failed validation, items that could not be fetched. Pure functions.
 */

export interface FetchedItems {
  /** Unchecked items (fetched as bytes) are validated by the writer, off the event loop. */
  items: (RawItemWrite | UncheckedItemWrite)[];
  /** Items the server returned that failed validation. */
  invalid: ItemProblem[];
  /** Items that could not be fetched (after retries). */
  unfetched: ItemProblem[];
}

export function emptyFetched(): FetchedItems {
  return { items: [], invalid: [], unfetched: [] };
}

/**
 * Adds one item fetched by id: bytes go to the writer unchecked; a parsed item as JSON text
 * (see {@link collectParsed}).
 */
export function collectFetched(id: string, fetched: FetchedItem, into: FetchedItems): void {
  if (fetched.kind === 'bytes') into.items.push({ id, rawJson: fetched.bytes, unchecked: true });
  else collectParsed(fetched.item, fetched.json, into);
}

/**
 * Adds a checked item, as JSON text for the writer to canonicalize and hash in its thread: the
 * response's own text when known, else the value re-serialized (items of a list page, small).
 */
function collectParsed(
  parsed: ParsedItem | InvalidItem,
  json: string | Uint8Array | undefined,
  into: FetchedItems,
): void {
  if (!parsed.ok) {
    into.invalid.push(
      parsed.id === undefined ? { error: parsed.error } : { id: parsed.id, error: parsed.error },
    );
    return;
  }
  const { id, name, folderId, ownerId, createdAt, updatedAt, deleted } = parsed;
  into.items.push({
    id,
    name,
    folderId,
    ownerId,
    createdAt,
    updatedAt,
    deleted,
    rawJson: json ?? JSON.stringify(parsed.value),
  });
}

/** Validates the items of a listing that carries complete objects. */
export function validateListed(spec: ContentTypeSpec, raw: unknown[]): FetchedItems {
  const fetched = emptyFetched();
  for (const entry of raw) collectParsed(spec.parseItem(entry), undefined, fetched);
  return fetched;
}

/** The page's checkpoint and items; a page with items that could not be fetched is failed. */
export function toPageWrite(unit: WorkUnit, rawCount: number, fetched: FetchedItems): PageWrite {
  return {
    type: unit.type,
    unitKey: unit.unitKey,
    ...offsetsOf(unit),
    rawCount,
    items: fetched.items,
    invalid: [...fetched.invalid, ...fetched.unfetched],
    ...(fetched.unfetched.length > 0 ? { failure: describeUnfetched(fetched.unfetched) } : {}),
  };
}

/** The checkpoint of a unit that failed as a whole (its listing request, after retries). */
export function failedUnitWrite(unit: WorkUnit, error: string, attempts: number): PageWrite {
  return {
    type: unit.type,
    unitKey: unit.unitKey,
    ...offsetsOf(unit),
    rawCount: 0,
    items: [],
    invalid: [],
    failure: { error, attempts },
  };
}

function offsetsOf(unit: WorkUnit): { offset?: number; limit?: number } {
  return unit.kind === 'page' ? { offset: unit.offset, limit: unit.limit } : {};
}

export function listedIds(raw: unknown[]): string[] {
  return raw.flatMap((entry) => {
    const id = (entry as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id.length > 0 ? [id] : [];
  });
}

/** Listed entries without a usable id: reported, with the id as text when there is one. */
export function listedIdProblems(raw: unknown[]): ItemProblem[] {
  return raw.flatMap((entry): ItemProblem[] => {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && id.length > 0) return [];
    const error = `listed with ${id === undefined ? 'no id' : `id ${JSON.stringify(id)}`}; expected a non-empty string id`;
    return typeof id === 'number' ? [{ id: String(id), error }] : [{ error }];
  });
}

export function describeUnfetched(problems: readonly ItemProblem[]): {
  error: string;
  attempts: number;
} {
  const first = problems
    .slice(0, 3)
    .map((problem) => `${problem.id ?? '?'}: ${problem.error}`)
    .join('; ');
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  return { error: `${problems.length} item(s) could not be fetched: ${first}${more}`, attempts: 1 };
}

export function describeUnit(unit: WorkUnit): string {
  const where = unit.folderId === undefined ? unit.type : `${unit.type} in folder ${unit.folderId}`;
  switch (unit.kind) {
    case 'page':
      return `${where} offset ${unit.offset}`;
    case 'children':
      return `${where} of ${unit.parentId}`;
    case 'ids':
      return `${where} (${unit.ids.length} by id)`;
    case 'reconcile':
      return `${where} reconcile`;
  }
}
