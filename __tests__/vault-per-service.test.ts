/// <reference path="./setup.ts" />
import { join } from 'node:path';
import fc from 'fast-check';
import { loadDeclarationFile, parseDeclaration } from '../lib/declaration/load';
import { RULES, satisfies } from '../lib/declaration/rules';
import { serviceKeyVaultName } from '../lib/declaration/naming';
import { planAzureEnvironment } from '../lib/plan/azure-plan';
import { azureFacts } from '../lib/policy/facts';
import { resourceInstances } from '../lib/policy/inventory';
import { RULE_PACK, evaluatePolicy } from '../lib/policy/pack';
import type { PolicyRule, RuleContext } from '../lib/policy/types';
import { benchDeclaration } from '../bench/declaration';
import { problemsOf } from './support/fixtures';
import { validateGeneratedObject } from './support/schemas';
import { EXAMPLE, configs, gitopsObjects, synthFile, type SynthResult } from './support/synth';

const DECLARATION = join(__dirname, '..', 'examples', 'declarations', 'aks-vault-per-service.yaml');
const SUB = '66666666-7777-8888-9999-000000000000';
const model = loadDeclarationFile(DECLARATION);
const envOf = (name: string) => model.environments.find((e) => e.name === name)!;
const rule = (id: string): PolicyRule => RULE_PACK.find((r) => r.id === id)!;

let out: SynthResult;
beforeAll(() => {
  out = synthFile(DECLARATION);
  expect(out.stderr).toEqual([]);
  expect(out.code).toBe(0);
});

/** Role assignments of a plan, every kind: per secret, per vault for its owner, and the deployer's per vault. */
function roleAssignments(plan: ReturnType<typeof planAzureEnvironment>): number {
  const vaults = plan.layout === 'environmentVault' ? 1 : Object.keys(plan.vaults).length;
  return Object.keys(plan.roleAssignments).length + Object.keys(plan.vaultReaders).length + vaults;
}

describe('the layout', () => {
  test('GIVEN no vault name WHEN resolved THEN each service gets its own vault; a named vault keeps the single-vault layout', () => {
    expect(envOf('staging').azure!.layout).toBe('vaultPerService');
    const named = loadDeclarationFile(EXAMPLE);
    expect(named.environments.map((e) => e.azure!.layout)).toEqual(['environmentVault', 'environmentVault']);
  });

  test('vault names: valid, 3-24 characters, stable, and distinct per subscription, resource group, environment and service', () => {
    fc.assert(
      fc.property(fc.stringMatching(new RegExp(RULES.serviceName.pattern)), fc.constantFrom('staging', 'production', 'p'), (service, env) => {
        const name = serviceKeyVaultName(SUB, 'rg', env, service);
        expect(satisfies(RULES.keyVaultName, name)).toBe(true);
        expect(serviceKeyVaultName(SUB, 'rg', env, service)).toBe(name);
        expect(serviceKeyVaultName(SUB, 'other-rg', env, service)).not.toBe(name);
      }),
    );
    expect(serviceKeyVaultName(SUB, 'rg', 'prod', 'a-very-long-service-name-of-forty-chars')).toMatch(/^a-very-long-servi-[0-9a-f]{6}$/);
    expect(serviceKeyVaultName(SUB, 'rg', 'prod', 'payments')).not.toBe(serviceKeyVaultName(SUB, 'rg', 'staging', 'payments'));
  });

  test('GIVEN 10,000 secrets in each of two environments of one subscription WHEN planned THEN the role assignments fit in the 4,000 of the subscription', () => {
    const bench = parseDeclaration(benchDeclaration(10_000, 50, 0));
    const total = bench.environments.reduce((n, e) => n + roleAssignments(planAzureEnvironment(bench, e)), 0);
    expect(total).toBeLessThan(4_000);
    // The single-vault layout grants per secret: the same declaration cannot deploy.
    const single = parseDeclaration(
      (() => {
        const d = benchDeclaration(10_000, 50, 0) as any;
        for (const e of Object.values<any>(d.environments)) e.azure.layout = 'environmentVault';
        for (const [name, e] of Object.entries<any>(d.environments)) e.azure.keyVault = { name: `bench-${name}` };
        return d;
      })(),
    );
    expect(single.environments.reduce((n, e) => n + roleAssignments(planAzureEnvironment(single, e)), 0)).toBeGreaterThan(10_000);
  });
});

