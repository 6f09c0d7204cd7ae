/// <reference path="./setup.ts" />
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { KeyVault as AzurermKeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { DataGoogleClientConfig } from '@cdktf/provider-google/lib/data-google-client-config';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ProjectIamBinding } from '@cdktf/provider-google/lib/project-iam-binding';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import {
  AksClusters,
  GkeClusterAccess,
  KeyVault,
  KeyVaultSecrets,
  SecretAccessorGrants,
  SecretManagerSecrets,
  ServiceKeyVaults,
  WorkloadIdentities,
  WorkloadServiceAccounts,
  accessReportOfStacks,
  applyPolicy,
  buildApp,
  loadDeclarationFile,
  renderAccessMarkdown,
  suppressPolicy,
  DeclarationError,
  parseDeclaration,
  validateDeclaration,
  workloadIdentityReader,
} from '../lib';

// Each misuse a library user can make, refused with a message that names the construct.
function app(): App {
  return new App({ outdir: mkdtempSync(join(tmpdir(), 'misuse-')) });
}

const VAULT_ID = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-one';
const TENANT = '11111111-2222-3333-4444-555555555555';

/** Every line is part of the message (each a problem the synthesis reported). */
function expectLines(message: string, lines: readonly string[]): void {
  expect(lines.filter((l) => !message.includes(l))).toEqual([]);
}

function synthErrors(a: App): string {
  try {
    a.synth();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synthesis succeeded');
}

describe('two constructs never merge into one Terraform block', () => {
  test('two KeyVaultSecrets with the same secret name in one stack are refused, naming both', () => {
    const stack = new TerraformStack(Testing.app(), 'two-vaults');
    new KeyVaultSecrets(stack, 'One', { keyVaultId: VAULT_ID, secrets: [{ name: 'db' }] });
    expect(() => new KeyVaultSecrets(stack, 'Two', { keyVaultId: `${VAULT_ID}-2`, secrets: [{ name: 'db' }] })).toThrow(
      /two-vaults\/Two\/Resource \("db"\): Terraform address azurerm_key_vault_secret\.secrets_db is already claimed by two-vaults\/One\/Resource \("db"\)/,
    );
  });

  test('two KeyVaultSecrets with their own resourceName keep each secret in its own vault, each with its own first-values variable', () => {
    const stack = new TerraformStack(Testing.app(), 'side');
    new KeyVaultSecrets(stack, 'One', { keyVaultId: VAULT_ID, secrets: [{ name: 'db' }], resourceName: 'one' });
    new KeyVaultSecrets(stack, 'Two', { keyVaultId: `${VAULT_ID}-2`, secrets: [{ name: 'db' }], resourceName: 'two' });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.resource.azurerm_key_vault_secret.one_db.key_vault_id).toBe(VAULT_ID);
    expect(json.resource.azurerm_key_vault_secret.two_db.key_vault_id).toBe(`${VAULT_ID}-2`);
    expect(Object.keys(json.variable).sort()).toEqual(['one_values', 'two_values']);
  });

  test('a SecretAccessorGrants beside a SecretManagerSecrets with the same grant key is refused', () => {
    const stack = new TerraformStack(Testing.app(), 'grants');
    const secrets = new SecretManagerSecrets(stack, 'Secrets', { project: 'my-project', secrets: [{ secretId: 'db' }] });
    secrets.grantRead('db', 'user:a@example.com', { key: 'billing/db' });
    const other = new SecretAccessorGrants(stack, 'Other', { project: 'other-project' });
    expect(() => other.add({ key: 'billing/db', secretId: 'db', member: 'user:b@example.com' })).toThrow(
      /grants\/Other\/Resource \("billing\/db"\): Terraform address google_secret_manager_secret_iam_member\.secret_accessors_billing__db is already claimed by grants\/Secrets\/Accessors\/Resource/,
    );
  });

  test('two KeyVaults in one stack are refused unless each has its resourceName', () => {
    const stack = new TerraformStack(Testing.app(), 'vaults');
    const settings = { location: 'japaneast', resourceGroupName: 'rg', tenantId: TENANT, deployerObjectId: TENANT };
    new KeyVault(stack, 'A', { name: 'kv-a', ...settings });
    expect(() => new KeyVault(stack, 'B', { name: 'kv-b', ...settings })).toThrow(/Terraform address azurerm_key_vault\.vault is already claimed by vaults\/A\/Resource/);
    new KeyVault(stack, 'C', { name: 'kv-c', ...settings, resourceName: 'vault_c' });
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.keys(json.resource.azurerm_role_assignment).sort()).toEqual(['deployer_secrets_officer', 'vault_c_deployer_secrets_officer']);
  });

  test("a block whose address is one of the user's own resources is refused at synthesis", () => {
    const a = app();
    const stack = new TerraformStack(a, 'mixed');
    const ids = new WorkloadIdentities(stack, 'Ids', { location: 'japaneast', resourceGroupName: 'rg' });
    ids.addIdentity({ key: 'billing', name: 'id-billing' });
    new UserAssignedIdentity(stack, 'Mine', { name: 'mine', location: 'japaneast', resourceGroupName: 'rg' }).overrideLogicalId('identities_billing');
    expect(synthErrors(a)).toMatch(/mixed\/Mine: Terraform address azurerm_user_assigned_identity\.identities_billing is also the address of mixed\/Ids\/Resource \("billing"\)/);
  });
});

