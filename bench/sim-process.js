// `lookervault sim` in its own process, for the benchmarks (run `npm run build` first).
/* global performance */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'run.js');

/** Starts `lookervault sim --json …args`; resolves with the child and its start-up line. */
export function startSim(args) {
  const child = spawn(process.execPath, [cli, 'sim', '--json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve({ child, info: JSON.parse(line) });
    });
    child.on('exit', (code) => reject(new Error(`simulator exited (${code}): ${err}`)));
  });
}

/** Stops a simulator started by startSim; resolves once its process has exited. */
export function stopSim(sim) {
  return new Promise((resolve) => {
    sim.child.removeAllListeners('exit');
    sim.child.on('exit', resolve);
    sim.child.kill('SIGTERM');
  });
}

/**
 * Runs `lookervault <args>` against a simulator started by startSim (as installed: production
 * mode); resolves with its stdout parsed as JSON and its wall time, rejects on a non-zero exit.
 */
export function runLookervault(sim, args, extraEnv = {}, okCodes = [0]) {
  const child = spawn(process.execPath, [cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOOKERSDK_BASE_URL: sim.info.url,
      LOOKERSDK_CLIENT_ID: sim.info.clientId,
      LOOKERSDK_CLIENT_SECRET: sim.info.clientSecret,
      ...extraEnv,
    },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (!okCodes.includes(code))
        reject(new Error(`lookervault ${args[0]} exited ${code}: ${err.slice(-2000)}`));
      else resolve({ json: JSON.parse(out), wallMs });
    });
  });
}
