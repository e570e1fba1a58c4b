import type { ContentType } from '../content-types.js';
import type { ListingDecision } from '../engine/run-summary.js';
import { canonicalJson } from '../store/index.js';

/**
 * Whether a type's items are taken from its listing pages (one request per page) or fetched
 * one by one. Probe, then trust: a listing that may carry whole objects is used only while
 * probes show that what it carries equals what `fetchById` gives. Every page taken from a
 * listing is probed itself (one item, three on a type's first page) and every item on it is
 * checked to have the nested parts a listing may leave out (so one item stripped of its tiles
 * cannot hide behind a probe of another); a page that fails is fetched by id, and so is the
 * rest of its type. So no page is stored before its own probe passed.
 */

/** How items of a type are fetched; `by-id` forces the per-item fetch for every type. */
export type FetchMode = 'auto' | 'by-id';

/** Probes on a type's first page, spread over it; later pages probe one item each. */
const FIRST_PAGE_PROBES = 3;

interface TypeTrust {
  source: 'listing' | 'by-id';
  /** Whether some page proved the listing complete. */
  proven: boolean;
  /** `fields` asked of the listing, once the default shape proved incomplete. */
  fields: string | undefined;
  /** Whether asking with `fields` has been tried. */
  triedFields: boolean;
  reason: string | null;
  probes: number;
  mismatches: number;
}

/** What comparing probed items with their listed copies found. */
export type ProbeVerdict =
  | { ok: true }
  | {
      ok: false;
      /** Keys missing from, or different in, the listed items. */
      keys: string[];
      /** The top-level keys the detail call gives (what to ask for with `fields`). */
      detailKeys: string[];
    };

export class ListingTrust {
  private readonly types = new Map<ContentType, TypeTrust>();

  /** `types`: those whose registry row has a whole listing. */
  constructor(types: readonly ContentType[], mode: FetchMode) {
    for (const type of types) {
      this.types.set(type, {
        source: mode === 'by-id' ? 'by-id' : 'listing',
        proven: false,
        fields: undefined,
        triedFields: false,
        reason: mode === 'by-id' ? 'per-item fetch asked for (--fetch by-id)' : null,
        probes: 0,
        mismatches: 0,
      });
    }
  }

  /** Whether pages of `type` are taken from its whole listing now. */
  usesListing(type: ContentType): boolean {
    return this.types.get(type)?.source === 'listing';
  }

  fields(type: ContentType): string | undefined {
    return this.types.get(type)?.fields;
  }

  /** How many items of a page to probe. */
  probeCount(type: ContentType): number {
    return this.types.get(type)?.proven === true ? 1 : FIRST_PAGE_PROBES;
  }

  /**
   * After a failed probe with the default shape: the `fields` to ask for once (every key the
   * spec gives the type, and any other key the probed items had), or undefined when that was
   * tried already.
   */
  retryWithFields(
    type: ContentType,
    verdict: ProbeVerdict,
    specKeys: readonly string[],
  ): string | undefined {
    const trust = this.types.get(type);
    if (!trust || verdict.ok || trust.triedFields) return undefined;
    trust.triedFields = true;
    trust.fields = [...new Set([...specKeys, ...verdict.detailKeys])].join(',');
    return trust.fields;
  }

  /**
   * Records a probe's outcome. A failed one that is `final` (no retry with `fields` follows)
   * sends the rest of the type to per-item fetches.
   */
  record(type: ContentType, probed: number, verdict: ProbeVerdict, final = true): void {
    const trust = this.types.get(type);
    if (!trust) return;
    trust.probes += probed;
    if (verdict.ok) {
      trust.proven = true;
      return;
    }
    trust.mismatches += 1;
    if (final && trust.source === 'listing') {
      trust.source = 'by-id';
      trust.reason = `listing pages lack or differ in ${verdict.keys.slice(0, 5).join(', ')}${verdict.keys.length > 5 ? ` and ${verdict.keys.length - 5} more keys` : ''}`;
    }
  }

  decisions(): Partial<Record<ContentType, ListingDecision>> {
    const out: Partial<Record<ContentType, ListingDecision>> = {};
    for (const [type, trust] of this.types) {
      out[type] = {
        source: trust.source,
        reason: trust.reason,
        fields: trust.fields ?? null,
        probes: trust.probes,
        mismatches: trust.mismatches,
      };
    }
    return out;
  }
}

/** Indexes of the items of a page of `length` to probe: `count` of them, spread over it. */
export function probeIndexes(length: number, count: number, seed: number): number[] {
  if (length === 0) return [];
  if (count === 1) return [seed % length];
  const picks = new Set<number>();
  for (let i = 0; i < count; i++)
    picks.add(Math.round((i * (length - 1)) / Math.max(1, count - 1)));
  return [...picks];
}

/**
 * Compares each probed item (fetched by id) with its listed copy. `missingParts`: the nested
 * parts a listing may leave out that some listed item lacks (other keys may be absent from some
 * items by right, so only the probes vouch for them).
 */
export function compareProbes(
  probes: readonly { listed: Record<string, unknown>; detail: Record<string, unknown> }[],
  missingParts: ReadonlySet<string>,
): ProbeVerdict {
  const detailKeys = new Set<string>();
  for (const probe of probes) for (const key of Object.keys(probe.detail)) detailKeys.add(key);
  const differing = new Set<string>(missingParts);
  for (const { listed: copy, detail } of probes) {
    if (canonicalJson(copy) === canonicalJson(detail)) continue;
    for (const key of new Set([...Object.keys(copy), ...Object.keys(detail)])) {
      if (!(key in copy) || !(key in detail)) differing.add(key);
      else if (canonicalJson(copy[key]) !== canonicalJson(detail[key])) differing.add(key);
    }
  }
  if (differing.size === 0) return { ok: true };
  return { ok: false, keys: [...differing].sort(), detailKeys: [...detailKeys] };
}