describe('grants are named from keys known at plan time', () => {
  test('a principal id known only at apply, without a key, is refused with what to pass instead', () => {
    const stack = new TerraformStack(Testing.app(), 'apply-time');
    const ids = new WorkloadIdentities(stack, 'Ids', { location: 'japaneast', resourceGroupName: 'rg' });
    ids.addIdentity({ key: 'billing', name: 'id-billing' });
    const kv = new KeyVaultSecrets(stack, 'Kv', { keyVaultId: VAULT_ID, secrets: [{ name: 'db' }] });
    expect(() => kv.grantRead('db', ids.principalIdOf('billing'))).toThrow(
      /apply-time\/Kv: grantRead\("db"\): the principal "\$\{azurerm_user_assigned_identity\.identities_billing\.principal_id\}" is known only at apply.*identities\.identity\("billing"\)/,
    );
    // A cdktf token is refused the same way: its number changes between syntheses.
    const mine = new UserAssignedIdentity(stack, 'Mine', { name: 'mine', location: 'japaneast', resourceGroupName: 'rg' });
    expect(() => kv.grantRead('db', mine.principalId)).toThrow(/is known only at apply/);
    // Keys must be literals too, whether given or the reader's.
    expect(() => kv.grantRead('db', { readerKey: mine.name, principalId: mine.principalId })).toThrow(/apply-time\/Kv: grantRead\("db"\): the reader's readerKey is a cdktf token, known only at apply/);
    expect(() => kv.grantRead('db', '11111111-2222-3333-4444-555555555555', { key: '' })).toThrow(/grantRead\("db"\): key is required/);
  });

  test('an identity as reader names the grant by its key, whatever its principal expression', () => {
    const stack = new TerraformStack(Testing.app(), 'reader');
    const ids = new WorkloadIdentities(stack, 'Ids', { location: 'japaneast', resourceGroupName: 'rg' });
    const billing = ids.addIdentity({ key: 'billing', name: 'id-billing' });
    const kv = new KeyVaultSecrets(stack, 'Kv', { keyVaultId: VAULT_ID });
    const db = kv.addSecret({ name: 'db' });
    expect([db.scope, db.id]).toEqual(['${azurerm_key_vault_secret.secrets_db.resource_versionless_id}', '${azurerm_key_vault_secret.secrets_db.id}']);
    const grant = db.grantRead(billing);
    expect(grant.key).toBe('billing/db');
    // A token principal of the user's own, with a key the user gives.
    const mine = new UserAssignedIdentity(stack, 'Mine', { name: 'mine', location: 'japaneast', resourceGroupName: 'rg' });
    kv.grantRead('db', { readerKey: 'mine', principalId: mine.principalId });
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.keys(json.resource.azurerm_role_assignment).sort()).toEqual(['secret_readers_billing__db', 'secret_readers_mine__db']);
    expect(json.resource.azurerm_role_assignment.secret_readers_billing__db.principal_id).toBe('${azurerm_user_assigned_identity.identities_billing.principal_id}');
    expect(json.resource.azurerm_role_assignment.secret_readers_mine__db.principal_id).toBe('${azurerm_user_assigned_identity.Mine.principal_id}');
  });

  test('GCP readers: a service account waits for its account; a Workload Identity reader is keyed by namespace and account', () => {
    const stack = new TerraformStack(Testing.app(), 'gcp-readers');
    const accounts = new WorkloadServiceAccounts(stack, 'Accounts', { project: 'my-project' });
    const billing = accounts.addAccount({ key: 'billing', accountId: 'secrets-billing', workloadIdentityUser: 'serviceAccount:my-project.svc.id.goog[billing/billing]' });
    const secrets = new SecretManagerSecrets(stack, 'Secrets', { project: 'my-project' });
    const db = secrets.addSecret({ secretId: 'billing_DB' });
    expect([db.address, db.id]).toEqual(['google_secret_manager_secret.secrets_billing_DB', '${google_secret_manager_secret.secrets_billing_DB.id}']);
    db.grantRead(billing);
    db.grantRead(workloadIdentityReader('123456789012', 'my-project', 'shop', 'shop-secrets'));
    expect(secrets.allGrants.map((g) => g.key)).toEqual(['billing/billing_DB', 'shop/shop-secrets/billing_DB']);
    const json = JSON.parse(Testing.synth(stack));
    expect(json.resource.google_secret_manager_secret_iam_member.secret_accessors_billing__billing_DB.depends_on).toEqual([
      'google_secret_manager_secret.secrets_billing_DB',
      'google_service_account.service_accounts_billing',
    ]);
    expect(json.resource.google_secret_manager_secret_iam_member['secret_accessors_shop__shop-secrets__billing_DB'].member).toMatch(/^principal:\/\/iam\.googleapis\.com\/projects\/123456789012\/.*\/subject\/ns\/shop\/sa\/shop-secrets$/);
  });
});

