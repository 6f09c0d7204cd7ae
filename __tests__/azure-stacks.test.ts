import { parse } from 'yaml';
import { loadDeclarationFile } from '../lib/declaration/load';
import { findKey, keyVaultSecretNameOf } from '../lib/declaration/model';
import { readFileSync } from 'node:fs';
import { Testing } from 'cdktf';
import { DataAzurermKubernetesCluster } from '@cdktf/provider-azurerm/lib/data-azurerm-kubernetes-cluster';
import { parseDeclaration } from '../lib/declaration/load';
import { planAzureEnvironment } from '../lib/plan/azure-plan';
import { AzureEnvironmentStack } from '../stacks/azure-environment-stack';
import { csiAzureValuesErrors, helmValuesErrors, validateGeneratedObject } from './support/schemas';
import { EXAMPLE, configs, exampleOutput, type SynthResult, gitopsObjects } from './support/synth';

const full = loadDeclarationFile(EXAMPLE);
// The AKS half of the example.
const model = { ...full, services: full.services.filter((s) => s.platform === 'azure') };
let out: SynthResult;

beforeAll(() => {
  out = exampleOutput();
  expect(out.stderr).toEqual([]);
  expect(out.code).toBe(0);
});

const ENVS = ['evaluation', 'production'] as const;
const azureOf = (env: string) => full.environments.find((e) => e.name === env)!.azure!;
const identityRef = (service: string, attr: string) => `\${azurerm_user_assigned_identity.identities_${service}.${attr}}`;
const clusterData = (stack: any, cluster: string) => stack.data.azurerm_kubernetes_cluster[`clusters_${cluster}`];

const yamlObjects = (env: string) => gitopsObjects(out.generated, env, 'azure');

/** Remote secrets each service reads in an environment, as the declaration says. */
function declaredReads(env: string): Set<string> {
  const reads = new Set<string>();
  for (const s of model.services) {
    for (const sec of s.secrets) {
      for (const k of sec.keys) {
        if (!k.environments.includes(env)) continue;
        if (k.source.kind === 'own') reads.add(`${s.name}/${keyVaultSecretNameOf(s.name, k)}`);
        else reads.add(`${s.name}/${keyVaultSecretNameOf(k.source.service, findKey(model, k.source.service, k.source.secret, k.source.key)!)}`);
      }
    }
  }
  return reads;
}

