import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_PATH = path.join(PROJECT_ROOT, 'bin', 'run.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the process if it runs longer than this (a safety net, not an assertion). */
  timeoutMs?: number;
  /** Called with each stderr chunk as it arrives (e.g. to send SIGINT once progress shows). */
  onStderr?: (chunk: string, child: import('node:child_process').ChildProcess) => void;
  onStdout?: (chunk: string, child: import('node:child_process').ChildProcess) => void;
}

/**
 * Runs the built CLI (`bin/run.js`, which loads `dist/`) as a user would, without a TTY.
 * The environment is scrubbed of LOOKERSDK_* variables unless the caller passes them.
 */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const baseEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('LOOKERSDK_')),
  );
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    // Jest sets NODE_ENV=test, which makes oclif look for TypeScript sources and warn about it.
    env: { ...baseEnv, NODE_OPTIONS: '', NODE_ENV: 'production', NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    options.onStdout?.(chunk, child);
  });
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    options.onStderr?.(chunk, child);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
