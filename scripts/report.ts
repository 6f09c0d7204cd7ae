/**
 * `npm run report`: writes each environment's access report (generated/<env>/ACCESS.md and
 * access.json) from the synthesized grants, and nothing else. Exit codes as `npm run synth`.
 */
// First: before cdktf is loaded (see defer-archiver.ts).
import '../stacks/defer-archiver';
import { report } from '../stacks/synthesize';
import '../stacks/closed-pipe';

process.exitCode = report({
  declarationFile: process.env.SECRETS_FILE || 'secrets.yaml',
  log: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
});
