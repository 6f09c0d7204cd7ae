import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';

describe('examples/library', () => {
  test('synthesizes one secret and one grant on it', () => {
    const { stack } = require('../examples/library/main');
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.keys(json.resource.google_secret_manager_secret)).toEqual(['secrets_billing_DB_PASSWORD']);
    expect(Object.values(json.resource.google_secret_manager_secret_iam_member)).toEqual([
      {
        project: 'my-project',
        role: 'roles/secretmanager.secretAccessor',
        secret_id: 'billing_DB_PASSWORD',
        member: 'principal://iam.googleapis.com/projects/1234567890/locations/global/workloadIdentityPools/my-project.svc.id.goog/subject/ns/billing/sa/billing-secrets',
        depends_on: ['google_secret_manager_secret.secrets_billing_DB_PASSWORD'],
      },
    ]);
  });

  test('the README shows the example as it is', () => {
    const source = readFileSync(join(__dirname, '..', 'examples', 'library', 'main.ts'), 'utf8');
    const snippet = source.split('// DOCS_BLOCK_START\n')[1].split('// DOCS_BLOCK_END')[0];
    expect(readFileSync(join(__dirname, '..', 'README.md'), 'utf8')).toContain(`\`\`\`ts\n${snippet}\`\`\``);
  });
});
