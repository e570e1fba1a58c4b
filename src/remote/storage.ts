import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import { AuthError, RemoteError, type LookervaultError } from '../errors.js';
import { parseCopyName, type RemoteLocation } from './location.js';

/**
 * The object store, through the official AWS SDK: credentials from the standard AWS chain
 * (environment, shared config and credentials files, SSO, instance and container roles), any
 * S3-compatible store with an endpoint. The SDK's newer default checksums (CRC32 trailers in
 * aws-chunked bodies) are asked for only where an operation requires them, since Google Cloud
 * Storage, older MinIO and others reject them; every copy carries its own SHA-256 instead, which
 * `pull` checks end to end.
 */

export interface StorageOptions {
  /** An S3-compatible endpoint (MinIO, R2, GCS's https://storage.googleapis.com, …). */
  endpoint?: string;
  region?: string;
  /** Path-style URLs (`endpoint/bucket/key`): the default with an endpoint. */
  forcePathStyle?: boolean;
}

/** What a copy's object metadata records (x-amz-meta-lookervault-*). */
export interface CopyMetadata {
  /** SHA-256 of the object's bytes (the compressed file). */
  sha256: string;
  /** SHA-256 and size of the backup file inside. */
  dbSha256: string;
  dbBytes: number;
  snapshot: number;
  toolVersion: string;
}

export interface RemoteCopy {
  key: string;
  name: string;
  pushedAt: string;
  snapshotId: number;
  /** Bytes stored (compressed). */
  size: number;
}

export class Storage {
  readonly client: S3Client;
  readonly location: RemoteLocation;

  constructor(location: RemoteLocation, options: StorageOptions = {}) {
    this.location = location;
    // The SDK warns on Node 20 that its releases after January 2027 need Node 22; lookervault
    // pins a release that supports 20 (package.json), so the warning tells the user nothing.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const region =
      options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    this.client = new S3Client({
      region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 5,
    });
  }

  /** Every copy under the prefix, oldest first; other objects there are ignored. */
  async listCopies(): Promise<RemoteCopy[]> {
    const copies: RemoteCopy[] = [];
    let token: string | undefined;
    do {
      const page = await this.#call(() =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.location.bucket,
            Prefix: this.location.prefix,
            Delimiter: '/',
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        const name = object.Key.slice(this.location.prefix.length);
        const parsed = parseCopyName(name);
        if (!parsed) continue;
        copies.push({ key: object.Key, name, ...parsed, size: object.Size ?? 0 });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return copies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async metadata(key: string): Promise<CopyMetadata | undefined> {
    const head = await this.#call(() =>
      this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: key })),
    );
    return readMetadata(head.Metadata ?? {});
  }

  /** Uploads a stream as one object (multipart above 8 MiB), visible only once complete. */
  async upload(
    key: string,
    body: Readable,
    metadata: CopyMetadata,
    options: { signal?: AbortSignal; onProgress?: (sentBytes: number) => void },
  ): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.location.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/gzip',
        Metadata: writeMetadata(metadata),
      },
      partSize: 8 * 1024 * 1024,
      queueSize: 4,
      // A failed or interrupted upload is aborted: its parts are deleted, no object appears.
      leavePartsOnError: false,
    });
    upload.on('httpUploadProgress', (progress) => {
      if (progress.loaded !== undefined) options.onProgress?.(progress.loaded);
    });
    const onAbort = (): void => {
      void upload.abort();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.#call(() => upload.done());
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  async download(key: string): Promise<{ body: Readable; size: number }> {
    const object = await this.#call(() =>
      this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: key })),
    );
    if (object.Body === undefined) {
      throw new RemoteError(`${this.location.url}${key} came back empty`, {
        hint: 'Try again; if it persists the object is damaged: pull another copy.',
      });
    }
    return { body: object.Body as Readable, size: object.ContentLength ?? 0 };
  }

  async delete(key: string): Promise<void> {
    await this.#call(() =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: key })),
    );
  }

  close(): void {
    this.client.destroy();
  }

  async #call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw storageError(error, this.location);
    }
  }
}

const META = 'lookervault-';

function writeMetadata(metadata: CopyMetadata): Record<string, string> {
  return {
    [`${META}sha256`]: metadata.sha256,
    [`${META}db-sha256`]: metadata.dbSha256,
    [`${META}db-bytes`]: String(metadata.dbBytes),
    [`${META}snapshot`]: String(metadata.snapshot),
    [`${META}version`]: metadata.toolVersion,
  };
}

function readMetadata(raw: Record<string, string>): CopyMetadata | undefined {
  const lower = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.toLowerCase(), v]));
  const sha256 = lower[`${META}sha256`];
  const dbSha256 = lower[`${META}db-sha256`];
  if (sha256 === undefined || dbSha256 === undefined) return undefined;
  return {
    sha256,
    dbSha256,
    dbBytes: Number(lower[`${META}db-bytes`] ?? 0),
    snapshot: Number(lower[`${META}snapshot`] ?? 0),
    toolVersion: lower[`${META}version`] ?? '',
  };
}

/** The SDK's failure as an error a user can act on (never with credentials in it). */
export function storageError(error: unknown, location: RemoteLocation): LookervaultError {
  if (error instanceof RemoteError || error instanceof AuthError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (
    name === 'CredentialsProviderError' ||
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    name === 'AccessDenied' ||
    status === 403
  ) {
    return new AuthError(`${location.url}: access denied (${name}: ${message})`, {
      hint: 'Check the AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the instance role) and that they may list, read, write and delete under this prefix.',
      cause: error,
    });
  }
  if (name === 'NoSuchBucket') {
    return new RemoteError(`The bucket "${location.bucket}" does not exist`, {
      hint: 'Create it first (lookervault never creates buckets), or check the name and --endpoint.',
      cause: error,
    });
  }
  return new RemoteError(`${location.url}: ${name}: ${message}`, {
    hint: 'Check --endpoint, --region and the network; `lookervault remote list` tests the connection.',
    cause: error,
  });
}
