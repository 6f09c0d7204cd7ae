/**
 * SIGINT and SIGTERM, noted rather than obeyed at once: a synthesis runs without yielding, so it
 * finishes or gives up cleanly (its scratch folders removed, each output folder the previous or
 * the new one), and the command then ends with the signal's exit code (130, 143). Imported first
 * by the commands that write output, so that a signal during start-up is noted too.
 */
let received: number | undefined;
process.on('SIGINT', () => (received = 130));
process.on('SIGTERM', () => (received = 143));

/** Ends the process with the code of a signal received during the run, if any; call at the end. */
export function exitIfSignalled(): void {
  setImmediate(() => {
    if (received !== undefined) process.exit(received);
  });
}
