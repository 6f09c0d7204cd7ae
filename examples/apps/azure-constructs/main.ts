// A stack of one team's own on Azure, from the constructs alone: a vault in RBAC mode, a managed
// identity federated with one Kubernetes service account, one secret and read access on it alone.
import { App, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { KeyVault, KeyVaultSecrets, WorkloadIdentities, applyPolicy } from 'secret-wiring';

const app = new App();
const stack = new TerraformStack(app, 'billing-azure');
new AzurermProvider(stack, 'azurerm', { features: [{}], subscriptionId: '66666666-7777-8888-9999-000000000000' });

const settings = { location: 'japaneast', resourceGroupName: 'billing-prod' };
const vault = new KeyVault(stack, 'Vault', {
  ...settings,
  name: 'kv-billing-prod',
  tenantId: '11111111-2222-3333-4444-555555555555',
  deployerObjectId: '22222222-3333-4444-5555-666666666666',
});
const identities = new WorkloadIdentities(stack, 'Identities', settings);
const billing = identities.addIdentity({ key: 'billing', name: 'production-billing-secrets' });
identities.federate({
  key: 'billing/aks-prod',
  identity: 'billing',
  name: 'aks-prod-billing-billing-secrets',
  issuer: 'https://japaneast.oic.prod-aks.azure.com/11111111-2222-3333-4444-555555555555/00000000-0000-0000-0000-000000000001/',
  subject: 'system:serviceaccount:billing:billing-secrets',
});

const secrets = new KeyVaultSecrets(stack, 'Secrets', {
  keyVaultId: vault.resource.id,
  vaultName: 'kv-billing-prod',
  after: [vault.deployerAccess],
  tags: { 'managed-by': 'secret-wiring', service: 'billing', environment: 'production' },
});
// Created only from a first value given at apply: TF_VAR_secret_values='{"billing--DB-PASSWORD":"..."}'
secrets.addSecret({ name: 'billing--DB-PASSWORD' }).grantRead(billing);

applyPolicy(stack);
app.synth();
