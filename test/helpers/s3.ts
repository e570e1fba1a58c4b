import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from './cli.js';

/** An s3rver process on 127.0.0.1 (test/helpers/s3rver-process.mjs), stopped by PID. */
export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** What the AWS SDK needs: s3rver accepts these fixed keys. */
  env: NodeJS.ProcessEnv;
  /** Resolves when an upload reached the part the server hangs on (`hangPart`). */
  hanging: Promise<void>;
  stop(): Promise<void>;
}

export async function startS3(
  directory: string,
  options: { bucket?: string; hangPart?: number } = {},
): Promise<LocalS3> {
  const bucket = options.bucket ?? 'backups';
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(PROJECT_ROOT, 'test', 'helpers', 's3rver-process.mjs'),
      directory,
      bucket,
      ...(options.hangPart === undefined ? [] : [String(options.hangPart)]),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  let onHanging: () => void = () => undefined;
  const hanging = new Promise<void>((resolve) => (onHanging = resolve));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      for (const line of out.split('\n').slice(0, -1)) {
        const message = JSON.parse(line) as { port?: number; hanging?: number };
        if (message.port !== undefined) resolve(message.port);
        if (message.hanging !== undefined) onHanging();
      }
      out = out.slice(out.lastIndexOf('\n') + 1);
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      reject(new Error(`s3rver exited with ${String(code)}: ${err}`));
    });
  });
  return {
    endpoint: `http://127.0.0.1:${String(port)}`,
    bucket,
    hanging,
    env: {
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      // Never the machine's own profile or instance role.
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.pid === undefined || child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => {
          resolve();
        });
        process.kill(child.pid, 'SIGTERM');
      }),
  };
}
