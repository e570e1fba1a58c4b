import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from '../looker/json-scan.js';

/**
 * Indents compact JSON (the backup's canonical form: no white space outside strings) by two
 * spaces, as `JSON.stringify(value, null, 2)` would, but straight from the text: no object tree
 * is built, so exporting 100,000 items makes a fraction of the garbage (and keeps the stored key
 * order even for keys that look like integers, which `JSON.parse` would move to the front).
 */
export function indentJson(compact: string): string {
  const parts: string[] = [];
  let depth = 0;
  let runStart = 0;
  const newline = (levels: number): string => `\n${'  '.repeat(levels)}`;
  for (let i = 0; i < compact.length; i++) {
    const c = compact.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string: its escapes (\" among them) are copied as they are.
      i += 1;
      while (i < compact.length) {
        const s = compact.charCodeAt(i);
        if (s === BACKSLASH) i += 2;
        else if (s === QUOTE) break;
        else i += 1;
      }
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const next = compact.charCodeAt(i + 1);
      if (next === CLOSE_BRACE || next === CLOSE_BRACKET) {
        i += 1;
        continue;
      }
      parts.push(compact.slice(runStart, i + 1), newline(++depth));
      runStart = i + 1;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      parts.push(compact.slice(runStart, i), newline(--depth));
      runStart = i;
    } else if (c === COMMA) {
      parts.push(compact.slice(runStart, i + 1), newline(depth));
      runStart = i + 1;
    } else if (c === COLON) {
      parts.push(compact.slice(runStart, i + 1), ' ');
      runStart = i + 1;
    }
  }
  parts.push(compact.slice(runStart));
  return parts.join('');
}
