import { BaseCommand } from '../cli/base-command.js';
import { CONTENT_TYPE_PLURALS, CONTENT_TYPES } from '../content-types.js';
import { PartialError } from '../errors.js';
import { LookerClient } from '../looker/client.js';
import { gatherInfo, type InstanceInfo } from '../looker/info.js';
import { connectionFlags } from '../cli/connection-flags.js';
import { resolveSettings } from '../looker/settings.js';

/** Types counted at once (and connections opened). */
const CONCURRENCY = 4;

export default class Info extends BaseCommand {
  static override summary = 'Show the Looker instance, its versions and how much content it holds.';

  static override description = [
    'Prints the instance URL, the Looker release, the API versions it offers, and the number of items of each content type. Counts are cheap: one id-only listing per type (a few pages for users, groups and LookML models), never a full download.',
    'Exit codes: 0 success; 1 error (server unreachable or failing); 2 configuration; 3 some types could not be counted (the others are shown); 4 authentication.',
  ].join('\n\n');

  static override examples = ['<%= config.bin %> info', '<%= config.bin %> info --json'];

  static override flags = { ...connectionFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(Info);
    const settings = resolveSettings({ flags, env: process.env, cwd: process.cwd() });
    // Warnings go to stderr in both modes: stdout carries only the result.
    for (const notice of settings.notices) this.writeErr(`Warning: ${notice}`);
    const client = LookerClient.create(settings, {
      poolSize: CONCURRENCY,
      userAgent: `lookervault/${this.config.version}`,
    });
    let info: InstanceInfo;
    try {
      info = await gatherInfo(client, { concurrency: CONCURRENCY });
    } finally {
      await client.logout();
      await client.close();
    }
    const failed = Object.keys(info.errors);
    if (this.jsonEnabled()) {
      this.logJson({
        url: info.url,
        lookerVersion: info.lookerVersion,
        apiVersions: info.apiVersions,
        counts: info.counts,
        ...(failed.length > 0 ? { errors: info.errors } : {}),
      });
    } else {
      this.writeOut(renderInfo(info));
    }
    if (failed.length > 0) {
      const error = new PartialError(`Could not count ${failed.join(', ')}.`, {
        hint: 'Run `lookervault check` to see which permission is missing.',
      });
      if (this.jsonEnabled()) this.exit(error.exitCode);
      throw error;
    }
  }
}

export function renderInfo(info: InstanceInfo): string {
  const lines = [
    `Instance      ${info.url}`,
    `Looker        ${info.lookerVersion}`,
    `API versions  ${info.apiVersions.join(', ') || 'none listed'}`,
    '',
  ];
  const width = Math.max(...CONTENT_TYPES.map((type) => CONTENT_TYPE_PLURALS[type].length));
  const counts = CONTENT_TYPES.map((type) => info.counts[type]);
  const numberWidth = Math.max(
    ...counts.map((n) => (n === null ? 1 : n.toLocaleString('en-US').length)),
  );
  for (const type of CONTENT_TYPES) {
    const count = info.counts[type];
    const shown = count === null ? '?' : count.toLocaleString('en-US');
    const error = info.errors[type];
    lines.push(
      `${CONTENT_TYPE_PLURALS[type].padEnd(width)}  ${shown.padStart(numberWidth)}${error ? `  (${error})` : ''}`,
    );
  }
  return lines.join('\n');
}
