/**
 * A reader that stops early (`| head`) closes the pipe: the command then stops quietly with its
 * exit code, rather than with a stack trace. Imported by every command that prints.
 */
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
