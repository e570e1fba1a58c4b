import { createHash } from 'node:crypto';
import type { ItemWrite } from './types.js';

/**
 * Canonical JSON: object keys sorted (by UTF-16 code units, as RFC 8785 does) at every depth,
 * no whitespace, arrays in order, strings and numbers exactly as `JSON.stringify` writes them.
 * The same data gives the same string whatever key order the server used, so its hash tells
 * real changes from reordering. Like `JSON.stringify`, `toJSON` is honoured, `undefined` and
 * functions are dropped from objects (and become `null` in arrays), non-finite numbers become
 * `null`. A cycle or a BigInt throws a TypeError.
 *
 * Speed matters (every item of a backup goes through here on the main thread): the fast path
 * copies the value with sorted keys and lets the native `JSON.stringify` write it, about 1.5×
 * the cost of a plain stringify. Native stringify always writes integer-like keys ("2", "10")
 * first in numeric order, which is not code-unit order, so a value holding such a key, or
 * nested deeper than any API response, goes through the exact (slower) writer instead.
 */
export function canonicalJson(value: unknown): string {
  let sorted: unknown;
  try {
    sorted = sortedCopy(value, 0);
  } catch (error) {
    if (error !== NEEDS_EXACT_WRITER) throw error;
    return exactCanonicalJson(value);
  }
  const text = JSON.stringify(sorted) as string | undefined;
  if (text === undefined) throw new TypeError('canonicalJson: value has no JSON representation');
  return text;
}

/** SHA-256 of the canonical JSON (UTF-8), as 64 lowercase hex digits. */
export function contentHash(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * Builds the `ItemWrite` for one item from its raw value and the metadata the registry reads
 * from it: canonical JSON, its hash and its size in one place.
 */
export function makeItemWrite(
  value: unknown,
  metadata: Omit<ItemWrite, 'json' | 'hash' | 'size'>,
): ItemWrite {
  const json = canonicalJson(value);
  return { ...metadata, json, hash: contentHash(json), size: Buffer.byteLength(json, 'utf8') };
}

/** Thrown inside the fast path when only the exact writer can produce the right output. */
const NEEDS_EXACT_WRITER = new Error('canonicalJson: needs the exact writer');

/** Deeper than this, assume a cycle and let the exact writer report it. */
const MAX_FAST_DEPTH = 256;

function sortedCopy(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_FAST_DEPTH) throw NEEDS_EXACT_WRITER;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return sortedCopy((value as { toJSON: () => unknown }).toJSON(), depth + 1);
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = sortedCopy(value[i] as unknown, depth + 1);
    return out;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // Integer-like keys are enumerated first; if there is one, it is the first key.
  if (keys.length > 0 && isIntegerLike(keys[0] as string)) throw NEEDS_EXACT_WRITER;
  keys.sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = sortedCopy(record[key], depth + 1);
  return out;
}

/** Array-index-like keys, which JavaScript objects always enumerate first. */
function isIntegerLike(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57 && /^(0|[1-9]\d*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/** The reference implementation: writes the canonical form directly. Exported for tests. */
export function exactCanonicalJson(value: unknown): string {
  const text = write(value, new Set());
  if (text === undefined) throw new TypeError('canonicalJson: value has no JSON representation');
  return text;
}

function write(value: unknown, ancestors: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: BigInt values have no JSON representation');
    case 'object':
      break;
    default:
      // undefined, function, symbol: omitted from objects, null in arrays (as JSON.stringify).
      return undefined;
  }
  if (value === null) return 'null';
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') {
    return write((withToJson.toJSON as () => unknown)(), ancestors);
  }
  if (ancestors.has(value)) throw new TypeError('canonicalJson: value contains a cycle');
  ancestors.add(value);
  const parts: string[] = [];
  let out: string;
  if (Array.isArray(value)) {
    for (const element of value as unknown[]) parts.push(write(element, ancestors) ?? 'null');
    out = `[${parts.join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record).sort()) {
      const member = write(record[key], ancestors);
      if (member !== undefined) parts.push(`${JSON.stringify(key)}:${member}`);
    }
    out = `{${parts.join(',')}}`;
  }
  ancestors.delete(value);
  return out;
}
