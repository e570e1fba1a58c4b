import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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
// Commands in a topic directory (`remote/list.ts`) have the id `remote:list`.
const commandFiles = (
  readdirSync(path.join(PROJECT_ROOT, 'src', 'commands'), { recursive: true }) as string[]
)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.replace(/\.ts$/, '').split(path.sep).join(':'))
  .sort();
/** What the top-level help lists: a command, or the topic a command belongs to (`remote`). */
const listedNames = [...new Set(commandFiles.map((id) => id.split(':')[0] as string))];

describe('the package', () => {
  it('oclif.manifest.json lists every command with the flags it has now', async () => {
    expect(Object.keys(manifest.commands).sort()).toEqual(commandFiles);
    for (const id of commandFiles) {
      const url = pathToFileURL(
        path.join(PROJECT_ROOT, 'dist', 'commands', `${id.split(':').join('/')}.js`),
      ).href;
      const command = (await import(url)) as {
        default: {
          flags?: Record<string, unknown>;
          baseFlags?: Record<string, unknown>;
          enableJsonFlag?: boolean;
        };
      };
      // oclif adds --json to a command that enables it.
      const json = command.default.enableJsonFlag === true ? { json: true } : {};
      const flags = { ...command.default.baseFlags, ...command.default.flags, ...json };
      expect(Object.keys(manifest.commands[id]?.flags ?? {}).sort()).toEqual(
        Object.keys(flags).sort(),
      );
    }
  });

  it('lookervault --help lists every command', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const name of listedNames) {
      expect(result.stdout).toMatch(new RegExp(`^\\s+${name}\\s`, 'm'));
    }
  });

  describe('packed', () => {
    let dir = '';
    let files: string[] = [];
    /** A temp project with the tarball installed as node_modules/lookervault. */
    let project = '';

    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'lookervault-pack-'));
      const output = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        env: { ...process.env, npm_config_ignore_scripts: 'true' },
      });
      const [packed] = JSON.parse(output) as Array<{ filename: string; files: { path: string }[] }>;
      if (!packed) throw new Error('npm pack reported nothing');
      files = packed.files.map((file) => file.path);
      project = path.join(dir, 'project');
      mkdirSync(path.join(project, 'node_modules'), { recursive: true });
      execFileSync('tar', ['-xzf', path.join(dir, packed.filename), '-C', dir]);
      const installed = path.join(project, 'node_modules', 'lookervault');
      renameSync(path.join(dir, 'package'), installed);
      // The tarball's own files, with this checkout's installed dependencies (no registry here).
      symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(installed, 'node_modules'));
      writeFileSync(
        path.join(project, 'package.json'),
        JSON.stringify({ name: 'uses-lookervault', private: true, type: 'module' }),
      );
    });

    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('holds everything the CLI and the library need, and no sources or tests', () => {
      expect(files).toEqual(
        expect.arrayContaining([
          'bin/run.js',
          'oclif.manifest.json',
          'dist/commands/extract.js',
          'dist/store/writer-thread.js',
          'dist/sim/spec/looker-4.0-subset.oas.json',
          'dist/index.js',
          'dist/index.d.ts',
          'dist/sim/index.js',
          'README.md',
        ]),
      );
      expect(files.some((file) => file.startsWith('src/') || file.startsWith('test/'))).toBe(false);
    });

    it('runs the CLI from the installed package', () => {
      const bin = path.join(project, 'node_modules', 'lookervault', 'bin', 'run.js');
      const help = execFileSync(process.execPath, [bin, '--help'], {
        encoding: 'utf8',
        env: { ...process.env, NODE_ENV: 'production' },
      });
      for (const name of listedNames) expect(help).toContain(name);
    });

    it("import('lookervault') backs up a simulator and reads the backup back", () => {
      const script = path.join(project, 'backup.mjs');
      writeFileSync(
        script,
        [
          "import { extract, openBackup } from 'lookervault';",
          "import { startSimulator } from 'lookervault/sim';",
          'const counts = { dashboard: 150, look: 80, folder: 30, board: 1, user: 1, group: 1,',
          '  role: 1, permission_set: 1, model_set: 1, lookml_model: 1, scheduled_plan: 1 };',
          'const sim = await startSimulator({ counts });',
          'const kinds = new Set();',
          'const summary = await extract({',
          "  db: 'looker.db',",
          '  connection: { baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret },',
          "  types: ['dashboard', 'look', 'folder'],",
          '  workers: 4,',
          '  onEvent: (event) => kinds.add(event.kind),',
          '});',
          "const backup = openBackup('looker.db');",
          "const dashboard = backup.item('dashboard', '1');",
          'const result = {',
          '  status: summary.status,',
          '  stored: summary.totals.stored,',
          '  kinds: [...kinds].sort(),',
          '  contents: backup.contents().map((c) => [c.type, c.items]),',
          '  dashboard: dashboard && dashboard.content.id,',
          "  looks: [...backup.items('look')].length,",
          '};',
          'backup.close();',
          'await sim.close();',
          'console.log(JSON.stringify(result));',
        ].join('\n'),
      );
      // As a file, and as `node --input-type=module -e` (whose options a worker thread refuses).
      const code = readFileSync(script, 'utf8');
      const evaluated = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
        cwd: path.join(project, 'node_modules'),
        encoding: 'utf8',
      });
      expect(JSON.parse(evaluated)).toMatchObject({ status: 'success' });
      const output = execFileSync(process.execPath, [script], { cwd: project, encoding: 'utf8' });
      const result = JSON.parse(output) as {
        status: string;
        stored: number;
        kinds: string[];
        contents: [string, number][];
        dashboard: string;
        looks: number;
      };
      expect(result.status).toBe('success');
      expect(result.stored).toBeGreaterThanOrEqual(150 + 80 + 30);
      expect(result.kinds).toEqual(expect.arrayContaining(['run-started', 'run-finished']));
      expect(Object.fromEntries(result.contents)).toMatchObject({ look: result.looks });
      expect(result.dashboard).toBe('1');
    });

    it("require('lookervault') works from CommonJS too", () => {
      const output = execFileSync(
        process.execPath,
        [
          '--no-warnings',
          '-e',
          "const m = require('lookervault'); const s = require('lookervault/sim');" +
            'console.log(typeof m.extract, typeof m.openBackup, typeof s.startSimulator)',
        ],
        { cwd: project, encoding: 'utf8' },
      );
      expect(output.trim()).toBe('function function function');
    });
  });
});
