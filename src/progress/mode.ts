/**
 * How live progress is shown, decided once per command from the stream progress goes to
 * (stderr) and the environment:
 *
 * - `none`  — `--no-progress`: nothing while the run goes on; the final summary is still printed.
 * - `plain` — stderr is not a terminal (pipe, file, CI log), or CI is set, or NO_COLOR is set,
 *             or TERM=dumb: one line of counters every few seconds plus one line per notable
 *             event; never a control character.
 * - `tty`   — otherwise: the live display, redrawn in place.
 *
 * NO_COLOR selecting plain lines goes beyond https://no-color.org on purpose (the project issue
 * asks for it): people who set it usually want output that a screen reader or a log can follow,
 * and a redrawn frame is as hard on those as colour is.
 */
export type ProgressMode = 'tty' | 'plain' | 'none';

export interface ProgressModeInput {
  /** Whether the progress stream (stderr) is a terminal. */
  isTTY: boolean | undefined;
  /** `--no-progress` was given. */
  noProgress: boolean;
  env: NodeJS.ProcessEnv;
}

export function chooseProgressMode({ isTTY, noProgress, env }: ProgressModeInput): ProgressMode {
  if (noProgress) return 'none';
  if (isTTY !== true) return 'plain';
  if (isSet(env.NO_COLOR)) return 'plain';
  if (env.TERM === 'dumb') return 'plain';
  if (isCi(env)) return 'plain';
  return 'tty';
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '';
}

/** CI=true/1/anything except an empty string, "false" or "0" (the convention of ci-info). */
function isCi(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI;
  if (!isSet(value)) return false;
  const normalized = (value ?? '').toLowerCase();
  return normalized !== 'false' && normalized !== '0';
}
