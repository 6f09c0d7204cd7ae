/**
 * Moving in: what exists before the product (secrets, grants, accounts, namespaces, a vault, a
 * controller) is imported, never created again, and no value is ever written over a live one.
 */
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { parseDeclaration } from '../lib/declaration/load';
import { formatPath } from '../lib/declaration/problem';
import { configs, synthFile, type SynthResult } from './support/synth';
import { problemsOf } from './support/fixtures';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { synthIn } from './support/synth';
import { EXIT_POLICY_VIOLATIONS } from '../stacks/synthesize';

const MOVING_IN = join(__dirname, '..', 'examples', 'declarations', 'moving-in.yaml');
const PROJECT = 'karte-production';
const GSA = `hoge-app@${PROJECT}.iam.gserviceaccount.com`;
const VAULT_ID = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo_aks_key_vault/providers/Microsoft.KeyVault/vaults/demo-csi-secret';

let out: SynthResult;
beforeAll(() => {
  out = synthFile(MOVING_IN);
  expect(out.stderr).toEqual([]);
  expect(out.code).toBe(0);
});

const importsOf = (stack: string): Record<string, string> => Object.fromEntries((out.stacks[stack].import ?? []).map((i: { to: string; id: string }) => [i.to, i.id]));

function movingInWith(edit: (d: any) => void): any {
  const d = parse(readFileSync(MOVING_IN, 'utf8'));
  edit(d);
  return d;
}

function synthDeclaration(d: unknown): SynthResult {
  const root = mkdtempSync(join(tmpdir(), 'moving-in-'));
  writeFileSync(join(root, 'secrets.yaml'), stringify(d));
  return synthIn(root, 'secrets.yaml');
}

describe('GKE: the console-made secret, the binding script and the account it bound', () => {
  test('the existing secret, its accessor grant and the Google service account with its binding are imported under the providers\' ids', () => {
    expect(importsOf('production-gcp')).toEqual({
      'google_secret_manager_secret.adopted_secrets_service-a_FOO_PASSWORD': `projects/${PROJECT}/secrets/service-a_FOO_PASSWORD`,
      'google_secret_manager_secret_iam_member.secret_accessors_service-a__service-a_FOO_PASSWORD': `projects/${PROJECT}/secrets/service-a_FOO_PASSWORD roles/secretmanager.secretAccessor serviceAccount:${GSA}`,
      'google_service_account.service_accounts_service-a': `projects/${PROJECT}/serviceAccounts/${GSA}`,
      'google_service_account_iam_member.workload_identity_users_service-a': `projects/${PROJECT}/serviceAccounts/${GSA} roles/iam.workloadIdentityUser serviceAccount:${PROJECT}.svc.id.goog[service-a/service-a-secrets]`,
    });
  });

  test('a new secret and its grant are created: a grant cannot exist on a secret that does not', () => {
    const secrets = configs(out.stacks['production-gcp'], 'google_secret_manager_secret', 'secrets');
    expect(Object.keys(secrets)).toEqual(['service-a_NEW_TOKEN']);
    const grants = configs(out.stacks['production-gcp'], 'google_secret_manager_secret_iam_member', 'secret_accessors');
    expect(grants['service-a/service-a_NEW_TOKEN']).toEqual(expect.objectContaining({ member: `serviceAccount:${GSA}`, role: 'roles/secretmanager.secretAccessor' }));
  });

  test('the existing account keeps its name, display name and description, and Terraform never destroys it', () => {
    const account = configs(out.stacks['production-gcp'], 'google_service_account', 'service_accounts')['service-a'];
    expect(account.account_id).toBe('hoge-app');
    expect(account.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ['display_name', 'description'] });
  });

  test('External Secrets installed by others: nothing installed, and the plan checks that every cluster serves the v1 CRDs', () => {
    const stack = out.stacks['production-gcp'];
    expect(stack.resource.helm_release).toBeUndefined();
    const checks = Object.values<any>(stack.data.kubernetes_resource).filter((c) => c['//'].collection === 'served_crds_admin');
    expect(checks.map((c) => c['//'].key).sort()).toEqual(['externalsecrets.external-secrets.io', 'secretstores.external-secrets.io']);
    for (const c of checks) {
      const name = c['//'].key;
      expect(c.kind).toBe('CustomResourceDefinition');
      expect(c.metadata).toEqual({ name });
      expect(c.lifecycle.postcondition[0].condition).toContain('"v1"');
      expect(c.lifecycle.postcondition[0].error_message).toMatch(new RegExp(`Cluster admin does not serve ${name.replace(/\./g, '\\.')} v1`));
    }
  });

  test('the namespace and the service account that exist are imported by the manifests, under the kubernetes provider\'s ids', () => {
    expect(importsOf('production-gcp-manifests')).toEqual({
      'kubernetes_manifest.admin_Namespace__service-a': 'apiVersion=v1,kind=Namespace,name=service-a',
      'kubernetes_manifest.admin_ServiceAccount__service-a__service-a-secrets': 'apiVersion=v1,kind=ServiceAccount,namespace=service-a,name=service-a-secrets',
    });
    // The imported service account now names the existing Google service account.
    const sa = configs(out.stacks['production-gcp-manifests'], 'kubernetes_manifest', 'admin')['ServiceAccount/service-a/service-a-secrets'];
    expect(sa.manifest.metadata.annotations['iam.gke.io/gcp-service-account']).toBe(GSA);
  });
});