describe.each(ENVS)('environment %s on Azure', (env) => {
  const stack = () => out.stacks[`${env}-azure`];

  test('a Key Vault in RBAC mode with purge protection and soft delete, and no access policy', () => {
    const vault = stack().resource.azurerm_key_vault.vault;
    expect(vault).toEqual(
      expect.objectContaining({
        name: azureOf(env).keyVault.name,
        rbac_authorization_enabled: true,
        purge_protection_enabled: true,
        soft_delete_retention_days: 90,
        public_network_access_enabled: true,
        tenant_id: azureOf(env).tenantId,
      }),
    );
    expect(vault.access_policy).toBeUndefined();
    expect(stack().resource.azurerm_key_vault_access_policy).toBeUndefined();
  });

  test('the deploying principal manages secrets in the vault', () => {
    expect(stack().resource.azurerm_role_assignment.deployer_secrets_officer).toEqual(
      expect.objectContaining({ scope: '${azurerm_key_vault.vault.id}', role_definition_name: 'Key Vault Secrets Officer', principal_id: '${data.azurerm_client_config.current.object_id}' }),
    );
  });

  test('one Key Vault secret per declared remote secret, tagged, with no value in the configuration', () => {
    const secrets = configs(stack(), 'azurerm_key_vault_secret', 'secrets');
    const owned = new Set<string>();
    for (const s of model.services) for (const sec of s.secrets) for (const k of sec.keys) if (k.source.kind === 'own' && k.environments.includes(env)) owned.add(keyVaultSecretNameOf(s.name, k));
    expect(Object.keys(secrets).sort()).toEqual([...owned].sort());
    for (const [name, s] of Object.entries(secrets)) {
      expect(s.name).toBe(name);
      expect(s.tags).toEqual(expect.objectContaining({ 'managed-by': 'secret-wiring', environment: env, service: 'demo' }));
    }
    for (const [name, r] of Object.entries<any>(secrets)) {
      expect(r.value).toBeUndefined();
      expect(r.value_wo).toBe(`\${lookup(var.secret_values, ${JSON.stringify(name)}, "")}`);
      expect(r.value_wo_version).toBe(1);
      expect(r.depends_on).toEqual(['time_sleep.deployer_role_propagation']);
    }
    expect(stack().resource.time_sleep.deployer_role_propagation).toEqual(expect.objectContaining({ create_duration: '60s', depends_on: ['azurerm_role_assignment.deployer_secrets_officer'] }));
    expect(stack().variable.secret_values).toEqual(expect.objectContaining({ ephemeral: true, sensitive: true, default: {} }));
  });

  test('each reader assignment is Key Vault Secrets User on one secret scope for one service identity, exactly as declared', () => {
    const seen = new Set<string>();
    for (const [key, a] of Object.entries<any>(configs(stack(), 'azurerm_role_assignment', 'secret_readers'))) {
      const [service, secret] = key.split('/');
      expect(a.role_definition_name).toBe('Key Vault Secrets User');
      expect(a.scope).toBe(`\${azurerm_key_vault_secret.secrets_${secret}.resource_versionless_id}`);
      expect(a.principal_id).toBe(identityRef(service, 'principal_id'));
      seen.add(key);
    }
    expect(seen).toEqual(declaredReads(env));
    // Nothing wider: no other role assignment reads secrets, and none is on the vault, a resource group or a subscription.
    for (const [name, ra] of Object.entries<any>(stack().resource.azurerm_role_assignment)) {
      if (name.startsWith('secret_readers_')) continue;
      expect(ra.role_definition_name).not.toMatch(/Secrets User|Reader|Contributor|Owner/);
    }
  });

  test('cross-service assignments exist only where a from declares them', () => {
    const cross = Object.keys(configs(stack(), 'azurerm_role_assignment', 'secret_readers')).filter((k) => {
      const [service, secret] = k.split('/');
      return configs(stack(), 'azurerm_key_vault_secret', 'secrets')[secret].tags.service !== service;
    });
    expect(cross).toEqual(['demo-batch/demo-secret01']);
  });

  test('one managed identity per service and one federated credential per cluster and service account', () => {
    const identities = configs(stack(), 'azurerm_user_assigned_identity', 'identities');
    expect(Object.keys(identities)).toEqual(['demo', 'demo-batch']);
    const clusters = azureOf(env).clusters.map((c) => c.name);
    const expected: Record<string, unknown> = {};
    for (const s of model.services) {
      for (const c of clusters) {
        expected[`${s.name}/${c}`] = {
          name: `${c}-${s.namespace}-${s.serviceAccount}`,
          issuer: `\${data.azurerm_kubernetes_cluster.clusters_${c}.oidc_issuer_url}`,
          audience: ['api://AzureADTokenExchange'],
          subject: `system:serviceaccount:${s.namespace}:${s.serviceAccount}`,
          parent_id: identityRef(s.name, 'id'),
        };
      }
    }
    expect(configs(stack(), 'azurerm_federated_identity_credential', 'federated_credentials')).toEqual(
      Object.fromEntries(Object.entries(expected).map(([k, v]: [string, any]) => [k, expect.objectContaining(v)])),
    );
    // Each declared cluster is looked up, and checked for workload identity at plan time.
    expect(Object.keys(out.stacks[`${env}-azure`].data.azurerm_kubernetes_cluster)).toEqual(clusters.map((c) => `clusters_${c}`));
    for (const c of clusters) expect(clusterData(out.stacks[`${env}-azure`], c).lifecycle.postcondition[0].condition).toBe('${self.oidc_issuer_enabled}');
  });

  test('the Terraform-managed manifests and the YAML files are the same objects, client ids aside', () => {
    const yaml = yamlObjects(env);
    const manifests = out.stacks[`${env}-azure-manifests`];
    for (const c of azureOf(env).clusters) {
      const tf = Object.fromEntries(Object.entries(configs(manifests, 'kubernetes_manifest', `aks_${c.name}`)).map(([k, b]) => [k, b.manifest]));
      const unresolved = JSON.parse(JSON.stringify(tf).replace(/\$\{data\.azurerm_user_assigned_identity\.identities_([a-z0-9-]+)\.client_id\}/g, '<client-id of $1>'));
      expect(unresolved).toEqual(yaml);
    }
  });

  test('every manifest validates against the upstream CRDs', () => {
    const objects = Object.values(yamlObjects(env)).filter((o) => o.apiVersion !== 'v1');
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) expect([o.kind, validateGeneratedObject(o)]).toEqual([o.kind, []]);
  });
});