describe('grants', () => {
  const stack = () => out.stacks['staging-azure'];

  test("each service's identity reads its own vault at the vault's scope, and nothing else at a vault's scope", () => {
    const readers = configs(stack(), 'azurerm_role_assignment', 'vault_readers');
    expect(Object.keys(readers).sort()).toEqual(['checkout', 'ledger', 'payments']);
    for (const [service, r] of Object.entries<any>(readers)) {
      expect(r.scope).toBe(`\${azurerm_key_vault.vaults_${service}.id}`);
      expect(r.principal_id).toBe(`\${azurerm_user_assigned_identity.identities_${service}.principal_id}`);
      expect(r.role_definition_name).toBe('Key Vault Secrets User');
    }
  });

  test('a secret read with from is granted to that reader alone, on that secret', () => {
    const perSecret = configs(stack(), 'azurerm_role_assignment', 'secret_readers');
    expect(Object.keys(perSecret).sort()).toEqual(['checkout/payments--STRIPE-KEY', 'ledger/payments--LEDGER-DB-PASSWORD']);
    expect(perSecret['checkout/payments--STRIPE-KEY'].scope).toBe('${azurerm_key_vault_secret.secrets_payments--STRIPE-KEY.resource_versionless_id}');
  });

  test('every secret is in its owner vault, written after the deployer can manage every vault', () => {
    const secrets = configs(stack(), 'azurerm_key_vault_secret', 'secrets');
    for (const s of Object.values<any>(secrets)) {
      expect(s.key_vault_id).toBe(`\${azurerm_key_vault.vaults_${s.tags.service}.id}`);
      expect(s.depends_on).toEqual(['time_sleep.deployer_role_propagation']);
    }
    const sleep = stack().resource.time_sleep.deployer_role_propagation;
    expect([...sleep.depends_on].sort()).toEqual(['azurerm_role_assignment.vault_officers_checkout', 'azurerm_role_assignment.vault_officers_ledger', 'azurerm_role_assignment.vault_officers_payments']);
    const vault = configs(stack(), 'azurerm_key_vault', 'vaults').payments;
    expect(vault).toEqual(expect.objectContaining({ name: serviceKeyVaultName(SUB, 'shop-staging', 'staging', 'payments'), rbac_authorization_enabled: true, purge_protection_enabled: true }));
    expect(vault.lifecycle).toEqual({ prevent_destroy: true });
  });

  test("sharded: a service's vault, its read access and the grants on its secrets live in the service's shard", () => {
    expect(Object.keys(configs(out.stacks['production-azure-money'], 'azurerm_key_vault', 'vaults'))).toEqual(['payments']);
    expect(Object.keys(configs(out.stacks['production-azure-books'], 'azurerm_key_vault', 'vaults'))).toEqual(['ledger']);
    expect(out.stacks['production-azure'].resource.azurerm_key_vault).toBeUndefined();
    const money = configs(out.stacks['production-azure-money'], 'azurerm_role_assignment', 'secret_readers');
    expect(Object.values<any>(money).map((r) => r.principal_id)).toEqual(['${data.azurerm_user_assigned_identity.readers_ledger.principal_id}']);
    expect(configs(out.stacks['production-azure-money'], 'azurerm_role_assignment', 'vault_readers').payments.principal_id).toBe('${data.azurerm_user_assigned_identity.readers_payments.principal_id}');
  });
});