describe('construct input is checked at synthesis with the declaration rules', () => {
  test('every bad value is reported at once, naming the construct path, the field, the value and the rule', () => {
    const a = app();
    const stack = new TerraformStack(a, 'bad');
    const secrets = new SecretManagerSecrets(stack, 'Secrets', { project: undefined as unknown as string });
    secrets.addSecret({ secretId: 'has space/and slash!', labels: { 'Bad Key': 'x' } });
    secrets.addSecret({ secretId: 'ok' });
    secrets.grantRead('ok', 'billing');
    new KeyVault(stack, 'Vault', { name: 'v'.repeat(40), location: 'japaneast', resourceGroupName: 'rg', tenantId: 'not-a-guid', deployerObjectId: TENANT });
    const message = synthErrors(a);
    expectLines(message, [
      'bad/Secrets: project is required (rule gcp-project-id: a GCP project id is 6-30 lowercase letters',
      'bad/Secrets: secrets["has space/and slash!"].secretId "has space/and slash!" breaks rule secret-manager-id: a Secret Manager secret id is 1-255 letters, digits, underscores or hyphens',
      'bad/Secrets: secrets["has space/and slash!"].labels key "Bad Key" breaks rule gcp-label-key',
    ]);
    expect(message).toMatch(/bad\/Secrets\/Accessors: grants\["billing\/ok"\]\.member "billing" breaks rule gcp-iam-member/);
    expectLines(message, [
      `bad/Vault: name "${'v'.repeat(40)}" breaks rule key-vault-name: a Key Vault name is 3-24 letters`,
      'bad/Vault: tenantId "not-a-guid" breaks rule guid',
    ]);
    // Nothing was written for the stack.
    expect(require('node:fs').existsSync(join(a.outdir, 'stacks', 'bad', 'cdk.tf.json'))).toBe(false);
  });

  test('public members are refused as IAM members', () => {
    const a = app();
    const stack = new TerraformStack(a, 'public');
    const secrets = new SecretManagerSecrets(stack, 'Secrets', { project: 'my-project', secrets: [{ secretId: 'db' }] });
    secrets.grantRead('db', 'allUsers');
    expect(synthErrors(a)).toMatch(/member "allUsers" breaks rule gcp-iam-member/);
  });

  test('Azure sets: secret names, vault names, literal principals and identity names', () => {
    const a = app();
    const stack = new TerraformStack(a, 'az');
    const kv = new KeyVaultSecrets(stack, 'Kv', { keyVaultId: VAULT_ID, secrets: [{ name: 'under_score' }] });
    kv.grantRead('under_score', 'not-an-object-id');
    const vaults = new ServiceKeyVaults(stack, 'Vaults', { location: 'Japan East', resourceGroupName: 'rg', tenantId: TENANT, deployerObjectId: TENANT });
    vaults.addVault({ service: 'billing', name: '-bad' });
    const ids = new WorkloadIdentities(stack, 'Ids', { location: 'japaneast', resourceGroupName: 'rg' });
    ids.addIdentity({ key: 'x', name: 'a b' });
    const message = synthErrors(a);
    expectLines(message, [
      'az/Kv: secrets["under_score"].name "under_score" breaks rule key-vault-secret-name',
      'az/Kv: grantRead("under_score") principal id "not-an-object-id" breaks rule object-id: an object (principal) id is a GUID',
      'az/Vaults: location "Japan East" breaks rule azure-location',
      'az/Vaults: vaults["billing"].name "-bad" breaks rule key-vault-name',
      'az/Ids: identities["x"].name "a b" breaks rule managed-identity-name: a managed identity name is 3-128 letters',
    ]);
  });

  test('clusters: GKE and AKS names, locations and resource groups', () => {
    const a = app();
    const stack = new TerraformStack(a, 'clusters');
    const clientConfig = new DataGoogleClientConfig(stack, 'Client');
    new GkeClusterAccess(stack, 'Gke', { project: 'my-project', name: 'GKE_Prod', location: 'tokyo', clientConfig });
    new AksClusters(stack, 'Aks', { clusters: [{ name: '-aks', resourceGroup: 'rg.' }] });
    const message = synthErrors(a);
    expectLines(message, [
      'clusters/Gke: name "GKE_Prod" breaks rule gke-cluster-name',
      'clusters/Gke: location "tokyo" breaks rule gcp-location',
      'clusters/Aks: clusters[0].name "-aks" breaks rule aks-cluster-name',
      'clusters/Aks: clusters[0].resourceGroup "rg." breaks rule azure-resource-group',
    ]);
  });

  test('valid input synthesizes without a message', () => {
    const a = app();
    const stack = new TerraformStack(a, 'good');
    const secrets = new SecretManagerSecrets(stack, 'Secrets', { project: 'my-project', secrets: [{ secretId: 'billing_DB', labels: { team: 'billing' } }] });
    secrets.grantRead('billing_DB', 'serviceAccount:app@my-project.iam.gserviceaccount.com');
    expect(() => a.synth()).not.toThrow();
  });

  test('validateDeclaration takes a typed declaration; data of unknown shape goes through parseDeclaration', () => {
    // @ts-expect-error a declaration needs environments and services
    expect(() => validateDeclaration({ nonsense: 1 })).toThrow(/environments/);
  });
});

