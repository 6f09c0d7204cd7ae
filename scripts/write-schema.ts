/**
 * Writes schema/secrets.schema.json, the declaration's JSON Schema for editors, from the same
 * TypeBox definition that validates declarations. `npm run schema`; a test fails when the
 * committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { declarationJsonSchema } from '../lib/declaration/schema';

export function schemaText(): string {
  return `${JSON.stringify(declarationJsonSchema(), null, 2)}\n`;
}

if (require.main === module) {
  const target = join(__dirname, '..', '..', 'schema', 'secrets.schema.json');
  writeFileSync(target, schemaText());
  process.stdout.write(`wrote ${target}\n`);
}