describe('AKS: the portal-made vault and its secrets', () => {
  test('the vault is imported by its resource id and keeps what the portal gave it', () => {
    const stack = out.stacks['production-azure'];
    expect(importsOf('production-azure')['azurerm_key_vault.vault']).toBe(VAULT_ID);
    const vault = stack.resource.azurerm_key_vault.vault;
    expect(vault.lifecycle.prevent_destroy).toBe(true);
    for (const kept of ['access_policy', 'network_acls', 'purge_protection_enabled', 'soft_delete_retention_days', 'sku_name', 'tags']) expect(vault.lifecycle.ignore_changes).toContain(kept);
  });

  test('a vault in access-policy mode fails the plan with what the switch to RBAC does, unless the declaration says to switch', () => {
    const stack = out.stacks['production-azure'];
    const [check] = stack.resource.azurerm_key_vault.vault.lifecycle.precondition;
    expect(check.condition).toBe('${data.azurerm_key_vault.adopted_vault.rbac_authorization_enabled}');
    expect(check.error_message).toMatch(/uses access policies/);
    expect(check.error_message).toMatch(/loses access until it has a role assignment/);
    expect(check.error_message).toMatch(/switchToRbac: true/);
    expect(stack.data.azurerm_key_vault.adopted_vault).toEqual(expect.objectContaining({ name: 'demo-csi-secret', resource_group_name: 'demo_aks_key_vault' }));

    const switched = synthDeclaration(movingInWith((d) => (d.environments.production.azure.keyVault.switchToRbac = true)));
    expect(switched.code).toBe(0);
    const vault = switched.stacks['production-azure'].resource.azurerm_key_vault.vault;
    expect(vault.lifecycle.precondition).toBeUndefined();
    expect(vault.rbac_authorization_enabled).toBe(true);
    expect(switched.stacks['production-azure'].data?.azurerm_key_vault).toBeUndefined();
  });

  test('adopted secrets are imported by their versioned id, looked up at plan time, and Terraform never writes their value', () => {
    const stack = out.stacks['production-azure'];
    const imports = importsOf('production-azure');
    const adopted = configs(stack, 'azurerm_key_vault_secret', 'adopted_secrets');
    expect(Object.keys(adopted).sort()).toEqual(['demo-secret01', 'demo-secret02']);
    for (const name of ['demo-secret01', 'demo-secret02']) {
      expect(imports[`azurerm_key_vault_secret.adopted_secrets_${name}`]).toBe(`\${data.azurerm_key_vault_secret.adopted_secrets_${name}.id}`);
      // A literal vault id: the lookup runs at plan time, as an import id must be known then.
      expect(stack.data.azurerm_key_vault_secret[`adopted_secrets_${name}`]).toEqual(expect.objectContaining({ name, key_vault_id: VAULT_ID }));
      expect(adopted[name].lifecycle.prevent_destroy).toBe(true);
      expect(adopted[name].lifecycle.ignore_changes).toEqual(expect.arrayContaining(['value', 'value_wo', 'value_wo_version']));
      expect(adopted[name].lifecycle.precondition).toBeUndefined();
    }
  });

  test('a new secret in the adopted vault is created only from a first value, or when the vault holds it already', () => {
    const stack = out.stacks['production-azure'];
    const created = configs(stack, 'azurerm_key_vault_secret', 'secrets')['demo-secret03'];
    const [check] = created.lifecycle.precondition;
    expect(check.condition).toBe('${try(length(var.secret_values["demo-secret03"]), 0) > 0 || contains(data.azurerm_key_vault_secrets.existing_secrets_demo-csi-secret.names, "demo-secret03")}');
    expect(check.error_message).toMatch(/Key Vault secret demo-secret03 does not exist yet and has no first value/);
    expect(check.error_message).toMatch(/TF_VAR_secret_values/);
    // The vault exists: what it holds is read at plan time, so the plan itself fails without the value.
    expect(stack.data.azurerm_key_vault_secrets['existing_secrets_demo-csi-secret']).toEqual(expect.objectContaining({ key_vault_id: VAULT_ID }));
    expect(stack.data.azurerm_key_vault_secrets['existing_secrets_demo-csi-secret'].depends_on).toBeUndefined();
    expect(created.value_wo).toBe('${lookup(var.secret_values, "demo-secret03", "")}');
    expect(stack.variable.secret_values).toEqual(expect.objectContaining({ ephemeral: true, sensitive: true }));
  });
});