describe("the rule pack on a user's own stack", () => {
  function unprotected(withSuppression: boolean) {
    const a = app();
    const stack = new TerraformStack(a, 'own');
    const labels = { 'managed-by': 'secret-wiring', service: 'reports', environment: 'production' };
    const scratch = new SecretManagerSecrets(stack, 'Scratch', { project: 'my-project', labels, deletionProtection: false, secrets: [{ secretId: 'reports_SCRATCH' }] });
    new SecretManagerSecrets(stack, 'Unlabelled', { project: 'my-project', secrets: [{ secretId: 'reports_TOKEN' }], resourceName: 'unlabelled' });
    if (withSuppression) {
      suppressPolicy(scratch, 'SW-DEL-001', 'recreated by the integration tests every night');
      suppressPolicy(stack, 'SW-LBL-001', 'labels are set by the organisation policy engine');
    }
    return { a, report: applyPolicy(stack) };
  }

  test('errors fail app.synth(), each naming the construct behind it, the rule, the resource and the fix', () => {
    const message = synthErrors(unprotected(false).a);
    expect(message).toMatch(/own\/Scratch\/Resource: SW-DEL-001 google_secret_manager_secret\.secrets_reports_SCRATCH: deletion protection is off for reports_SCRATCH; fix: Keep deletionProtection on/);
    expect(message).toMatch(/own\/Unlabelled\/Resource: SW-LBL-001 google_secret_manager_secret\.unlabelled_reports_TOKEN: missing managed-by, service, environment/);
  });

  test('suppressPolicy excuses a rule on a construct and everything under it, with its reason in the report', () => {
    const { a, report } = unprotected(true);
    a.synth();
    expect(report.errors).toEqual([]);
    expect(report.suppressed.map((f) => [f.rule, f.resource, f.suppressed!.at, f.suppressed!.reason])).toEqual([
      ['SW-DEL-001', 'google_secret_manager_secret.secrets_reports_SCRATCH', 'own/Scratch', 'recreated by the integration tests every night'],
      ['SW-LBL-001', 'google_secret_manager_secret.unlabelled_reports_TOKEN', 'own', 'labels are set by the organisation policy engine'],
    ]);
    const access = accessReportOfStacks(report, { environment: 'production', cloud: 'gcp' });
    expect(access.secrets.map((s) => s.name).sort()).toEqual(['reports_SCRATCH', 'reports_TOKEN']);
    expect(access.suppressions.map((s) => s.rule).sort()).toEqual(['SW-DEL-001', 'SW-LBL-001']);
  });

  test("the deployer's access to a vault and a service's read access to its own vault pass, whatever their resourceName", () => {
    const a = app();
    const stack = new TerraformStack(a, 'vaults');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const settings = { location: 'japaneast', resourceGroupName: 'rg', tenantId: TENANT, deployerObjectId: TENANT };
    new KeyVault(stack, 'Main', { name: 'kv-billing-main', ...settings });
    new KeyVault(stack, 'Batch', { name: 'kv-billing-batch', ...settings, resourceName: 'batch_vault' });
    const ids = new WorkloadIdentities(stack, 'Ids', { location: 'japaneast', resourceGroupName: 'rg' });
    const billing = ids.addIdentity({ key: 'billing', name: 'id-billing' });
    const vaults = new ServiceKeyVaults(stack, 'Vaults', { ...settings, resourceName: 'svc_vaults' });
    vaults.addVault({ service: 'billing', name: 'kv-svc-billing' });
    vaults.addVault({ service: 'orders', name: 'kv-svc-orders' });
    vaults.grantReadAll('billing', billing);
    const report = applyPolicy(stack);
    a.synth();
    expect(report.errors).toEqual([]);
    // A reader on another service's vault is still flagged.
    const b = app();
    const other = new TerraformStack(b, 'other');
    new AzurermProvider(other, 'azurerm', { features: [{}] });
    new RoleAssignment(other, 'Wide', { scope: '${azurerm_key_vault.svc_vaults_orders.id}', roleDefinitionName: 'Key Vault Secrets User', principalId: TENANT });
    const v2 = new ServiceKeyVaults(other, 'Vaults', { ...settings, resourceName: 'svc_vaults' });
    v2.addVault({ service: 'orders', name: 'kv-svc-orders2' });
    applyPolicy(other);
    expect(synthErrors(b)).toMatch(/other\/Wide: SW-IAM-001 azurerm_role_assignment\.Wide: "Key Vault Secrets User" is assigned on/);
  });

  test("the access report of a user's stack names a grant of its own and a project-wide role as readers", () => {
    const a = app();
    const stack = new TerraformStack(a, 'report');
    new GoogleProvider(stack, 'google', {});
    const labels = { 'managed-by': 'secret-wiring', service: 'reports', environment: 'production' };
    const secrets = new SecretManagerSecrets(stack, 'Secrets', { project: 'my-project', labels, secrets: [{ secretId: 'reports_TOKEN' }] });
    secrets.grantRead('reports_TOKEN', 'serviceAccount:runner@my-project.iam.gserviceaccount.com');
    const wide = new ProjectIamMember(stack, 'Wide', { project: 'my-project', role: 'roles/secretmanager.secretAccessor', member: 'group:ops@example.com' });
    suppressPolicy(wide, 'SW-IAM-001', 'the on-call group reads every secret during incidents');
    const report = applyPolicy(stack);
    a.synth();
    const access = accessReportOfStacks(report, { environment: 'production', cloud: 'gcp' });
    expect(access.secrets[0].readers).toEqual([
      { service: '(anyone with group:ops@example.com in the project)', via: 'project', principal: 'group:ops@example.com' },
      { service: '(undeclared)', via: 'grant', principal: 'serviceAccount:runner@my-project.iam.gserviceaccount.com' },
    ]);
    expect(renderAccessMarkdown(access)).toContain("- (anyone with group:ops@example.com in the project) reads reports's gcp:reports_TOKEN (a project-wide role)");
  });

  test('an unknown rule or a reason too short to say why is refused', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    expect(() => suppressPolicy(stack, 'SW-NOPE-001', 'because we can say why')).toThrow(/s: suppressPolicy rule "SW-NOPE-001" is not a rule of the pack/);
    expect(() => suppressPolicy(stack, 'SW-DEL-001', 'short')).toThrow(/reason "short" is too short: a reason of at least 10 characters/);
  });
});

