import { Command, Errors, Flags } from '@oclif/core';
import { stripVTControlCharacters } from 'node:util';
import { ExitCode, LookervaultError, UsageError, toLookervaultError } from '../errors.js';
import { formatError, errorToJson } from './output.js';
import { redact } from '../redact.js';

/** Text appended to every command's help: the exit codes every command follows. */
export const EXIT_CODES_HELP = [
  'Exit codes: 0 success, 1 error, 2 usage or configuration, 3 partial (some items failed),',
  '4 authentication, 130 interrupted (resumable).',
].join(' ');

/**
 * Every lookervault command extends this: it owns `--json`, and turns whatever a command
 * throws into one clear message on stderr (and a JSON error object on stdout with `--json`)
 * and the documented exit code. No stack traces unless LOOKERVAULT_DEBUG is set.
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    json: Flags.boolean({
      description:
        'Print the result as one JSON object on stdout (progress and logs stay on stderr).',
      default: false,
      helpGroup: 'GLOBAL',
    }),
  };

  protected wantsJson(): boolean {
    return this.argv.includes('--json');
  }

  /** Writes a line to stdout: results only (JSON, tables). */
  protected writeOut(text: string): void {
    process.stdout.write(`${redact(text)}\n`);
  }

  /** Writes a line to stderr: messages for the human at the terminal. */
  protected writeErr(text: string): void {
    process.stderr.write(`${redact(text)}\n`);
  }

  protected writeJson(value: unknown): void {
    this.writeOut(JSON.stringify(value, null, 2));
  }

  protected override catch(err: Error): Promise<never> {
    if (err instanceof Errors.ExitError) throw err;
    const error = this.toUserError(err);
    this.writeErr(formatError(error, { debug: Boolean(process.env.LOOKERVAULT_DEBUG) }));
    if (this.wantsJson()) this.writeJson(errorToJson(error));
    this.exit(error.exitCode);
  }

  private toUserError(err: Error): LookervaultError {
    if (err instanceof LookervaultError) return err;
    // oclif's own parse failures (unknown flag, bad value, missing argument) exit 2.
    const oclifExit = (err as { oclif?: { exit?: number } }).oclif?.exit;
    if (err instanceof Errors.CLIError && oclifExit === ExitCode.Usage) {
      const message = stripVTControlCharacters(err.message)
        .replace(/\s*See more help with --help\s*$/, '')
        .trim();
      return new UsageError(message, {
        hint: `See \`${this.config.bin} ${this.id ?? ''} --help\`.`,
      });
    }
    return toLookervaultError(err);
  }
}
