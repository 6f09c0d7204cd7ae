/**
 * `npm run validate [-- STACK ...]`: terraform init and validate on every synthesized stack, with the
 * real providers (see validate-stacks.ts). Exit codes: 0 valid; 1 a stack is not; 2 nothing to
 * validate, or no terraform.
 */
import { validateStacks } from './validate-stacks';

process.exitCode = validateStacks({
  root: process.cwd(),
  only: process.argv.slice(2).filter((a) => !a.startsWith('-')),
  env: process.env,
  log: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
});
