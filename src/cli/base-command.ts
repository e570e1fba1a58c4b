import { Command, Errors } from '@oclif/core';
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
 * Every lookervault command extends this: `--json` is oclif's own (`enableJsonFlag`: the flag,
 * `jsonEnabled()`, `logJson`, `toErrorJson`), printed redacted and uncoloured; whatever a
 * command throws becomes one clear message on stderr (and a JSON error object on stdout with
 * `--json`) and the documented exit code. No stack traces unless LOOKERVAULT_DEBUG is set.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  /** One JSON document on stdout, secrets masked; never coloured (it is for machines). */
  override logJson(json: unknown): void {
    this.writeOut(JSON.stringify(json, null, 2));
  }

  override toErrorJson(err: unknown): unknown {
    return errorToJson(this.toUserError(err instanceof Error ? err : new Error(String(err))));
  }

  /** Writes a line to stdout: results only (JSON, tables). */
  protected writeOut(text: string): void {
    process.stdout.write(`${redact(text)}\n`);
  }

  /** Writes a line to stderr: messages for the human at the terminal. */
  protected writeErr(text: string): void {
    process.stderr.write(`${redact(text)}\n`);
  }

  protected override catch(err: Error): Promise<never> {
    if (err instanceof Errors.ExitError) throw err;
    const error = this.toUserError(err);
    this.writeErr(formatError(error, { debug: Boolean(process.env.LOOKERVAULT_DEBUG) }));
    if (this.jsonEnabled()) this.logJson(this.toErrorJson(error));
    this.exit(error.exitCode);
  }

  private toUserError(err: Error): LookervaultError {
    const flagError = unwrapFlagParsing(err.message);
    if (flagError !== undefined) {
      // oclif rewrites the message of an error thrown while parsing a flag: take ours back.
      return new UsageError(flagError, {
        hint: `See \`${this.config.bin} ${this.id ?? ''} --help\`.`,
      });
    }
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

/** The message inside oclif's "Parsing --flag \n\t<message>\nSee more help with --help". */
function unwrapFlagParsing(message: string): string | undefined {
  const match = /^Parsing --\S+ *\n\t([\s\S]*?)\n?See more help with --help\s*$/.exec(
    stripVTControlCharacters(message),
  );
  return match?.[1]?.trim();
}