describe('production: Secrets Store CSI driver', () => {
  test("the report's cluster keeps its AKS add-on: nothing installed again, the add-on with rotation checked at plan time", () => {
    expect(out.stacks['production-azure'].resource.helm_release).toBeUndefined();
    const checks = clusterData(out.stacks['production-azure'], 'my-aks-key-vault01').lifecycle.postcondition.map((c: any) => c.condition);
    expect(checks).toEqual(['${self.oidc_issuer_enabled}', '${try(self.key_vault_secrets_provider[0].secret_rotation_enabled, false)}']);
  });

  test('with csiDriver.install helm, the driver and its Azure provider are installed, pinned, with Secret sync and rotation on, and never over the add-on', () => {
    const decl = parse(readFileSync(EXAMPLE, 'utf8'));
    delete decl.environments.production.azure.csiDriver;
    const m = parseDeclaration(decl);
    const plan = planAzureEnvironment(m, m.environments.find((e) => e.name === 'production')!);
    const json = JSON.parse(Testing.synth(new AzureEnvironmentStack(Testing.app(), 'production-azure', plan)));
    const release = json.resource.helm_release['csi_secrets_store_provider_azure_aks_my-aks-key-vault01'];
    expect(release).toEqual(expect.objectContaining({ chart: 'csi-secrets-store-provider-azure', version: '1.8.2', namespace: 'kube-system' }));
    const values = parse(release.values[0]);
    expect(values['secrets-store-csi-driver']).toEqual(expect.objectContaining({ syncSecret: { enabled: true }, enableSecretRotation: true }));
    expect(csiAzureValuesErrors(values)).toEqual([]);
    expect(clusterData(json, 'my-aks-key-vault01').lifecycle.postcondition.map((c: any) => c.condition)).toContain('${length(self.key_vault_secrets_provider) == 0}');
  });

  test('the SecretProviderClass of the field report: vault, tenant, client id, objects and synced Secrets', () => {
    const spc = yamlObjects('production')['SecretProviderClass/demo/demo-keyvault'];
    expect(spc.spec.provider).toBe('azure');
    expect(spc.spec.parameters).toEqual(
      expect.objectContaining({ usePodIdentity: 'false', clientID: '<client-id of demo>', keyvaultName: 'demo-csi-secret', tenantID: '00000000-0000-0000-0000-000000000000' }),
    );
    // The provider's current parameter name; tenantId is its deprecated spelling.
    expect(spc.spec.parameters.tenantId).toBeUndefined();
    expect(parse(spc.spec.parameters.objects).array.map((o: string) => parse(o))).toEqual([
      { objectName: 'demo-secret01', objectType: 'secret', objectVersion: '' },
      { objectName: 'demo-secret02', objectType: 'secret', objectVersion: '' },
    ]);
    expect(spc.spec.secretObjects.map((s: any) => [s.secretName, s.type, s.data])).toEqual([
      ['test-secret1', 'Opaque', [{ objectName: 'demo-secret01', key: 'k8s-secret-key1' }]],
      ['test-secrets', 'Opaque', [{ objectName: 'demo-secret01', key: 'k8s-secret-key1' }, { objectName: 'demo-secret02', key: 'k8s-secret-key2' }]],
    ]);
  });

  test('every SecretProviderClass object is provisioned and readable by the identity its service account is federated with', () => {
    const objects = yamlObjects('production');
    const secrets = configs(out.stacks['production-azure'], 'azurerm_key_vault_secret', 'secrets');
    const readers = configs(out.stacks['production-azure'], 'azurerm_role_assignment', 'secret_readers');
    const creds = configs(out.stacks['production-azure'], 'azurerm_federated_identity_credential', 'federated_credentials');
    for (const spc of Object.values(objects).filter((o) => o.kind === 'SecretProviderClass')) {
      const owner = /^<client-id of (.+)>$/.exec(spc.spec.parameters.clientID)![1];
      const sa = Object.values(objects).find((o) => o.kind === 'ServiceAccount' && o.metadata.namespace === spc.metadata.namespace)!;
      expect(sa.metadata.annotations['azure.workload.identity/client-id']).toBe(spc.spec.parameters.clientID);
      expect(Object.values(creds).some((c) => c.parent_id === identityRef(owner, 'id') && c.subject === `system:serviceaccount:${sa.metadata.namespace}:${sa.metadata.name}`)).toBe(true);
      const names = parse(spc.spec.parameters.objects).array.map((o: string) => parse(o).objectName);
      for (const name of names) {
        expect(secrets[name]).toBeDefined();
        expect(readers[`${owner}/${name}`]?.principal_id).toBe(identityRef(owner, 'principal_id'));
      }
      for (const so of spc.spec.secretObjects) for (const d of so.data) expect(names).toContain(d.objectName);
    }
  });
});

