/**
 * npm run adopt -- --env NAME: what the first plan of each stack imports and creates, from the
 * declaration alone, before any plan.
 */
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adopt, EXIT_OK, EXIT_SYNTHESIS_FAILED } from '../stacks/synthesize';

const MOVING_IN = join(__dirname, '..', 'examples', 'declarations', 'moving-in.yaml');

function run(environment: string, format: 'text' | 'json' = 'text') {
  const root = mkdtempSync(join(tmpdir(), 'adopt-'));
  copyFileSync(MOVING_IN, join(root, 'secrets.yaml'));
  const out: string[] = [];
  const err: string[] = [];
  const code = adopt({ declarationFile: 'secrets.yaml', root, environment, format, log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out, err, root };
}

test('per stack in deploy order: every import with its id, then every block created', () => {
  const r = run('production');
  expect(r.code).toBe(EXIT_OK);
  expect(r.out.filter((l) => !l.startsWith(' '))).toEqual([
    'Environment production: what the first plan of each stack imports and creates (in deploy order)',
    'production-gcp: 4 to import, 2 to create',
    'production-gcp-manifests: 2 to import, 9 to create',
    'production-azure: 3 to import, 6 to create',
    'production-azure-manifests: 1 to import, 2 to create',
  ]);
  const text = r.out.join('\n');
  expect(text).toContain('  import google_secret_manager_secret_iam_member.secret_accessors_service-a__service-a_FOO_PASSWORD  <-  projects/karte-production/secrets/service-a_FOO_PASSWORD roles/secretmanager.secretAccessor serviceAccount:hoge-app@karte-production.iam.gserviceaccount.com');
  expect(text).toContain('  import kubernetes_manifest.admin_Namespace__service-a  <-  apiVersion=v1,kind=Namespace,name=service-a');
  expect(text).toContain('  import azurerm_key_vault_secret.adopted_secrets_demo-secret01  <-  the id data.azurerm_key_vault_secret.adopted_secrets_demo-secret01.id gives at plan time');
  expect(text).toContain('  create google_secret_manager_secret.secrets_service-a_NEW_TOKEN');
  // Nothing written but the scratch folder, which is gone.
  expect(readdirSync(r.root)).toEqual(['secrets.yaml']);
});

test('JSON lists the same, for pipelines', () => {
  const r = run('production', 'json');
  expect(r.code).toBe(EXIT_OK);
  const json = JSON.parse(r.out.join('\n'));
  expect(json.stacks.map((s: any) => [s.stack, s.imports.length, s.creates.length])).toEqual([
    ['production-gcp', 4, 2],
    ['production-gcp-manifests', 2, 9],
    ['production-azure', 3, 6],
    ['production-azure-manifests', 1, 2],
  ]);
  expect(json.stacks[2].imports[0]).toEqual({ address: 'azurerm_key_vault.vault', id: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo_aks_key_vault/providers/Microsoft.KeyVault/vaults/demo-csi-secret' });
});

test('an environment the declaration does not have is named, with the ones it has', () => {
  const r = run('staging');
  expect(r.code).toBe(EXIT_SYNTHESIS_FAILED);
  expect(r.err).toEqual(['unknown environment "staging"; the declaration has: production']);
  expect(r.out).toEqual([]);
});
