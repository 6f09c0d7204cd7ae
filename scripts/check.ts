/**
 * `npm run check [-- --format json]`: validates the declaration (SECRETS_FILE or secrets.yaml) and
 * runs the policy rule pack without writing anything.
 *
 * Exit codes: 0 no policy error (warnings allowed); 1 the declaration has problems; 2 synthesis
 * failed; 3 policy errors.
 */
// First: before cdktf is loaded (see defer-archiver.ts).
import '../stacks/defer-archiver';
import { check } from '../stacks/synthesize';
import '../stacks/closed-pipe';

const args = process.argv.slice(2);
const i = args.indexOf('--format');
const format = i >= 0 ? args[i + 1] : (args.find((a) => a.startsWith('--format='))?.split('=')[1] ?? 'text');
if (format !== 'text' && format !== 'json') {
  process.stderr.write(`--format must be text or json, not ${format}\n`);
  process.exit(2);
}
process.exitCode = check({
  declarationFile: process.env.SECRETS_FILE || 'secrets.yaml',
  format,
  log: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
});
