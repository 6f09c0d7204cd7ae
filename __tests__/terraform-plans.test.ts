/// <reference path="./setup.ts" />
/**
 * Assertions over real Terraform plans (plan.json) of every stack of every example declaration,
 * written by `npm run test:terraform` (scripts/plan-all.js), which runs this file with
 * SECRET_WIRING_PLANS set. Without it (plain `npm test`) there are no plans to read and the file is
 * skipped.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStack } from '../lib/terraform/stack-json';
import { validateStacks } from '../scripts/validate-stacks';

interface PlanRun {
  readonly name: string;
  readonly declaration?: string;
  readonly stack?: string;
  readonly status: string;
  readonly step?: string;
  readonly diags?: unknown[];
  readonly planJson?: string;
  readonly dir: string;
}
interface Summary {
  readonly plans: PlanRun[];
  readonly upgrade: PlanRun[];
  readonly steady: PlanRun[];
  readonly failClosed: PlanRun[];
  readonly validate: { readonly stacks: string; readonly tfplanWork: string };
}

const file = process.env.SECRET_WIRING_PLANS;
const summary: Summary | undefined = file ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
const suite = summary ? describe : describe.skip;

interface Change {
  readonly address: string;
  readonly previous_address?: string;
  readonly mode: string;
  readonly type: string;
  readonly change: { readonly actions: string[]; readonly importing?: { readonly id: string } };
}
const changes = (p: PlanRun): Change[] => JSON.parse(readFileSync(p.planJson!, 'utf8')).resource_changes ?? [];
const managed = (p: PlanRun) => changes(p).filter((c) => c.mode === 'managed');

suite('real Terraform plans of every example declaration', () => {
  const plans = summary?.plans ?? [];

  test('every stack of every declaration passes terraform init, validate and plan', () => {
    expect(plans.filter((p) => p.status !== 'PASS').map((p) => [p.name, p.step, p.diags])).toEqual([]);
    // Every mode is among them.
    expect(new Set(plans.map((p) => p.declaration))).toEqual(new Set(['example', 'aks-addon-identity', 'aks-csi-helm', 'aks-vault-per-service', 'gke-google-service-account', 'managed-prometheus', 'moving-in', 'sharded']));
    const types = new Set(plans.flatMap((p) => managed(p).map((c) => c.type)));
    for (const t of ['google_service_account', 'google_service_account_iam_member', 'azurerm_federated_identity_credential', 'helm_release', 'kubernetes_manifest']) expect([t, types.has(t)]).toEqual([t, true]);
    expect(plans.filter((p) => p.declaration === 'sharded').map((p) => p.stack).sort()).toEqual(
      [
        ...['production-gcp', 'production-gcp-core', 'production-gcp-payments', 'production-azure', 'production-azure-core', 'production-azure-payments'].flatMap((s) => [s, `${s}-manifests`]),
        // Monitoring on its own, once per environment and cloud.
        'production-gcp-monitoring',
        'production-azure-monitoring',
      ].sort(),
    );
  });

  test('each plan creates exactly the resource blocks that were synthesized, and deletes or replaces nothing', () => {
    for (const p of plans) {
      const synthesized = Object.entries<Record<string, unknown>>(readStack(p.dir).resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`));
      const planned = managed(p);
      expect([p.name, planned.map((c) => c.address).sort()]).toEqual([p.name, synthesized.sort()]);
      expect([p.name, planned.filter((c) => c.change.actions.includes('delete'))]).toEqual([p.name, []]);
    }
  });

  test('adopted secrets are imported at their own address, never created, and nothing is destroyed', () => {
    const imports = plans.flatMap((p) => managed(p).filter((c) => c.change.importing).map((c) => [p.name, c.address, c.change.importing!.id, c.change.actions.join()]));
    expect(imports.sort()).toEqual(
      [
        ['example--evaluation-gcp', 'google_secret_manager_secret.adopted_secrets_hoge-token', 'projects/karte-evaluation/secrets/hoge-token', 'update'],
        ['example--production-gcp', 'google_secret_manager_secret.adopted_secrets_hoge-token', 'projects/karte-production/secrets/hoge-token', 'update'],
        ['gke-google-service-account--staging-gcp', 'google_secret_manager_secret.adopted_secrets_legacy-payment-key', 'projects/shop-staging/secrets/legacy-payment-key', 'update'],
        // Moving in: the binding script's grant and account, the namespace and service account made earlier, the portal's vault and secrets.
        ['moving-in--production-gcp', 'google_secret_manager_secret.adopted_secrets_service-a_FOO_PASSWORD', 'projects/karte-production/secrets/service-a_FOO_PASSWORD', 'update'],
        [
          'moving-in--production-gcp',
          'google_secret_manager_secret_iam_member.secret_accessors_service-a__service-a_FOO_PASSWORD',
          'projects/karte-production/secrets/service-a_FOO_PASSWORD roles/secretmanager.secretAccessor serviceAccount:hoge-app@karte-production.iam.gserviceaccount.com',
          'update',
        ],
        ['moving-in--production-gcp', 'google_service_account.service_accounts_service-a', 'projects/karte-production/serviceAccounts/hoge-app@karte-production.iam.gserviceaccount.com', 'update'],
        [
          'moving-in--production-gcp',
          'google_service_account_iam_member.workload_identity_users_service-a',
          'projects/karte-production/serviceAccounts/hoge-app@karte-production.iam.gserviceaccount.com roles/iam.workloadIdentityUser serviceAccount:karte-production.svc.id.goog[service-a/service-a-secrets]',
          'update',
        ],
        ['moving-in--production-gcp-manifests', 'kubernetes_manifest.admin_Namespace__service-a', 'apiVersion=v1,kind=Namespace,name=service-a', 'update'],
        ['moving-in--production-gcp-manifests', 'kubernetes_manifest.admin_ServiceAccount__service-a__service-a-secrets', 'apiVersion=v1,kind=ServiceAccount,namespace=service-a,name=service-a-secrets', 'update'],
        ['moving-in--production-azure', 'azurerm_key_vault.vault', '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo_aks_key_vault/providers/Microsoft.KeyVault/vaults/demo-csi-secret', 'update'],
        ['moving-in--production-azure', 'azurerm_key_vault_secret.adopted_secrets_demo-secret01', 'stand-in-id', 'update'],
        ['moving-in--production-azure', 'azurerm_key_vault_secret.adopted_secrets_demo-secret02', 'stand-in-id', 'update'],
        ['moving-in--production-azure-manifests', 'kubernetes_manifest.aks_my-aks-key-vault01_Namespace__demo', 'apiVersion=v1,kind=Namespace,name=demo', 'update'],
      ].sort(),
    );
  });

  test('moving in writes no value: adopted Key Vault secrets plan no value, and the import changes no value_wo_version', () => {
    const azure = plans.find((p) => p.name === 'moving-in--production-azure')!;
    const plan = JSON.parse(readFileSync(azure.planJson!, 'utf8'));
    for (const c of plan.resource_changes.filter((r: any) => r.type === 'azurerm_key_vault_secret' && r.change.importing)) {
      expect([c.address, c.change.before?.value_wo_version ?? null, c.change.after?.value_wo_version ?? null]).toEqual([c.address, c.change.before?.value_wo_version ?? null, c.change.before?.value_wo_version ?? null]);
    }
  });

  test('in a sharded environment each shard plans only its own services’ secrets, with every grant on them', () => {
    const secretsOf = (stack: string) =>
      managed(plans.find((p) => p.name === `sharded--${stack}`)!)
        .filter((c) => c.type === 'google_secret_manager_secret' || c.type === 'azurerm_key_vault_secret')
        .map((c) => c.address)
        .sort();
    expect(secretsOf('production-gcp-payments')).toEqual(['google_secret_manager_secret.secrets_payments_LEDGER_DB_PASSWORD', 'google_secret_manager_secret.secrets_payments_STRIPE_KEY']);
    expect(secretsOf('production-gcp-core')).toEqual(['google_secret_manager_secret.secrets_ledger_AUDIT_TOKEN']);
    expect(secretsOf('production-azure-payments')).toEqual(['azurerm_key_vault_secret.secrets_search--INDEX-KEY']);
    // ledger reads payments' password through from: the grant lives with the secret, in the payments shard.
    const grants = managed(plans.find((p) => p.name === 'sharded--production-gcp-payments')!).filter((c) => c.type === 'google_secret_manager_secret_iam_member');
    expect(grants.map((c) => c.address)).toContain('google_secret_manager_secret_iam_member.secret_accessors_ledger__payments_LEDGER_DB_PASSWORD');
  });
});

suite('a Key Vault per service, planned', () => {
  const plans = summary?.plans ?? [];
  const plan = (stack: string) => managed(plans.find((p) => p.name === `aks-vault-per-service--${stack}`)!);
  const assignments = (stack: string) =>
    plan(stack)
      .filter((c) => c.type === 'azurerm_role_assignment')
      .map((c) => c.address)
      .sort();

  test("each service's vault with its secrets; its identity at the vault's scope; per-secret grants only for from", () => {
    expect(plan('staging-azure').filter((c) => c.type === 'azurerm_key_vault').map((c) => c.address).sort()).toEqual(['azurerm_key_vault.vaults_checkout', 'azurerm_key_vault.vaults_ledger', 'azurerm_key_vault.vaults_payments']);
    expect(assignments('staging-azure')).toEqual([
      'azurerm_role_assignment.secret_readers_checkout__payments--STRIPE-KEY',
      'azurerm_role_assignment.secret_readers_ledger__payments--LEDGER-DB-PASSWORD',
      ...['checkout', 'ledger', 'payments'].flatMap((s) => [`azurerm_role_assignment.vault_officers_${s}`, `azurerm_role_assignment.vault_readers_${s}`]),
    ].sort());
    // Sharded: a service's vault and the grants on its secrets are in its shard; the base holds none.
    expect(assignments('production-azure')).toEqual([]);
    expect(assignments('production-azure-money')).toEqual([
      'azurerm_role_assignment.secret_readers_ledger__payments--LEDGER-DB-PASSWORD',
      'azurerm_role_assignment.vault_officers_payments',
      'azurerm_role_assignment.vault_readers_payments',
    ]);
  });
});

suite('upgrading a deployed environment from the for_each layout (movedBlocks: true)', () => {
  const upgrade = summary?.upgrade ?? [];

  test('every instance moves to its own block: nothing that existed is created, nothing is destroyed', () => {
    expect(upgrade.map((p) => [p.name, p.status])).toEqual([
      ['upgrade--evaluation-azure', 'PASS'],
      ['upgrade--evaluation-azure-manifests', 'PASS'],
      ['upgrade--evaluation-azure-monitoring', 'PASS'],
      ['upgrade--evaluation-gcp', 'PASS'],
      ['upgrade--evaluation-gcp-manifests', 'PASS'],
      ['upgrade--evaluation-gcp-monitoring', 'PASS'],
    ]);
    let movedCount = 0;
    for (const p of upgrade) {
      const state = JSON.parse(readFileSync(join(p.dir, 'terraform.tfstate'), 'utf8'));
      const before = new Set(state.resources.flatMap((r: any) => r.instances.map((i: any) => `${r.type}.${r.name}[${JSON.stringify(i.index_key)}]`)));
      expect(before.size).toBeGreaterThan(0);
      const planned = managed(p);
      const moved = planned.filter((c) => c.previous_address);
      // Every earlier instance arrives at its new address, in place.
      expect([p.name, moved.map((c) => c.previous_address).sort()]).toEqual([p.name, [...before].sort()]);
      for (const c of moved) expect([c.address, c.change.actions.every((a) => a === 'no-op' || a === 'update')]).toEqual([c.address, true]);
      expect([p.name, planned.filter((c) => c.change.actions.includes('delete')).map((c) => c.address)]).toEqual([p.name, []]);
      movedCount += moved.length;
    }
    // Secrets, grants, identities, federations, role assignments and every manifest.
    expect(movedCount).toBeGreaterThanOrEqual(40);
  });
});

suite('the next plan after a first apply (every Key Vault secret reads back value_wo_version 0)', () => {
  const steady = summary?.steady ?? [];

  test('no secret value is written again: no Key Vault secret changes, nothing is created or destroyed', () => {
    expect(steady.map((p) => [p.name, p.status])).toEqual([
      ['steady--evaluation-azure', 'PASS'],
      ['steady--production-azure', 'PASS'],
    ]);
    let secrets = 0;
    for (const p of steady) {
      const planned = managed(p);
      const kv = planned.filter((c) => c.type === 'azurerm_key_vault_secret');
      secrets += kv.length;
      expect([p.name, kv.filter((c) => !c.change.actions.every((a) => a === 'no-op')).map((c) => [c.address, c.change.actions])]).toEqual([p.name, []]);
      expect([p.name, planned.filter((c) => c.change.actions.some((a) => a === 'create' || a === 'delete')).map((c) => c.address)]).toEqual([p.name, []]);
    }
    expect(secrets).toBeGreaterThanOrEqual(4);
  });
});

suite('fail closed: a new Key Vault secret without a first value', () => {
  test('the plan fails naming the secret, and how to give its value', () => {
    const [closed] = summary?.failClosed ?? [];
    expect([closed.name, closed.status, closed.step]).toEqual(['fail-closed--production-azure', 'FAIL', 'plan']);
    const text = JSON.stringify(closed.diags);
    expect(text).toMatch(/Key Vault secret demo-secret03 does not exist yet and has no first value/);
    expect(text).toMatch(/TF_VAR_secret_values/);
    expect(text).not.toMatch(/demo-secret01 does not exist|demo-secret02 does not exist/);
  });
});

suite('npm run validate with a Terraform CLI configuration of the user’s (a provider mirror)', () => {
  function standIns(): NodeJS.ProcessEnv {
    const work = summary!.validate.tfplanWork;
    return {
      ...process.env,
      TF_CLI_CONFIG_FILE: join(work, 'terraform.rc'),
      TF_PLUGIN_CACHE_DIR: '',
      TFPLAN_TLS_CERT: join(work, 'tls', 'cert.pem'),
      TFPLAN_TLS_KEY: join(work, 'tls', 'key.pem'),
      TFPLAN_BINDINGS: join(__dirname, '..', 'node_modules', '@cdktf'),
      TFPLAN_CACHE: process.env.TFPLAN_CACHE ?? join(tmpdir(), 'tfplan-schema-cache'),
    };
  }
  function project(): string {
    const root = mkdtempSync(join(tmpdir(), 'validate-real-'));
    cpSync(join(summary!.validate.stacks, 'stacks', 'production-gcp'), join(root, 'cdktf.out', 'stacks', 'production-gcp'), { recursive: true });
    return root;
  }
  const run = (root: string) => {
    const out: string[] = [];
    const code = validateStacks({ root, env: standIns(), log: (l) => out.push(l), error: (l) => out.push(l) });
    return { code, out };
  };

  test('a synthesized stack is valid; providers come from the mirror the configuration names', () => {
    const root = project();
    const r = run(root);
    expect(r.out).toContain('production-gcp: valid');
    expect(r.code).toBe(0);
    expect(existsSync(join(root, 'cdktf.out', 'stacks', 'production-gcp', '.terraform.lock.hcl'))).toBe(true);
  }, 120_000);

  test('a stack with an argument the provider does not have is invalid, with Terraform’s diagnostic', () => {
    const root = project();
    const file = join(root, 'cdktf.out', 'stacks', 'production-gcp', 'instances.tf.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const first = Object.keys(json.resource.google_secret_manager_secret)[0];
    json.resource.google_secret_manager_secret[first].secret_idd = 'typo';
    writeFileSync(file, JSON.stringify(json, null, 2));
    const r = run(root);
    expect(r.code).toBe(1);
    expect(r.out.join('\n')).toMatch(/production-gcp: INVALID\n {4}Error: instances\.tf\.json:\d+: Extraneous JSON object property -- No argument or block type is named "secret_idd"/);
  }, 120_000);
});
