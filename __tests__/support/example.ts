import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/**
 * The repository example with both manifest modes declared in every environment, so that tests can
 * compare the Terraform-managed objects with the GitOps files of the same environment (the example
 * itself gives each environment one mode: one owner per object).
 */
export function exampleWithBothModes(): string {
  const d = parse(readFileSync(join(__dirname, '..', '..', 'secrets.yaml'), 'utf8'));
  for (const e of Object.values<any>(d.environments)) e.manifests = { terraform: true, gitops: true };
  return stringify(d);
}
