import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const manifest = JSON.parse(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, { flags: Record<string, { char?: string }> }>;
};

describe('README', () => {
  it('starts with the two set-up commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toMatch(/^npm ci && npm run demo\b/m);
    expect(firstBlock).toMatch(/^npm test\b/m);
  });

  it('documents every command and every flag the CLI has', () => {
    for (const [id, command] of Object.entries(manifest.commands)) {
      // Topics are separated by a space on the command line (`remote list`).
      expect(readme).toContain(`lookervault ${id.replace(/:/g, ' ')}`);
      for (const [name, flag] of Object.entries(command.flags)) {
        expect({
          id,
          flag: name,
          documented: readme.includes(`--${name}`) || readme.includes(`--[no-]${name}`),
        }).toEqual({
          id,
          flag: name,
          documented: true,
        });
        if (flag.char) expect(readme).toContain(`-${flag.char}, --`);
      }
    }
  });

  it('lists every exit code', () => {
    for (const code of [0, 1, 2, 3, 4, 130])
      expect(readme).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});
