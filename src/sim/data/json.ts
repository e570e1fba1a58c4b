/**
 * Building JSON text directly. The heavy generators (dashboards, looks, queries) write their
 * JSON as strings instead of building objects for JSON.stringify, which is several times
 * faster; object forms are obtained with JSON.parse when a request needs them (`fields`,
 * patches). The output is canonical (what JSON.stringify would produce), which a unit test
 * checks over a sample of every collection.
 *
 * `q` quotes strings the generators made from their own vocabulary (no quotes, backslashes or
 * control characters); anything else goes through `esc` (JSON.stringify).
 */

export function q(text: string): string {
  return `"${text}"`;
}

export function qn(text: string | null): string {
  return text === null ? 'null' : `"${text}"`;
}

export function esc(text: string | null): string {
  return JSON.stringify(text);
}