describe('manifests', () => {
  test('External Secrets: a store per vault the service reads, and the entry from another vault names its store', () => {
    const objects = Object.values(gitopsObjects(out.generated, 'staging', 'azure'));
    const stores = objects.filter((o: any) => o.kind === 'SecretStore' && o.metadata.namespace === 'checkout');
    expect(stores.map((s: any) => [s.metadata.name, s.spec.provider.azurekv.vaultUrl]).sort()).toEqual([
      ['checkout-azurekv', `https://${serviceKeyVaultName(SUB, 'shop-staging', 'staging', 'checkout')}.vault.azure.net`],
      ['checkout-azurekv-payments', `https://${serviceKeyVaultName(SUB, 'shop-staging', 'staging', 'payments')}.vault.azure.net`],
    ]);
    const es = objects.find((o: any) => o.kind === 'ExternalSecret' && o.metadata.name === 'checkout-secrets') as any;
    expect(es.spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: 'checkout-azurekv' });
    expect(es.spec.data).toEqual([
      { secretKey: 'SESSION_KEY', remoteRef: { key: 'checkout--SESSION-KEY' } },
      { secretKey: 'STRIPE_KEY', remoteRef: { key: 'payments--STRIPE-KEY' }, sourceRef: { storeRef: { kind: 'SecretStore', name: 'checkout-azurekv-payments' } } },
    ]);
    for (const o of objects.filter((x: any) => ['SecretStore', 'ExternalSecret'].includes(x.kind))) expect(validateGeneratedObject(o)).toEqual([]);
  });

  test('CSI: a SecretProviderClass per vault, each syncing the Kubernetes Secrets of that vault', () => {
    const objects = Object.values(gitopsObjects(out.generated, 'production', 'azure')).filter((o: any) => o.kind === 'SecretProviderClass' && o.metadata.namespace === 'ledger') as any[];
    expect(objects.map((o) => [o.metadata.name, o.spec.parameters.keyvaultName, o.spec.secretObjects.map((s: any) => s.secretName)]).sort()).toEqual([
      ['ledger-keyvault', serviceKeyVaultName(SUB, 'shop-production', 'production', 'ledger'), ['ledger-secrets']],
      ['ledger-keyvault-payments', serviceKeyVaultName(SUB, 'shop-production', 'production', 'payments'), ['ledger-from-payments']],
    ]);
    for (const o of objects) expect(validateGeneratedObject(o)).toEqual([]);
  });
});

describe('rules refuse what breaks the layout', () => {
  const azure = (edit: (a: any) => void) => loadText((d) => edit(d.environments.staging.azure));

  test.each([
    ['a vault name with vaultPerService', (a: any) => ((a.layout = 'vaultPerService'), (a.keyVault = { name: 'my-vault' })), 'environments.staging.azure.keyVault.name', /layout vaultPerService gives each service a vault with a derived name/],
    ['environmentVault without a name', (a: any) => (a.layout = 'environmentVault'), 'environments.staging.azure.keyVault', /layout environmentVault needs keyVault.name/],
    [
      'the add-on identity with a vault per service',
      (a: any) => ((a.identity = 'aksAddonIdentity'), (a.delivery = 'csi'), (a.csiDriver = { install: 'aksAddon' })),
      'environments.staging.azure.identity',
      /would read every service's vault: use layout environmentVault/,
    ],
  ])('%s', (_name, edit, path, rule) => {
    const problems = problemsOf(azure(edit));
    expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ path: path.split('.'), rule: expect.stringMatching(rule) })]));
  });

  test('CSI: a Kubernetes Secret that would mix two vaults is refused at the key read from the other vault', () => {
    const d = loadText((x) => {
      x.services.ledger.secrets['ledger-secrets'].LEDGER_DB_PASSWORD = { from: 'payments/payments-secrets/LEDGER_DB_PASSWORD' };
      delete x.services.ledger.secrets['ledger-from-payments'];
    });
    const problems = problemsOf(d);
    expect(problems.map((p) => [p.path.join('.'), p.rule])).toEqual([
      [
        'services.ledger.secrets.ledger-secrets.LEDGER_DB_PASSWORD.from',
        "with delivery csi and layout vaultPerService, Kubernetes Secret ledger-secrets would mix ledger's vault and payments's vault in environment production, and a SecretProviderClass reads one vault: move the keys read from payments into a Kubernetes Secret of their own",
      ],
    ]);
  });
});

