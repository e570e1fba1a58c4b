import { afterEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { makeTempDir } from '../../helpers/tmp.js';
import { CLI_PATH, PROJECT_ROOT, runCli } from '../../helpers/cli.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** oclif keeps plugin and autocomplete state under the XDG folders: one per test. */
function isolatedEnv(): NodeJS.ProcessEnv {
  const { dir, cleanup } = makeTempDir('lookervault-plugins-');
  cleanups.push(cleanup);
  return {
    HOME: dir,
    XDG_CACHE_HOME: path.join(dir, 'cache'),
    XDG_DATA_HOME: path.join(dir, 'data'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
  };
}

describe('oclif plugins', () => {
  it('lookervault plugins lists what the user installed (nothing yet)', async () => {
    const result = await runCli(['plugins'], { env: isolatedEnv() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No plugins installed.');
  });

  it('lookervault autocomplete bash prints the setup and builds the completion cache', async () => {
    const env = isolatedEnv();
    const result = await runCli(['autocomplete', 'bash'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('lookervault autocomplete script bash');
    const script = await runCli(['autocomplete', 'script', 'bash'], { env });
    expect(script.code).toBe(0);
    expect(script.stdout).toMatch(/LOOKERVAULT_AC_BASH_SETUP_PATH=.*autocomplete/);
  });

  it('a mistyped command on a terminal suggests the right one', () => {
    // plugin-not-found asks only on a terminal: run it under `script`, answering "n".
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_PATH)} extarct`;
    const result = spawnSync('script', ['-qec', command, '/dev/null'], {
      cwd: PROJECT_ROOT,
      input: 'n\n',
      encoding: 'utf8',
      env: { ...process.env, ...isolatedEnv(), NODE_ENV: 'production', NO_COLOR: '1' },
      timeout: 60_000,
    });
    expect(result.stdout).toContain('extarct is not a lookervault command');
    expect(result.stdout).toMatch(/Did you mean .*extract.*\?/);
    expect(result.status).toBe(127);
  });
});