describe('evaluation: External Secrets on AKS', () => {
  test('External Secrets Operator is installed in every cluster with probes and metrics on', () => {
    const releases = out.stacks['evaluation-azure'].resource.helm_release;
    expect(Object.keys(releases)).toEqual(['external_secrets_aks_my-aks-key-vault-eval']);
    const values = parse(releases['external_secrets_aks_my-aks-key-vault-eval'].values[0]);
    expect(helmValuesErrors(values)).toEqual([]);
    expect([values.livenessProbe.enabled, values.readinessProbe.enabled, values.metrics.service.enabled]).toEqual([true, true, true]);
  });

  test('a namespaced azurekv SecretStore per service, with workload identity through its service account', () => {
    const store = yamlObjects('evaluation')['SecretStore/demo/demo-azurekv'];
    expect(store.spec.provider.azurekv).toEqual({
      authType: 'WorkloadIdentity',
      vaultUrl: `https://${azureOf('evaluation').keyVault.name}.vault.azure.net`,
      tenantId: '00000000-0000-0000-0000-000000000000',
      serviceAccountRef: { name: 'demo-secrets' },
    });
  });

  test('every ExternalSecret key is a Key Vault secret of the environment readable by its store identity', () => {
    const objects = yamlObjects('evaluation');
    const secrets = configs(out.stacks['evaluation-azure'], 'azurerm_key_vault_secret', 'secrets');
    const readers = configs(out.stacks['evaluation-azure'], 'azurerm_role_assignment', 'secret_readers');
    const externalSecrets = Object.values(objects).filter((o) => o.kind === 'ExternalSecret');
    expect(externalSecrets.map((e) => e.metadata.name).sort()).toEqual(['batch-secrets', 'test-secret1', 'test-secrets']);
    for (const es of externalSecrets) {
      const store = objects[`SecretStore/${es.metadata.namespace}/${es.spec.secretStoreRef.name}`];
      const sa = objects[`ServiceAccount/${es.metadata.namespace}/${store.spec.provider.azurekv.serviceAccountRef.name}`];
      const owner = /^<client-id of (.+)>$/.exec(sa.metadata.annotations['azure.workload.identity/client-id'])![1];
      for (const d of es.spec.data) {
        expect(secrets[d.remoteRef.key]).toBeDefined();
        expect(readers[`${owner}/${d.remoteRef.key}`]).toBeDefined();
      }
    }
  });

  test('the vault name carries the deterministic unique suffix', () => {
    expect(azureOf('evaluation').keyVault.name).toMatch(/^demo-eso-secret-[0-9a-f]{4}$/);
    expect(out.stacks['evaluation-azure'].resource.azurerm_key_vault.vault.name).toBe(azureOf('evaluation').keyVault.name);
  });
});

test('GitOps: the client ids are an output of the stack, not a file resource that every fresh plan would show', () => {
  const stack = out.stacks['production-azure'];
  expect(stack.resource.local_file).toBeUndefined();
  expect(Object.keys(stack.provider)).not.toContain('local');
  expect(stack.output.client_ids.value).toEqual({ demo: identityRef('demo', 'client_id'), 'demo-batch': identityRef('demo-batch', 'client_id') });
});

test('no secret value and no value-carrying attribute anywhere in the Azure resources', () => {
  const text = JSON.stringify(Object.entries(out.stacks).filter(([n]) => n.includes('azure')).map(([, s]) => s.resource));
  expect(text).not.toMatch(/"value":|"stringData"|"kind":"Secret"/);
});

test('the vault is never destroyed by Terraform; a soft-deleted secret declared again is recovered, never purged', () => {
  const stack = out.stacks['production-azure'];
  expect(stack.resource.azurerm_key_vault.vault.lifecycle).toEqual({ prevent_destroy: true });
  expect(stack.provider.azurerm[0].features[0].key_vault[0]).toEqual({ recover_soft_deleted_secrets: true, purge_soft_deleted_secrets_on_destroy: false, purge_soft_delete_on_destroy: false });
  expect(stack.terraform.required_version).toBe('>= 1.11.0');
  expect(stack.output.client_ids.value).toEqual({ demo: identityRef('demo', 'client_id'), 'demo-batch': identityRef('demo-batch', 'client_id') });
});

test('every attribute the stacks read from an AKS cluster exists in the provider (no terraform validate offline)', () => {
  const proto = DataAzurermKubernetesCluster.prototype as any;
  const attrs = new Set<string>();
  for (const [name, stack] of Object.entries(out.stacks)) {
    if (!name.includes('azure')) continue;
    for (const m of JSON.stringify(stack).matchAll(/(?:self|azurerm_kubernetes_cluster\.clusters_[A-Za-z0-9_-]+)\.([a-z_]+)/g)) attrs.add(m[1]);
  }
  expect([...attrs].sort()).toEqual(['key_vault_secrets_provider', 'kube_config', 'oidc_issuer_enabled', 'oidc_issuer_url']);
  const camel = (s: string) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  for (const a of attrs) expect([a, Object.getOwnPropertyDescriptor(proto, camel(a))?.get !== undefined]).toEqual([a, true]);
});
