import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { parseAllDocuments } from 'yaml';
import { parseDeclaration } from '../lib/declaration/load';
import { loadDeclarationFile } from '../lib/declaration/load';
import { planAzureEnvironment } from '../lib/plan/azure-plan';
import { renderGitOps, renderGitOpsPerCluster } from '../lib/kubernetes/gitops-yaml';
import { objectKey, resolvePlaceholders } from '../lib/kubernetes/objects';
import { KeyVaultSecrets } from '../lib/azure/key-vault-secrets';
import { AzureEnvironmentStack } from '../stacks/azure-environment-stack';
import { AzureManifestsStack } from '../stacks/azure-manifests-stack';
import { EXAMPLE, configs } from './support/synth';

const GUID = '00000000-0000-0000-0000-000000000000';
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

function kustomize(dir: string): Record<string, any> {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return Object.fromEntries(parseAllDocuments(r.stdout).map((d) => d.toJS()).map((o) => [objectKey(o), o]));
}

describe('GitOps YAML on AKS with workload identity', () => {
  const model = loadDeclarationFile(EXAMPLE);
  const plan = planAzureEnvironment(model, model.environments.find((e) => e.name === 'production')!);
  const files = renderGitOps(plan.objects);

  (hasKubectl ? test : test.skip)('kubectl kustomize puts each client id from identities.env in place and builds the plan objects', () => {
    const ids: Record<string, string> = { demo: '11111111-1111-1111-1111-111111111111', 'demo-batch': '22222222-2222-2222-2222-222222222222' };
    const dir = writeTree({ ...files, 'identities.env': Object.entries(ids).map(([k, v]) => `${k}=${v}\n`).join('') });
    const built = kustomize(dir);
    const expected = resolvePlaceholders(plan.objects, (owner) => ids[owner]);
    expect(built).toEqual(Object.fromEntries(expected.map((o) => [objectKey(o), JSON.parse(JSON.stringify(o))])));
    expect(Object.keys(built).some((k) => k.startsWith('ConfigMap/'))).toBe(false);
  });

  (hasKubectl ? test : test.skip)('without identities.env (the stack not applied yet) the build fails instead of deploying placeholders', () => {
    const r = spawnSync('kubectl', ['kustomize', writeTree(files)], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/identities\.env/);
  });
});

