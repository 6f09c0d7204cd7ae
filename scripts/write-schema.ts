/**
 * `npm run schema`: writes schema/secrets.schema.json (the declaration's JSON Schema for editors)
 * and lib/declaration/generated/structure-validator.ts (the validator as code), both from the same
 * TypeBox definition. A test fails when either committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaText, validatorText } from '../lib/declaration/published';

const root = join(__dirname, '..', '..');
for (const [target, text] of [
  [join(root, 'schema', 'secrets.schema.json'), schemaText()],
  [join(root, 'lib', 'declaration', 'generated', 'structure-validator.ts'), validatorText()],
]) {
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