describe('one owner per address and per cloud object', () => {
  const TENANT_SETTINGS = { location: 'japaneast', resourceGroupName: 'rg', tenantId: TENANT, deployerObjectId: TENANT };

  test("a resource or variable of the user's own at a fixed address of the product's fails app.synth(), naming both", () => {
    const a = app();
    const stack = new TerraformStack(a, 'fixed');
    new TerraformVariable(stack, 'secret_values', { type: 'string' });
    const vault = new KeyVault(stack, 'Vault', { name: 'kv-billing', ...TENANT_SETTINGS });
    new KeyVaultSecrets(stack, 'Secrets', { keyVaultId: vault.resource.id, vaultName: 'kv-billing', secrets: [{ name: 'db' }] });
    new AzurermKeyVault(stack, 'vault', { name: 'kv-team', location: 'japaneast', resourceGroupName: 'rg', tenantId: TENANT, skuName: 'premium' });
    const message = synthErrors(a);
    expectLines(message, [
      'fixed/vault: Terraform address azurerm_key_vault.vault is also the address of fixed/Vault/Resource',
      'fixed/secret_values: Terraform address var.secret_values is also the address of fixed/Secrets/Values',
    ]);
  });

  test('one cloud object under two resourceNames is refused: a secret, a case-folded Key Vault secret, a vault, a service account', () => {
    const stack = new TerraformStack(Testing.app(), 'objects');
    new SecretManagerSecrets(stack, 'A', { project: 'my-project', secrets: [{ secretId: 'db' }] });
    expect(() => new SecretManagerSecrets(stack, 'B', { project: 'my-project', secrets: [{ secretId: 'db', adopt: true }], resourceName: 'b' })).toThrow(
      /objects\/B \("db"\): Secret Manager secret my-project\/db is already managed by objects\/A \("db"\); two blocks of one object would fight over it/,
    );
    new SecretManagerSecrets(stack, 'C', { project: 'other-project', secrets: [{ secretId: 'db' }], resourceName: 'c' });
    const kv = new KeyVaultSecrets(stack, 'Kv', { keyVaultId: VAULT_ID, vaultName: 'kv-one', secrets: [{ name: 'Db-Pass' }] });
    expect(() => kv.addSecret({ name: 'db-pass' })).toThrow(/Key Vault secret kv-one\/db-pass is already managed by objects\/Kv \("Db-Pass"\)/);
    new KeyVault(stack, 'V1', { name: 'kv-Billing', ...TENANT_SETTINGS });
    expect(() => new KeyVault(stack, 'V2', { name: 'KV-billing', ...TENANT_SETTINGS, resourceName: 'v2' })).toThrow(/Key Vault kv-billing is already managed by objects\/V1/);
    const vaults = new ServiceKeyVaults(stack, 'Vaults', TENANT_SETTINGS);
    expect(() => vaults.addVault({ service: 'billing', name: 'kv-billing' })).toThrow(/Key Vault kv-billing is already managed by objects\/V1/);
    const accounts = new WorkloadServiceAccounts(stack, 'Sa', { project: 'my-project' });
    accounts.addAccount({ key: 'a', accountId: 'secrets-billing', workloadIdentityUser: 'serviceAccount:my-project.svc.id.goog[a/a]' });
    expect(() => accounts.addAccount({ key: 'b', accountId: 'secrets-billing', workloadIdentityUser: 'serviceAccount:my-project.svc.id.goog[b/b]' })).toThrow(
      /Google service account my-project\/secrets-billing is already managed by objects\/Sa \("a"\)/,
    );
  });

  test('a name that is a cdktf token, or a vault known only by an apply-time id, cannot name a block', () => {
    const stack = new TerraformStack(Testing.app(), 'tokens');
    const mine = new UserAssignedIdentity(stack, 'Mine', { name: 'mine', location: 'japaneast', resourceGroupName: 'rg' });
    const secrets = new SecretManagerSecrets(stack, 'Secrets', { project: 'my-project' });
    expect(() => secrets.addSecret({ secretId: mine.name })).toThrow(/tokens\/Secrets: addSecret: secretId is a cdktf token, known only at apply; it names a Terraform block/);
    const vault = new KeyVault(stack, 'Vault', { name: 'kv-billing', ...TENANT_SETTINGS });
    const kv = new KeyVaultSecrets(stack, 'Kv', { keyVaultId: vault.resource.id });
    expect(() => kv.addSecret({ name: 'db' })).toThrow(/tokens\/Kv: addSecret\("db"\): vaultName is required when keyVaultId is known only at apply/);
  });

  test('missing props and required fields are named, never a TypeError', () => {
    const stack = new TerraformStack(Testing.app(), 'missing');
    expect(() => new SecretManagerSecrets(stack, 'A', undefined as unknown as { project: string })).toThrow(/missing\/A: props undefined is not an object/);
    const secrets = new SecretManagerSecrets(stack, 'B', { project: 'my-project' });
    expect(() => secrets.addSecret({} as { secretId: string })).toThrow(/missing\/B: addSecret: secretId is required/);
    const ids = new WorkloadIdentities(stack, 'Ids', { location: 'japaneast', resourceGroupName: 'rg' });
    expect(() => ids.addIdentity({} as { key: string; name: string })).toThrow(/missing\/Ids: addIdentity: key is required/);
    expect(() => new SecretManagerSecrets(stack, 'C', { project: 'my-project', secrets: 'x' as unknown as [] })).toThrow(/missing\/C: secrets "x" is not a list of secrets/);
  });

  test('readers and federations are checked: a literal principal of a reader object, a Workload Identity reader, a federation', () => {
    expect(() => workloadIdentityReader('12ab', 'BAD', 'Bad_NS', 'sa')).toThrow(
      /workloadIdentityReader: projectNumber "12ab" breaks rule gcp-project-number.*; project "BAD" breaks rule gcp-project-id.*; namespace "Bad_NS" breaks rule dns-1123-label/,
    );
    const a = app();
    const stack = new TerraformStack(a, 'readers');
    const kv = new KeyVaultSecrets(stack, 'Kv', { keyVaultId: VAULT_ID, secrets: [{ name: 'db' }] });
    kv.grantRead('db', { readerKey: 'x', principalId: 'not-a-guid' });
    const ids = new WorkloadIdentities(stack, 'Ids', { location: 'japaneast', resourceGroupName: 'rg' });
    ids.addIdentity({ key: 'billing', name: 'id-billing' });
    ids.federate({ key: 'billing/aks', identity: 'billing', name: 'bad name', issuer: 'not a url', subject: 'nonsense' });
    const message = synthErrors(a);
    expectLines(message, [
      'readers/Kv: grantRead("db") principal id "not-a-guid" breaks rule object-id',
      'readers/Ids: federations["billing/aks"].name "bad name" breaks rule federated-credential-name',
      'readers/Ids: federations["billing/aks"].issuer "not a url" breaks rule oidc-issuer',
      'readers/Ids: federations["billing/aks"].subject "nonsense" breaks rule kubernetes-subject',
    ]);
  });
});

