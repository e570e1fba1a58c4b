import { LookerClient } from '../looker/client.js';
import type { LookerSettings } from '../looker/settings.js';
import { openVault } from '../store/index.js';
import { Extraction } from './orchestrator.js';
import type { ExtractOptions } from './options.js';

/** An extraction wired to its backup file and its Looker client; `close()` releases both. */
export interface OpenedExtraction {
  extraction: Extraction;
  close: () => Promise<void>;
}

/**
 * Opens (or creates) the backup file and the client, and builds the extraction over them: the
 * one way the `extract` command and the library start a run.
 */
export function openExtraction(input: {
  settings: LookerSettings;
  dbPath: string;
  options: ExtractOptions;
  toolVersion: string;
  /** Whether the caller chose the types (resuming a run with other types is refused). */
  typesGiven: boolean;
}): OpenedExtraction {
  const { settings, options, toolVersion } = input;
  const vault = openVault(input.dbPath, { create: true, toolVersion });
  let client: LookerClient;
  try {
    client = LookerClient.create(settings, {
      poolSize: options.workers,
      timeoutMs: settings.timeoutSeconds * 1000,
      userAgent: `lookervault/${toolVersion}`,
      ...(options.maxResponseBytes === undefined
        ? {}
        : { maxResponseBytes: options.maxResponseBytes }),
    });
  } catch (error) {
    vault.close();
    throw error;
  }
  const extraction = new Extraction(
    { client, vault, toolVersion, typesGiven: input.typesGiven },
    options,
  );
  return {
    extraction,
    close: async () => {
      await client.close();
      vault.close();
    },
  };
}
