/**
 * Looker's search semantics: paging (`limit`/`offset` over `page`/`per_page`), `sorts`, and
 * filter values (case-insensitive; `%` and `_` wildcards; `IS NULL` / `NOT NULL`).
 */

export class BadRequest extends Error {}

export interface Paging {
  offset: number;
  /** undefined: everything from offset on. */
  limit: number | undefined;
}

export interface PagingParams {
  limit?: number;
  offset?: number;
  page?: number;
  per_page?: number;
}

/** `limit`/`offset` win over the deprecated `page`/`per_page`; neither: everything. */
export function resolvePaging(params: PagingParams): Paging {
  const { limit, offset, page, per_page: perPage } = params;
  if (limit !== undefined && limit < 0) throw new BadRequest('limit must be ≥ 0');
  if (offset !== undefined && offset < 0) throw new BadRequest('offset must be ≥ 0');
  if (limit !== undefined || offset !== undefined) return { offset: offset ?? 0, limit };
  if (page !== undefined || perPage !== undefined) {
    if (page !== undefined && page < 1) throw new BadRequest('page must be ≥ 1');
    if (perPage !== undefined && perPage < 1) throw new BadRequest('per_page must be ≥ 1');
    if (perPage === undefined) return { offset: 0, limit: undefined };
    return { offset: ((page ?? 1) - 1) * perPage, limit: perPage };
  }
  return { offset: 0, limit: undefined };
}

export interface Sort {
  field: string;
  desc: boolean;
}

export function parseSorts(text: string): Sort[] {
  const sorts: Sort[] = [];
  for (const part of text.split(',')) {
    const words = part
      .trim()
      .split(/\s+/)
      .filter((w) => w.length > 0);
    if (words.length === 0) continue;
    const [field, direction, extra] = words as [string, string | undefined, string | undefined];
    const dir = direction?.toLowerCase();
    if (extra !== undefined || (dir !== undefined && dir !== 'asc' && dir !== 'desc')) {
      throw new BadRequest(
        `invalid sort "${part.trim()}": use "field", "field asc" or "field desc"`,
      );
    }
    sorts.push({ field, desc: dir === 'desc' });
  }
  return sorts;
}

export type Matcher =
  | { kind: 'eq'; value: string }
  | { kind: 'like'; regex: RegExp }
  | { kind: 'null'; negate: boolean }
  | { kind: 'in'; values: Set<string> };

/** Normalized form of a field value for comparisons and equality indexes. */
export function normalize(value: unknown): string {
  if (value === null || value === undefined) return '\u0000';
  if (typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function parseMatcher(text: string): Matcher {
  const upper = text.trim().toUpperCase();
  if (upper === 'IS NULL' || upper === 'NULL') return { kind: 'null', negate: false };
  if (upper === 'NOT NULL' || upper === 'IS NOT NULL') return { kind: 'null', negate: true };
  if (text.includes('%') || text.includes('_')) {
    const pattern = text
      .split('')
      .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return { kind: 'like', regex: new RegExp(`^${pattern}$`, 'is') };
  }
  return { kind: 'eq', value: text.toLowerCase() };
}

export function matches(matcher: Matcher, value: unknown): boolean {
  switch (matcher.kind) {
    case 'eq':
      return normalize(value) === matcher.value;
    case 'in':
      return matcher.values.has(normalize(value));
    case 'null':
      return (value === null || value === undefined) !== matcher.negate;
    case 'like':
      return value !== null && value !== undefined && matcher.regex.test(text(value));
  }
}

function isDigits(text: string): boolean {
  if (text.length === 0 || text.length > 15) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Orders values as Looker's database would: nulls first, numbers and numeric ids numerically. */
export function compareValues(a: unknown, b: unknown): number {
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  if (aNull || bNull) return aNull === bNull ? 0 : aNull ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = text(a);
  const sb = text(b);
  if (isDigits(sa) && isDigits(sb)) return Number(sa) - Number(sb);
  const la = sa.toLowerCase();
  const lb = sb.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}