/** The example declaration, edited. */
function loadText(edit: (d: any) => void): unknown {
  const { parse } = require('yaml');
  const { readFileSync } = require('node:fs');
  const d = parse(readFileSync(DECLARATION, 'utf8'));
  edit(d);
  return d;
}

describe('the rule pack understands vault-scope grants', () => {
  const context = (mutate: (json: any) => void = () => undefined): RuleContext => {
    const json = JSON.parse(JSON.stringify(out.stacks['staging-azure']));
    mutate(json);
    return { stack: 'staging-azure', instances: resourceInstances(json), facts: azureFacts(model, planAzureEnvironment(model, envOf('staging'))) };
  };

  test('the layout breaks no rule', () => {
    expect(evaluatePolicy(context(), model.suppressions).findings.filter((f) => !f.suppressed)).toEqual([]);
  });

  test("SW-IAM-001 and SW-XSV-001: another service's identity on a service's vault", () => {
    const ctx = context((json) => {
      json.resource.azurerm_role_assignment.vault_readers_payments.principal_id = '${azurerm_user_assigned_identity.identities_checkout.principal_id}';
    });
    expect(rule('SW-IAM-001').check(ctx)).toEqual([expect.objectContaining({ resource: 'azurerm_role_assignment.vault_readers_payments', message: expect.stringMatching(/wider than one secret/) })]);
    expect(rule('SW-XSV-001').check(ctx)).toEqual([expect.objectContaining({ resource: 'azurerm_role_assignment.vault_readers_payments', message: "checkout reads every secret of payments's vault; other services read only the secrets they declare with from, each granted on its own" })]);
  });

  test('SW-REF-001: a store that names another vault than the one holding the secret', () => {
    const facts = azureFacts(model, planAzureEnvironment(model, envOf('staging')));
    const objects = facts.objects.map((o: any) =>
      o.kind === 'SecretStore' && o.metadata.name === 'checkout-azurekv-payments'
        ? { ...o, spec: { provider: { azurekv: { ...o.spec.provider.azurekv, vaultUrl: `https://${serviceKeyVaultName(SUB, 'shop-staging', 'staging', 'ledger')}.vault.azure.net` } } } }
        : o,
    );
    const ctx = { ...context(), facts: { ...facts, objects } };
    expect(rule('SW-REF-001').check(ctx)).toEqual([
      expect.objectContaining({ resource: 'ExternalSecret/checkout/checkout-secrets', message: expect.stringMatching(/^payments--STRIPE-KEY is in vault payments-[0-9a-f]{6}, but its SecretStore checkout-azurekv-payments reads vault ledger-[0-9a-f]{6}$/) }),
    ]);
  });

  test('SW-REF-001: without its vault-scope grant, a service cannot read its own secrets', () => {
    const ctx = context((json) => delete json.resource.azurerm_role_assignment.vault_readers_ledger);
    expect(rule('SW-REF-001').check(ctx).map((v) => v.message)).toEqual([expect.stringMatching(/^ledger--AUDIT-TOKEN is not readable by the identity/)]);
  });
});

describe('the access report', () => {
  test("names each secret by its vault, and counts a service's vault-scope grant for every secret in its vault", () => {
    const report = JSON.parse(out.generated['staging/access.json']);
    const payments = serviceKeyVaultName(SUB, 'shop-staging', 'staging', 'payments');
    const stripe = report.secrets.find((s: any) => s.name === `${payments}/payments--STRIPE-KEY`);
    expect(stripe.readers).toEqual([
      { service: 'checkout', via: 'from' },
      { service: 'payments', via: 'own' },
    ]);
    expect(stripe.grants).toEqual(['azurerm_role_assignment.secret_readers_checkout__payments--STRIPE-KEY', 'azurerm_role_assignment.vault_readers_payments']);
  });
});
