/**
 * File and directory names that are valid and distinct on Linux, macOS and Windows: Looker's
 * names may hold any character, and a tree made on one system is checked out on the others.
 */

/** Characters Windows forbids in a name (and `/`, which no system allows), and controls. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[<>:"/\\|?*\u0000-\u001f\u007f]/g;
/** Device names Windows reserves whatever the extension (`CON`, `con.json`, `COM1.txt`). */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
/** Characters of a name, kept short so that deep folders stay within Windows' 260. */
const MAX_NAME_CHARACTERS = 80;

/**
 * A name safe everywhere: NFC (macOS stores names decomposed; git compares bytes), forbidden
 * characters as `_`, runs of white space as one space, no leading or trailing space, no trailing
 * dot (Windows drops it), not a reserved device name, at most 80 characters, never empty.
 */
export function safeName(name: string): string {
  let safe = name.normalize('NFC').replace(/\s+/g, ' ').replace(FORBIDDEN, '_').trim();
  safe = safe.replace(/[. ]+$/, '');
  const characters = Array.from(safe);
  if (characters.length > MAX_NAME_CHARACTERS) {
    safe = characters
      .slice(0, MAX_NAME_CHARACTERS)
      .join('')
      .replace(/[. ]+$/, '');
  }
  if (safe === '' || /^\.+$/.test(safe)) safe = '_';
  if (RESERVED.test(safe)) safe = `${safe}_`;
  return safe;
}

/** The key under which two names collide on a case-insensitive file system (macOS, Windows). */
export function collisionKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}
