/**
 * The cdktf app: reads the declaration (secrets.yaml, or the file SECRETS_FILE names), validates
 * it, and synthesizes every environment into cdktf.out/ (Terraform) and generated/ (GitOps YAML).
 *
 * Nothing is written unless everything succeeds: output is synthesized into temporary folders
 * and moved into place at the end.
 *
 * Exit codes: 0 written; 1 the declaration has problems (all listed); 2 synthesis failed or the
 * output could not be written (one line says what was and was not written); 3 policy errors.
 * `--take-over` replaces files a team keeps at paths the product writes (refused otherwise).
 */
// First: signals noted from the start; then, before cdktf is loaded, see defer-archiver.ts.
import { exitIfSignalled } from './stacks/signals';
import './stacks/defer-archiver';
import { synthesize } from './stacks/synthesize';
import './stacks/closed-pipe';

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--take-over');
if (unknown.length > 0) {
  process.stderr.write(`unknown argument ${unknown[0]}; usage: secret-wiring synth [--take-over]\n`);
  process.exit(2);
}
process.exitCode = synthesize({
  declarationFile: process.env.SECRETS_FILE || 'secrets.yaml',
  cdktfOutdir: process.env.CDKTF_OUTDIR,
  takeOver: args.includes('--take-over'),
  log: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
});
exitIfSignalled();
