/**
 * Scans of JSON bytes that stop short of parsing them, for bodies only the store's writer
 * thread parses: whether a body is complete (a truncated one is retried), and the items of an
 * array of objects (a page of whole dashboards, megabytes, goes to the writer item by item). For
 * each item the split also reads its top-level `id` (when a string without escapes) and which
 * of some top-level keys it has.
 */

export interface ArrayItem {
  /** The item's bytes (a view into the page's buffer). */
  bytes: Uint8Array;
  /** Its top-level `id` when that is a plain string, else undefined. */
  id: string | undefined;
  /** Which of the keys asked about it has at its top level. */
  has: Set<string>;
}

/** The bytes (and UTF-16 code units) of JSON's structure; shared with src/export/indent-json.ts. */
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COLON = 0x3a;
export const COMMA = 0x2c;

function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Whether `bytes` hold one JSON object or array whose brackets (outside strings) balance and
 * close exactly at its last non-whitespace byte: true of any complete document, false of
 * every truncation of one. Tokens between the brackets are not checked.
 */
export function isCompleteJsonValue(bytes: Uint8Array): boolean {
  let start = 0;
  let end = bytes.length;
  while (start < end && isJsonWhitespace(bytes[start] as number)) start++;
  while (end > start && isJsonWhitespace(bytes[end - 1] as number)) end--;
  const first = bytes[start];
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return false;
  let depth = 0;
  let inString = false;
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i === end - 1;
      if (depth < 0) return false;
    }
  }
  return false;
}

/** The latin1 text of `bytes[from, to)`: exact for the ASCII keys and ids it is used on. */
function ascii(bytes: Uint8Array, from: number, to: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
}

/**
 * The objects of a JSON array, or undefined when `bytes` is not an array whose elements are all
 * objects (the caller then parses it and reports what it is). Assumes valid JSON (a truncated
 * body was refused before); tokens between brackets are not checked.
 */
export function splitJsonArray(
  bytes: Uint8Array,
  keys: readonly string[],
): ArrayItem[] | undefined {
  const wanted = new Set(keys);
  let i = 0;
  const end = bytes.length;
  while (i < end && isJsonWhitespace(bytes[i] as number)) i++;
  if (bytes[i] !== OPEN_BRACKET) return undefined;
  i++;
  const items: ArrayItem[] = [];
  let depth = 1;
  let start = -1;
  let current: ArrayItem | undefined;
  /** Inside an item at depth 2, whether the next string is a key. */
  let expectKey = false;
  let lastKey: string | undefined;
  for (; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte === QUOTE) {
      const from = i + 1;
      let escaped = false;
      i++;
      while (i < end && bytes[i] !== QUOTE) {
        if (bytes[i] === BACKSLASH) {
          escaped = true;
          i++;
        }
        i++;
      }
      if (depth === 2 && current) {
        if (expectKey) {
          lastKey = escaped ? undefined : ascii(bytes, from, i);
          if (lastKey !== undefined && wanted.has(lastKey)) current.has.add(lastKey);
          expectKey = false;
        } else if (lastKey === 'id' && !escaped) {
          current.id = Buffer.from(bytes.buffer, bytes.byteOffset + from, i - from).toString(
            'utf8',
          );
        }
      }
      continue;
    }
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (depth === 1) {
        if (byte !== OPEN_BRACE) return undefined;
        start = i;
        current = { bytes: bytes.subarray(0, 0), id: undefined, has: new Set() };
        expectKey = true;
      }
      depth++;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
      if (depth === 1 && current) {
        current.bytes = bytes.subarray(start, i + 1);
        items.push(current);
        current = undefined;
      } else if (depth === 0) {
        return items;
      }
    } else if (depth === 2 && current) {
      if (byte === COMMA) {
        expectKey = true;
        lastKey = undefined;
      } else if (byte === COLON) {
        expectKey = false;
      } else if (!isJsonWhitespace(byte) && lastKey === 'id') {
        lastKey = undefined; // a non-string id
      }
    } else if (depth === 1 && !isJsonWhitespace(byte) && byte !== COMMA) {
      return undefined; // a scalar element
    }
  }
  return undefined;
}
