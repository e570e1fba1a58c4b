import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT, runCli } from '../../helpers/cli.js';

interface Manifest {
  version: string;
  commands: Record<string, { flags: Record<string, unknown> }>;
}

const manifest = JSON.parse(
  readFileSync(path.join(PROJECT_ROOT, 'oclif.manifest.json'), 'utf8'),
) as Manifest;
const commandFiles = readdirSync(path.join(PROJECT_ROOT, 'src', 'commands'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.replace(/\.ts$/, ''))
  .sort();

describe('the package', () => {
  it('oclif.manifest.json lists every command with the flags it has now', async () => {
    expect(Object.keys(manifest.commands).sort()).toEqual(commandFiles);
    for (const id of commandFiles) {
      const url = pathToFileURL(path.join(PROJECT_ROOT, 'dist', 'commands', `${id}.js`)).href;
      const command = (await import(url)) as {
        default: { flags?: Record<string, unknown>; baseFlags?: Record<string, unknown> };
      };
      const flags = { ...command.default.baseFlags, ...command.default.flags };
      expect(Object.keys(manifest.commands[id]?.flags ?? {}).sort()).toEqual(
        Object.keys(flags).sort(),
      );
    }
  });

  it('lookervault --help lists every command', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const id of commandFiles) expect(result.stdout).toMatch(new RegExp(`^\\s+${id}\\s`, 'm'));
  });

  it('the packed tarball holds everything the CLI needs to run', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lookervault-pack-'));
    try {
      const output = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        env: { ...process.env, npm_config_ignore_scripts: 'true' },
      });
      const [packed] = JSON.parse(output) as Array<{ filename: string; files: { path: string }[] }>;
      if (!packed) throw new Error('npm pack reported nothing');
      const files = packed.files.map((file) => file.path);
      expect(files).toEqual(
        expect.arrayContaining([
          'bin/run.js',
          'oclif.manifest.json',
          'dist/commands/extract.js',
          'dist/store/writer-thread.js',
          'dist/sim/spec/looker-4.0-subset.oas.json',
          'README.md',
        ]),
      );
      expect(files.some((file) => file.startsWith('src/') || file.startsWith('test/'))).toBe(false);
      execFileSync('tar', ['-xzf', path.join(dir, packed.filename), '-C', dir]);
      const unpacked = path.join(dir, 'package');
      // The tarball's own files, with this checkout's installed dependencies.
      symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(unpacked, 'node_modules'));
      const help = execFileSync(
        process.execPath,
        [path.join(unpacked, 'bin', 'run.js'), '--help'],
        {
          encoding: 'utf8',
          env: { ...process.env, NODE_ENV: 'production' },
        },
      );
      for (const id of commandFiles) expect(help).toContain(id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