describe('the rules of moving in', () => {
  test.each([
    ['an existing namespace the declaration also says is not the product\'s', (d: any) => (d.services['service-a'].createNamespace = false), 'services.service-a.existing.namespace', /createNamespace: false says the namespace is not the product's/],
    [
      'an existing Google service account where the environment uses workload identity',
      (d: any) => (d.environments.production.gcp.identity = 'workloadIdentity'),
      'services.service-a.existing.googleServiceAccount',
      /environment production uses GKE identity workloadIdentity, which needs no Google service account/,
    ],
    ['accessor grants on an AKS service', (d: any) => (d.services.demo.existing.accessGrants = true), 'services.demo.existing.accessGrants', /accessGrants imports Secret Manager accessor grants of a GKE service/],
    ['a Google service account id Google refuses', (d: any) => (d.services['service-a'].existing.googleServiceAccount = 'Hoge_App'), 'services.service-a.existing.googleServiceAccount', /a Google service account id is 6-30 lowercase letters/],
  ])('%s is refused, naming the field', (_what, edit, path, rule) => {
    const problems = problemsOf(movingInWith(edit));
    expect(problems.filter((p) => formatPath(p.path) === path).map((p) => p.rule)).toEqual([expect.stringMatching(rule)]);
  });

  test('deletion protection of a Key Vault secret is Terraform\'s prevent_destroy; turning it off needs a reasoned suppression of SW-DEL-001', () => {
    expect(configs(out.stacks['production-azure'], 'azurerm_key_vault_secret', 'secrets')['demo-secret03'].lifecycle.prevent_destroy).toBe(true);
    const off = movingInWith((d) => (d.services.demo.secrets['test-secrets']['k8s-secret-key3'].deletionProtection = false));
    const refused = synthDeclaration(off);
    expect(refused.code).toBe(EXIT_POLICY_VIOLATIONS);
    expect(refused.stderr.join('\n')).toMatch(/SW-DEL-001[\s\S]*demo-secret03/);
    const excused = movingInWith((d) => {
      const k = d.services.demo.secrets['test-secrets']['k8s-secret-key3'];
      k.deletionProtection = false;
      k.suppressions = [{ rule: 'SW-DEL-001', reason: 'the key is removed at the next apply' }];
    });
    const r = synthDeclaration(excused);
    expect(r.code).toBe(0);
    expect(configs(r.stacks['production-azure'], 'azurerm_key_vault_secret', 'secrets')['demo-secret03'].lifecycle.prevent_destroy).toBeUndefined();
  });

  test('a Key Vault key with remoteName is created under that name unless it says adopt: true', () => {
    const model = parseDeclaration(movingInWith((d) => delete d.services.demo.secrets['test-secrets']['k8s-secret-key1'].adopt));
    const key = model.services.find((s) => s.name === 'demo')!.secrets[0].keys.find((k) => k.key === 'k8s-secret-key1')!;
    expect(key.source).toEqual(expect.objectContaining({ kind: 'own', remoteName: 'demo-secret01', adopt: false }));
  });
});