test('applyPolicy takes each stack once, and only stacks', () => {
  const a = Testing.app();
  const stack = new TerraformStack(a, 'once');
  applyPolicy(stack);
  expect(() => applyPolicy(stack)).toThrow(/once: applyPolicy is already applied to this stack/);
  expect(() => applyPolicy(a as unknown as TerraformStack)).toThrow(/applyPolicy: .* is not a TerraformStack/);
});

test('a declaration object that contains itself, or is nested without end, is a declaration problem, not a crash', () => {
  const cyclic: Record<string, unknown> = { environments: {}, services: {} };
  (cyclic.services as Record<string, unknown>).loop = cyclic;
  expect(() => parseDeclaration(cyclic)).toThrow(DeclarationError);
  expect(() => parseDeclaration(cyclic)).toThrow(/services\.loop.*this value contains itself/);
  let deep: Record<string, unknown> = {};
  const top = { environments: {}, services: { deep } };
  for (let i = 0; i < 5000; i++) deep = (deep.x = {}) as Record<string, unknown>;
  expect(() => parseDeclaration(top)).toThrow(/nested at most 64 levels deep/);
});

describe('claims that must not refuse what is legitimate, and must refuse what is not', () => {
  test("every declaration of the repository builds into one App with buildApp: each environment's grants are its own objects", () => {
    const { readdirSync } = require('node:fs') as typeof import('node:fs');
    const root = join(__dirname, '..');
    const files = [join(root, 'secrets.yaml'), ...readdirSync(join(root, 'examples', 'declarations')).map((f) => join(root, 'examples', 'declarations', f))];
    for (const file of files) {
      const a = Testing.app();
      const out = buildApp(a, loadDeclarationFile(file));
      expect([file, out.length]).toEqual([file, loadDeclarationFile(file).environments.length]);
    }
  });

  test('the same role assignment or IAM grant twice under two keys is refused; in two stacks, the same expressions are two objects', () => {
    const a = Testing.app();
    const stack = new TerraformStack(a, 'grants');
    const kv = new KeyVaultSecrets(stack, 'Kv', { keyVaultId: VAULT_ID, vaultName: 'kv-one', secrets: [{ name: 'db' }] });
    const ids = new WorkloadIdentities(stack, 'Ids', { location: 'japaneast', resourceGroupName: 'rg' });
    const billing = ids.addIdentity({ key: 'billing', name: 'id-billing' });
    kv.grantRead('db', billing);
    expect(() => kv.grantRead('db', billing, { key: 'again/db' })).toThrow(/grants\/Kv \("again\/db"\): role assignment Key Vault Secrets User on .* is already managed by grants\/Kv \("billing\/db"\)/);
    const secrets = new SecretManagerSecrets(stack, 'Secrets', { project: 'my-project', secrets: [{ secretId: 'db' }] });
    secrets.grantRead('db', 'user:a@example.com', { key: 'a/db' });
    expect(() => secrets.grantRead('db', 'user:a@example.com', { key: 'b/db' })).toThrow(/IAM grant projects\/my-project\/secrets\/db roles\/secretmanager\.secretAccessor user:a@example\.com is already managed by/);
    // The same construct tree in another stack of the app: its expressions name its own blocks.
    const other = new TerraformStack(a, 'other');
    const kv2 = new KeyVaultSecrets(other, 'Kv', { keyVaultId: '${azurerm_key_vault.vault.id}', vaultName: 'kv-two', secrets: [{ name: 'db' }] });
    const ids2 = new WorkloadIdentities(other, 'Ids', { location: 'japaneast', resourceGroupName: 'rg2' });
    expect(() => kv2.grantRead('db', ids2.addIdentity({ key: 'billing', name: 'id-billing' }))).not.toThrow();
  });

  test('two sets writing different secrets to one vault share its lookup', () => {
    const stack = new TerraformStack(Testing.app(), 'shared');
    new KeyVaultSecrets(stack, 'A', { keyVaultId: VAULT_ID, vaultName: 'kv-one', secrets: [{ name: 'a' }] });
    new KeyVaultSecrets(stack, 'B', { keyVaultId: VAULT_ID, vaultName: 'kv-one', secrets: [{ name: 'b' }] });
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.keys(json.data.azurerm_key_vault_secrets)).toEqual(['existing_secrets_kv-one']);
    expect(Object.keys(json.resource.azurerm_key_vault_secret).sort()).toEqual(['secrets_a', 'secrets_b']);
    expect(json.resource.azurerm_key_vault_secret.secrets_b.lifecycle.precondition[0].condition).toContain('data.azurerm_key_vault_secrets.existing_secrets_kv-one.names');
  });

  test("a vault's reader is its service's identity, never a bare principal; a forged comment exempts nothing", () => {
    const a = app();
    const stack = new TerraformStack(a, 'forged');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const vaults = new ServiceKeyVaults(stack, 'Vaults', { location: 'japaneast', resourceGroupName: 'rg', tenantId: TENANT, deployerObjectId: TENANT });
    vaults.addVault({ service: 'billing', name: 'kv-svc-billing' });
    expect(() => vaults.grantReadAll('billing', TENANT as unknown as { readerKey: string; principalId: string })).toThrow(/grantReadAll\("billing"\) takes the service's identity as a reader/);
    expect(() => vaults.grantReadAll('billing', { readerKey: 'orders', principalId: TENANT })).toThrow(/a service's vault is read by that service alone/);
    const wide = new RoleAssignment(stack, 'Wide', { scope: '${azurerm_key_vault.vaults_billing.id}', roleDefinitionName: 'Key Vault Secrets Officer', principalId: TENANT });
    wide.addOverride('//.purpose', 'deployer-access');
    applyPolicy(stack);
    expect(synthErrors(a)).toMatch(/forged\/Wide: SW-IAM-001 azurerm_role_assignment\.Wide: "Key Vault Secrets Officer" is assigned on/);
  });
});

test('retention days, workload identity users and literal vault ids are checked with their rules', () => {
  const a = app();
  const stack = new TerraformStack(a, 'rules');
  new KeyVault(stack, 'Vault', { name: 'kv-rules', location: 'japaneast', resourceGroupName: 'rg', tenantId: TENANT, deployerObjectId: TENANT, softDeleteRetentionDays: 3 });
  new WorkloadServiceAccounts(stack, 'Sa', { project: 'my-project', accounts: [{ key: 'b', accountId: 'secrets-b', workloadIdentityUser: 'nonsense' }] });
  new KeyVaultSecrets(stack, 'Kv', { keyVaultId: 'kv-rules', vaultName: 'kv-rules', secrets: [{ name: 'db' }] });
  const message = synthErrors(a);
  expectLines(message, [
    'rules/Vault: softDeleteRetentionDays "3" breaks rule soft-delete-retention-days',
    'rules/Sa: accounts["b"].workloadIdentityUser "nonsense" breaks rule workload-identity-user',
    'rules/Kv: keyVaultId "kv-rules" breaks rule key-vault-id',
  ]);
});

test('the access report counts a project binding and a subscription-wide Azure role as readers of every secret', () => {
  const a = app();
  const gcp = new TerraformStack(a, 'gcp-wide');
  new GoogleProvider(gcp, 'google', {});
  const labels = { 'managed-by': 'secret-wiring', service: 'reports', environment: 'production' };
  new SecretManagerSecrets(gcp, 'Secrets', { project: 'my-project', labels, secrets: [{ secretId: 'reports_TOKEN' }] });
  new ProjectIamBinding(gcp, 'Binding', { project: 'my-project', role: 'roles/secretmanager.admin', members: ['group:admins@example.com'] });
  const az = new TerraformStack(a, 'az-wide');
  new AzurermProvider(az, 'azurerm', { features: [{}] });
  const kv = new KeyVaultSecrets(az, 'Kv', { keyVaultId: VAULT_ID, vaultName: 'kv-one', tags: labels, secrets: [{ name: 'reports--TOKEN' }] });
  kv.grantRead('reports--TOKEN', { readerKey: 'reports', principalId: TENANT });
  new RoleAssignment(az, 'Owner', { scope: '/subscriptions/00000000-0000-0000-0000-000000000000', roleDefinitionName: 'Owner', principalId: '99999999-2222-3333-4444-555555555555' });
  const report = applyPolicy(gcp, { failOnError: false });
  applyPolicy(az, { failOnError: false, report });
  a.synth();
  const g = accessReportOfStacks(report, { environment: 'production', cloud: 'gcp', stacks: ['gcp-wide'] });
  expect(g.secrets[0].readers).toEqual([{ service: '(anyone with group:admins@example.com in the project)', via: 'project', principal: 'group:admins@example.com' }]);
  const z = accessReportOfStacks(report, { environment: 'production', cloud: 'azure', stacks: ['az-wide'] });
  expect(z.secrets[0].readers.map((r) => [r.service, r.via])).toEqual([
    ['(anyone with 99999999-2222-3333-4444-555555555555 in the subscription or resource group)', 'project'],
    ['(undeclared)', 'grant'],
  ]);
});

test("an AKS cluster's add-on identity is a reader too, keyed by its cluster", () => {
  const stack = new TerraformStack(Testing.app(), 'addon');
  const clusters = new AksClusters(stack, 'Clusters', { clusters: [{ name: 'aks-prod', resourceGroup: 'rg' }], requireWorkloadIdentity: false });
  const kv = new KeyVaultSecrets(stack, 'Kv', { keyVaultId: VAULT_ID, vaultName: 'kv-one', secrets: [{ name: 'db' }] });
  const grant = kv.grantRead('db', clusters.addonReader('aks-prod'));
  expect(grant.key).toBe('aks-addon-aks-prod/db');
  expect(grant.principalId).toBe('${data.azurerm_kubernetes_cluster.clusters_aks-prod.key_vault_secrets_provider[0].secret_identity[0].object_id}');
});
