import { BaseCommand } from '../cli/base-command.js';
import { runChecks, type CheckReport, type CheckRow } from '../looker/check.js';
import { connectionFlags } from '../cli/connection-flags.js';

export default class Check extends BaseCommand {
  static override summary = 'Check that lookervault can reach, log in to and back up your Looker.';

  static override description = [
    'Checks, in order: the configuration (flags, LOOKERSDK_* environment, looker.ini), that the server answers as a Looker API, TLS, the login, that API 4.0 is offered, and that the API user can list (and read) each content type. Each row says ✓ or ✗, and how to fix a ✗.',
    'Exit codes: 0 every check passed (warnings allowed); 2 configuration (a setting is missing or invalid, or base_url is not a Looker API); 4 authentication (login refused, or the API user lacks a permission for a content type); 1 anything else (server unreachable, TLS certificate not trusted, API 4.0 missing, server errors).',
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> check',
    'LOOKERSDK_BASE_URL=https://mycompany.looker.com <%= config.bin %> check --json',
    '<%= config.bin %> check --config ~/looker.ini --section Production',
  ];

  static override flags = { ...connectionFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(Check);
    const report = await runChecks({
      settings: { flags, env: process.env, cwd: process.cwd() },
      userAgent: `lookervault/${this.config.version}`,
    });
    if (this.jsonEnabled()) {
      this.logJson({
        ok: report.ok,
        exitCode: report.exitCode,
        url: report.baseUrl,
        checks: report.checks.map(toJson),
        warnings: report.notices,
      });
    } else {
      for (const notice of report.notices) this.writeErr(`Warning: ${notice}`);
      this.writeOut(renderReport(report));
    }
    if (!report.ok) this.exit(report.exitCode);
  }
}

const LABELS: Record<string, string> = {
  configuration: 'Configuration',
  server: 'Server',
  tls: 'TLS',
  login: 'Login',
  api_version: 'API version',
};

function toJson(row: CheckRow): Record<string, unknown> {
  return {
    name: row.name,
    ok: row.ok,
    ...(row.warning ? { warning: true } : {}),
    detail: row.detail,
    ...(row.hint === undefined ? {} : { hint: row.hint }),
  };
}

export function renderReport(report: CheckReport): string {
  const label = (row: CheckRow): string => LABELS[row.name] ?? `List ${row.name}`;
  const width = Math.max(...report.checks.map((row) => label(row).length));
  const lines: string[] = [];
  for (const row of report.checks) {
    const mark = !row.ok ? '✗' : row.warning ? '!' : '✓';
    lines.push(`${mark} ${label(row).padEnd(width)}  ${row.detail}`);
    if (row.hint !== undefined && (!row.ok || row.warning)) {
      lines.push(`  ${' '.repeat(width)}  → ${row.hint}`);
    }
  }
  const failed = report.checks.filter((row) => !row.ok).length;
  lines.push('');
  lines.push(
    failed === 0
      ? 'All checks passed.'
      : `${failed} check${failed === 1 ? '' : 's'} failed (exit code ${report.exitCode}).`,
  );
  return lines.join('\n');
}
