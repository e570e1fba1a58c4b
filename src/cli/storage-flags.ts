import { Flags } from '@oclif/core';
import type { StorageOptions } from '../remote/storage.js';

/** Where and how to reach object storage (credentials: the standard AWS chain, never a flag). */
export const storageFlags = {
  endpoint: Flags.string({
    description:
      'S3-compatible endpoint: MinIO (http://host:9000), Cloudflare R2 (https://<account>.r2.cloudflarestorage.com), Google Cloud Storage (https://storage.googleapis.com, with HMAC keys). [default: AWS S3]',
    helpValue: 'URL',
    helpGroup: 'STORAGE',
  }),
  region: Flags.string({
    description: 'Region. [default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1]',
    helpGroup: 'STORAGE',
  }),
  'path-style': Flags.boolean({
    description:
      'Address buckets as endpoint/bucket (MinIO and most compatible stores). [default: on with --endpoint]',
    allowNo: true,
    helpGroup: 'STORAGE',
  }),
};

export function storageOptions(flags: {
  endpoint?: string | undefined;
  region?: string | undefined;
  'path-style'?: boolean | undefined;
}): StorageOptions {
  return {
    ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
    ...(flags.region === undefined ? {} : { region: flags.region }),
    ...(flags['path-style'] === undefined ? {} : { forcePathStyle: flags['path-style'] }),
  };
}