describe('the AKS add-on identity (the field report pattern, less isolated)', () => {
  const decl = {
    environments: {
      production: {
        azure: {
          tenantId: GUID,
          subscriptionId: GUID,
          location: 'japaneast',
          resourceGroup: 'demo_aks_key_vault',
          keyVault: { name: 'demo-csi-secret' },
          clusters: [{ name: 'aks-a' }, { name: 'aks-b' }],
          identity: 'aksAddonIdentity',
        },
      },
    },
    services: { demo: { platform: 'azure', secrets: { 'test-secrets': { 'k8s-secret-key1': { remoteName: 'demo-secret01' } } } } },
  };
  const model = parseDeclaration(decl);
  const plan = planAzureEnvironment(model, model.environments[0]);
  const app = Testing.app();
  const cloud = JSON.parse(Testing.synth(new AzureEnvironmentStack(app, 'production-azure', plan)));
  const manifests = JSON.parse(Testing.synth(new AzureManifestsStack(app, 'production-azure-manifests', plan)));

  test('still one assignment per secret, for each cluster add-on identity, at secret scope', () => {
    expect(configs(cloud, 'azurerm_role_assignment', 'secret_readers')).toMatchObject({
      'aks-a/demo-secret01': {
        scope: '${azurerm_key_vault_secret.secrets_demo-secret01.resource_versionless_id}',
        principal_id: '${data.azurerm_kubernetes_cluster.clusters_aks-a.key_vault_secrets_provider[0].secret_identity[0].object_id}',
      },
      'aks-b/demo-secret01': {
        scope: '${azurerm_key_vault_secret.secrets_demo-secret01.resource_versionless_id}',
        principal_id: '${data.azurerm_kubernetes_cluster.clusters_aks-b.key_vault_secrets_provider[0].secret_identity[0].object_id}',
      },
    });
    expect(cloud.resource.azurerm_user_assigned_identity).toBeUndefined();
    expect(cloud.resource.azurerm_federated_identity_credential).toBeUndefined();
    expect(cloud.resource.helm_release).toBeUndefined();
  });

  test('the plan checks that each cluster runs the add-on with rotation', () => {
    for (const c of ['aks-a', 'aks-b']) {
      const checks = cloud.data.azurerm_kubernetes_cluster[`clusters_${c}`].lifecycle.postcondition.map((x: any) => x.condition);
      expect(checks).toEqual(['${try(self.key_vault_secrets_provider[0].secret_rotation_enabled, false)}']);
    }
  });

  test("each cluster's SecretProviderClass names that cluster's add-on identity", () => {
    for (const c of ['aks-a', 'aks-b']) {
      const spc = configs(manifests, 'kubernetes_manifest', `aks_${c}`)['SecretProviderClass/demo/demo-keyvault'].manifest;
      expect(spc.spec.parameters).toEqual(
        expect.objectContaining({ useVMManagedIdentity: 'true', userAssignedIdentityID: `\${data.azurerm_kubernetes_cluster.clusters_${c}.key_vault_secrets_provider[0].secret_identity[0].client_id}` }),
      );
      expect(spc.spec.parameters.clientID).toBeUndefined();
    }
  });

  (hasKubectl ? test : test.skip)('GitOps: one overlay per cluster over a shared base, each with its own identity', () => {
    const files = renderGitOpsPerCluster(plan.objects, ['aks-a', 'aks-b']);
    const dir = writeTree({ ...files, 'aks-a/identities.env': 'aks-addon=aaaaaaaa-0000-0000-0000-000000000000\n', 'aks-b/identities.env': 'aks-addon=bbbbbbbb-0000-0000-0000-000000000000\n' });
    expect(kustomize(join(dir, 'aks-a'))['SecretProviderClass/demo/demo-keyvault'].spec.parameters.userAssignedIdentityID).toBe('aaaaaaaa-0000-0000-0000-000000000000');
    expect(kustomize(join(dir, 'aks-b'))['SecretProviderClass/demo/demo-keyvault'].spec.parameters.userAssignedIdentityID).toBe('bbbbbbbb-0000-0000-0000-000000000000');
    // The client ids come from an output (npm run identities writes the files), never from a resource a plan would show.
    expect(cloud.resource.local_file).toBeUndefined();
    expect(cloud.output.addon_client_ids.value).toEqual({
      'aks-a': '${data.azurerm_kubernetes_cluster.clusters_aks-a.key_vault_secrets_provider[0].secret_identity[0].client_id}',
      'aks-b': '${data.azurerm_kubernetes_cluster.clusters_aks-b.key_vault_secrets_provider[0].secret_identity[0].client_id}',
    });
  });
});

describe('KeyVaultSecrets as a library', () => {
  test('grantRead assigns Key Vault Secrets User on that secret only; a secret outside the vault is refused', () => {
    const stack = new TerraformStack(Testing.app(), 'lib');
    const secrets = new KeyVaultSecrets(stack, 'Secrets', { keyVaultId: '/subscriptions/x/vault', secrets: [{ name: 'db-password' }] });
    const g = secrets.grantRead('db-password', '11111111-2222-3333-4444-555555555555');
    expect(g.role).toBe('Key Vault Secrets User');
    const json = JSON.parse(Testing.synth(stack));
    expect(configs(json, 'azurerm_role_assignment', 'secret_readers')).toEqual({
      [g.key]: expect.objectContaining({ scope: '${azurerm_key_vault_secret.secrets_db-password.resource_versionless_id}', principal_id: '11111111-2222-3333-4444-555555555555' }),
    });
    expect(() => secrets.grantRead('other', 'x')).toThrow(/cannot grant read on other: it is not a secret of this vault/);
  });
});
