import { ExitCode } from '../errors.js';

/**
 * Ctrl-C and SIGTERM for a command that runs a run: the first signal asks the run to stop
 * cleanly (`first`), a second one prints `again` and quits at once with exit 130. Returns what
 * removes the handlers.
 */
export function onStopSignals(first: () => void, again: () => void): () => void {
  let signals = 0;
  const onSignal = (): void => {
    signals += 1;
    if (signals === 1) {
      first();
      return;
    }
    again();
    process.exit(ExitCode.Interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
