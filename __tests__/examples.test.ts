import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The consumer apps of examples/apps, run as they are (each calls app.synth() with the rule pack
// applied); CI runs them again against the packed tarball in a fresh folder (scripts/check-package.js).
const EXAMPLES = join(__dirname, '..', 'examples', 'apps');

function run(example: string): string {
  const outdir = mkdtempSync(join(tmpdir(), `example-${example}-`));
  const before = process.env.CDKTF_OUTDIR;
  process.env.CDKTF_OUTDIR = outdir;
  try {
    jest.isolateModules(() => require(join(EXAMPLES, example, 'main')));
  } finally {
    if (before === undefined) delete process.env.CDKTF_OUTDIR;
    else process.env.CDKTF_OUTDIR = before;
  }
  return outdir;
}

function stackJson(outdir: string, stack: string): Record<string, any> {
  return JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
}

describe('examples/apps', () => {
  test('gcp-constructs: one labelled secret, read by one Workload Identity principal on that secret alone', () => {
    const json = stackJson(run('gcp-constructs'), 'billing-gcp');
    const secret = json.resource.google_secret_manager_secret.secrets_billing_DB_PASSWORD;
    expect(secret.labels).toEqual({ environment: 'production', 'managed-by': 'secret-wiring', service: 'billing' });
    expect(Object.keys(json.resource.google_secret_manager_secret_iam_member)).toEqual(['secret_accessors_billing__billing-secrets__billing_DB_PASSWORD']);
    expect(Object.values<any>(json.resource.google_secret_manager_secret_iam_member)[0].member).toBe(
      'principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/acme-billing-prod.svc.id.goog/subject/ns/billing/sa/billing-secrets',
    );
    expect(json.provider.google).toEqual([expect.objectContaining({ project: 'acme-billing-prod' })]);
  });

  test('azure-constructs: a vault, a federated identity and read access on one secret, keyed by the identity', () => {
    const json = stackJson(run('azure-constructs'), 'billing-azure');
    expect(json.resource.azurerm_key_vault.vault.rbac_authorization_enabled).toBe(true);
    expect(json.resource.azurerm_role_assignment['secret_readers_billing__billing--DB-PASSWORD']).toEqual(
      expect.objectContaining({
        scope: '${azurerm_key_vault_secret.secrets_billing--DB-PASSWORD.resource_versionless_id}',
        principal_id: '${azurerm_user_assigned_identity.identities_billing.principal_id}',
        role_definition_name: 'Key Vault Secrets User',
      }),
    );
    expect(json.resource.azurerm_federated_identity_credential['federated_credentials_billing__aks-prod'].subject).toBe('system:serviceaccount:billing:billing-secrets');
    expect(json.variable.secret_values.ephemeral).toBe(true);
  });

  test("declaration-pipeline: the environment's stacks on the app's own backend, and its GitOps files", () => {
    const outdir = run('declaration-pipeline');
    const json = stackJson(outdir, 'production-gcp');
    expect(json.terraform.backend).toEqual({ gcs: { bucket: 'acme-terraform-state', prefix: 'secrets/production-gcp' } });
    // Every stack of the environment on the app's backend, none on a local state file.
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    for (const name of Object.keys(manifest.stacks)) expect([name, Object.keys(stackJson(outdir, name).terraform.backend)]).toEqual([name, ['gcs']]);
    expect(existsSync(join(outdir, 'gitops', 'production', 'kustomization.yaml'))).toBe(true);
    expect(readFileSync(join(outdir, 'gitops', 'production', 'orders', 'externalsecret-orders-secrets.yaml'), 'utf8')).toContain('key: checkout_STRIPE_KEY');
  });

  test("own-resources: a grant to the team's own service account, keyed by the reader; an unprotected secret passes the rule pack only through its suppression", () => {
    const json = stackJson(run('own-resources'), 'reports');
    expect(json.resource.google_secret_manager_secret_iam_member['secret_accessors_reports-runner__reports_API_TOKEN'].member).toBe('serviceAccount:${google_service_account.Runner.email}');
    expect(json.resource.google_secret_manager_secret.scratch_reports_SCRATCH.deletion_protection).toBe(false);
    expect(Object.keys(json.resource.google_pubsub_topic)).toEqual(['Done']);
    // The same app without the suppression fails app.synth() on that secret.
    const source = readFileSync(join(EXAMPLES, 'own-resources', 'main.ts'), 'utf8');
    expect(source).toContain("suppressPolicy(scratch, 'SW-DEL-001'");
    const dir = mkdtempSync(join(EXAMPLES, '.unsuppressed-'));
    try {
      writeFileSync(join(dir, 'main.ts'), source.replace(/^suppressPolicy\(.*$/m, ''));
      expect(() => run(join(dir.slice(EXAMPLES.length + 1)))).toThrow(/reports\/Scratch\/Resource: SW-DEL-001 google_secret_manager_secret\.scratch_reports_SCRATCH: deletion protection is off/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the README shows the GCP example as it is', () => {
    const source = readFileSync(join(EXAMPLES, 'gcp-constructs', 'main.ts'), 'utf8');
    const snippet = source.split('// DOCS_BLOCK_START\n')[1].split('// DOCS_BLOCK_END')[0];
    expect(readFileSync(join(__dirname, '..', 'README.md'), 'utf8')).toContain(`\`\`\`ts\n${snippet}\`\`\``);
  });
});
