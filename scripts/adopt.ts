/**
 * `npm run adopt -- --env NAME [--format json]`: lists, per stack of one environment, what its first
 * plan imports (existing secrets, grants, accounts, vaults, namespaces...) and what it creates,
 * before anyone runs a plan. Writes nothing.
 *
 * Exit codes: 0 listed; 1 the declaration has problems; 2 usage errors or an unknown environment.
 */
// First: before cdktf is loaded (see defer-archiver.ts).
import '../stacks/defer-archiver';
import { adopt } from '../stacks/synthesize';
import '../stacks/closed-pipe';

const args = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
};
const env = value('env');
const format = value('format') ?? 'text';
if (!env || (format !== 'text' && format !== 'json')) {
  process.stderr.write('usage: secret-wiring adopt --env NAME [--format text|json]\n');
  process.exit(2);
}
process.exitCode = adopt({
  declarationFile: process.env.SECRETS_FILE || 'secrets.yaml',
  environment: env,
  format,
  log: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
});
