import { AzurermBackend, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import type { AzureEnvironmentPlan, AzureSecretPlan } from '../lib/plan/azure-plan';
import { KeyVault, type KeyVaultSettings } from '../lib/azure/key-vault';
import type { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { KeyVaultSecrets, type KeyVaultSecretSpec } from '../lib/azure/key-vault-secrets';
import { ServiceKeyVaults } from '../lib/azure/service-key-vaults';
import { WorkloadIdentities } from '../lib/azure/workload-identities';
import { AksClusters, providerAlias } from '../lib/azure/aks-clusters';
import { DataAzurermKeyVault } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault';
import type { DataAzurermUserAssignedIdentityConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-user-assigned-identity';
import { ResourceBlocks } from '../lib/terraform/resource-blocks';
import { fixedName } from '../lib/terraform/address-claims';
import { COLLECTIONS } from '../lib/terraform/addresses';
import { configureStack } from './configure-stack';
import { managedIdentityName } from '../lib/declaration/naming';
import { ControllerRelease } from '../lib/kubernetes/controller-release';
import { ServedCrds } from '../lib/kubernetes/served-crds';
import { TimeProvider, TimeSleep } from '../lib/terraform/time-sleep';
import { backendOf } from './backend';

/** Backend of an Azure stack: an Azure Storage container when declared, local state otherwise. */
export function configureAzureBackend(stack: TerraformStack, plan: AzureEnvironmentPlan, stackName: string): void {
  const own = backendOf(stack);
  if (own) return own(stack, stackName);
  const b = plan.stateBackend;
  if (b) new AzurermBackend(stack, { resourceGroupName: b.resourceGroup, storageAccountName: b.storageAccount, containerName: b.container, key: `${stackName}.tfstate` });
  else new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
}

export function azureProvider(stack: TerraformStack, plan: AzureEnvironmentPlan): AzurermProvider {
  // A key removed and declared again finds its secret soft-deleted (purge protection keeps it for
  // the retention period): recover it, with its versions, rather than fail until it is purged. The
  // first value given then becomes its latest version. Never purge on destroy.
  return new AzurermProvider(stack, 'azurerm', {
    features: [{ keyVault: [{ recoverSoftDeletedSecrets: true, purgeSoftDeletedSecretsOnDestroy: false, purgeSoftDeleteOnDestroy: false }] }],
    subscriptionId: plan.subscriptionId,
    tenantId: plan.tenantId,
  });
}

/** Options of an Azure environment stack. */
export interface AzureEnvironmentStackOptions {
  /**
   * Declare the Key Vault secrets and their role assignments here. Off for the base stack of a
   * sharded environment, whose shards hold them.
   * @default true
   */
  readonly secrets?: boolean;
}

function secretSpec(plan: AzureEnvironmentPlan, s: AzureSecretPlan, keyVaultId: string): KeyVaultSecretSpec {
  return {
    name: s.name,
    keyVaultId,
    vaultName: s.vault,
    tags: s.tags,
    adopt: s.adopt,
    existingKeyVaultId:
      s.adopt || (plan.layout === 'environmentVault' && plan.keyVault.adopt)
        ? `/subscriptions/${plan.subscriptionId}/resourceGroups/${plan.resourceGroup}/providers/Microsoft.KeyVault/vaults/${s.vault}`
        : undefined,
    deletionProtection: s.deletionProtection,
  };
}

/** Role assignments take a while to reach Key Vault's data plane: a pause before secrets are written. */
function rolePropagation(stack: TerraformStack, after: RoleAssignment[], triggers: Record<string, string>): TimeSleep {
  const propagation = new TimeSleep(stack, 'RolePropagation', { provider: new TimeProvider(stack, 'time'), createDuration: '60s', after, triggers });
  fixedName(propagation, 'deployer_role_propagation');
  return propagation;
}

/**
 * The vaults of a plan that hold secrets (the environment's, or each service's own), the deploying
 * principal's access to them, and the pause that lets that access propagate before secrets are
 * written. Returns the vault id of each secret's vault, by vault name.
 */
function declareVaults(
  stack: TerraformStack,
  plan: AzureEnvironmentPlan,
  deployerObjectId: string,
): { environmentVault?: KeyVault; serviceVaults?: ServiceKeyVaults; propagation?: TimeSleep; vaultIdOf: (vault: string) => string } {
  const settings: KeyVaultSettings = {
    location: plan.location,
    resourceGroupName: plan.resourceGroup,
    tenantId: plan.tenantId,
    deployerObjectId,
    publicNetworkAccess: plan.keyVault.publicNetworkAccess,
    softDeleteRetentionDays: plan.keyVault.softDeleteRetentionDays,
  };
  if (plan.layout === 'environmentVault') {
    const vault = new KeyVault(stack, 'KeyVault', {
      ...settings,
      name: plan.keyVault.name!,
      tags: plan.tags,
      adopt: plan.keyVault.adopt,
      subscriptionId: plan.subscriptionId,
      switchToRbac: plan.keyVault.switchToRbac,
    });
    const propagation = rolePropagation(stack, [vault.deployerAccess], { role_assignment: vault.deployerAccess.id });
    return { environmentVault: vault, propagation, vaultIdOf: () => vault.resource.id };
  }
  const vaults = Object.values(plan.vaults);
  const none = (v: string): string => {
    throw new Error(`no vault ${v} in this stack`);
  };
  if (vaults.length === 0) return { vaultIdOf: none };
  const serviceVaults = new ServiceKeyVaults(stack, 'ServiceVaults', settings);
  const byName = new Map<string, string>();
  for (const v of vaults) {
    serviceVaults.addVault({ service: v.service, name: v.name, tags: v.tags });
    byName.set(v.name, v.service);
  }
  // One pause for every vault's deployer access (a new vault's assignment starts it again).
  const propagation = rolePropagation(stack, [], Object.fromEntries(vaults.map((v) => [v.service, serviceVaults.officers.ref(v.service, 'id')])));
  propagation.addOverride('depends_on', serviceVaults.officerAddresses);
  return {
    serviceVaults,
    propagation,
    vaultIdOf: (name) => {
      const service = byName.get(name);
      if (service === undefined) throw new Error(`no vault ${name} in this stack`);
      return serviceVaults.idOf(service);
    },
  };
}

/**
 * First deploy phase of an environment on Azure: the Key Vault(s) and their secrets, each service's
 * managed identity federated with its Kubernetes service account in every cluster, "Key Vault
 * Secrets User" per secret (or on a service's own vault), and the in-cluster controller (CSI driver
 * with its Azure provider, or External Secrets Operator). The identities' client ids are stack
 * outputs (`client_ids`), which `secret-wiring identities` writes into the GitOps files.
 */
export class AzureEnvironmentStack extends TerraformStack {
  /** The environment's vault (layout environmentVault). */
  public readonly vault?: KeyVault;
  /** Each service's own vault (layout vaultPerService). */
  public readonly serviceVaults?: ServiceKeyVaults;
  public readonly secrets?: KeyVaultSecrets;
  public readonly identities?: WorkloadIdentities;
  public readonly clusters: AksClusters;
  public readonly controllers: ControllerRelease[] = [];

  constructor(scope: Construct, id: string, plan: AzureEnvironmentPlan, options: AzureEnvironmentStackOptions = {}) {
    super(scope, id);
    configureStack(this, plan);
    // Write-only arguments and ephemeral variables need Terraform 1.11.
    this.addOverride('terraform.required_version', '>= 1.11.0');
    configureAzureBackend(this, plan, id);
    azureProvider(this, plan);
    const client = new DataAzurermClientConfig(this, 'ClientConfig');
    fixedName(client, 'current', 'data');

    const workloadIdentity = plan.identityMode === 'workloadIdentity';
    this.clusters = new AksClusters(this, 'Clusters', {
      clusters: plan.clusters,
      auth: plan.clusterAuth,
      requireWorkloadIdentity: workloadIdentity,
      requireCsiAddon: plan.delivery === 'csi' && plan.csiInstall === 'aksAddon',
      forbidCsiAddon: plan.delivery === 'csi' && plan.csiInstall === 'helm',
    });

    const vaults = declareVaults(this, plan, plan.deployerObjectId ?? client.objectId);
    this.vault = vaults.environmentVault;
    this.serviceVaults = vaults.serviceVaults;
    const withSecrets = options.secrets ?? true;
    const secrets = withSecrets
      ? new KeyVaultSecrets(this, 'Secrets', {
          after: vaults.propagation ? [vaults.propagation] : [],
          secrets: Object.values(plan.secrets).map((s) => secretSpec(plan, s, vaults.vaultIdOf(s.vault))),
        })
      : undefined;
    this.secrets = secrets;

    if (workloadIdentity) {
      const identities = new WorkloadIdentities(this, 'Identities', { location: plan.location, resourceGroupName: plan.resourceGroup, tags: plan.tags });
      for (const i of Object.values(plan.identities)) identities.addIdentity({ key: i.service, name: i.name });
      for (const [key, f] of Object.entries(plan.federatedCredentials)) {
        identities.federate({ key, identity: f.service, name: f.name, issuer: this.clusters.oidcIssuerOf(f.cluster), subject: f.subject });
      }
      this.identities = identities;
      // The client ids Azure assigned: npm run identities writes them into the GitOps files. An
      // output changes no resource, so a plan from a fresh clone shows nothing for it.
      new TerraformOutput(this, 'client_ids', {
        value: Object.fromEntries(Object.keys(plan.identities).map((s) => [s, identities.clientIdOf(s)])),
        description: 'Client id of each service identity, by service',
      });
    }
    for (const [key, a] of Object.entries(plan.roleAssignments)) {
      const principal = a.principal.kind === 'identity' ? this.identities!.principalIdOf(a.principal.service) : this.clusters.addonIdentityOf(a.principal.cluster).objectId;
      secrets?.grantRead(a.secretName, principal, { key });
    }
    for (const r of Object.values(plan.vaultReaders)) this.serviceVaults?.grantReadAll(r.service, this.identities!.identity(r.service));

    if (!plan.controller && plan.requiredCrds.length > 0) {
      for (const c of plan.clusters) {
        new ServedCrds(this, `ServedCrds-${c.name}`, {
          provider: this.clusters.kubernetes(c.name),
          resourceName: `served_crds_${providerAlias(c.name)}`,
          cluster: c.name,
          crds: plan.requiredCrds,
          installedBy: plan.delivery === 'csi' ? 'others (csiDriver.install: existing)' : 'others (externalSecrets.install: existing)',
        });
      }
    }
    if (plan.controller) {
      for (const c of plan.clusters) {
        this.controllers.push(
          new ControllerRelease(this, `Controller-${c.name}`, {
            provider: this.clusters.helm(c.name),
            name: plan.controller.chart,
            ...plan.controller,
            resourceName: `${plan.controller.chart.replace(/-/g, '_')}_${providerAlias(c.name)}`,
          }),
        );
      }
    }

    if (!workloadIdentity && plan.delivery === 'csi') {
      // The add-on identity of each cluster, for the per-cluster GitOps overlays (npm run identities).
      new TerraformOutput(this, 'addon_client_ids', {
        value: Object.fromEntries(plan.clusters.map((c) => [c.name, this.clusters.addonIdentityOf(c.name).clientId])),
        description: 'Client id of the key vault secrets provider add-on identity of each cluster, by cluster',
      });
    }
  }
}

/**
 * One shard of a sharded environment on Azure: the Key Vault secrets its services own and every
 * "Key Vault Secrets User" assignment on them. The vault and the identities are the base stack's,
 * looked up by name; deployed after the base, alone, with its own state.
 */
export class AzureShardStack extends TerraformStack {
  public readonly secrets: KeyVaultSecrets;
  /** The shard's services' own vaults (layout vaultPerService). */
  public readonly serviceVaults?: ServiceKeyVaults;

  constructor(scope: Construct, id: string, plan: AzureEnvironmentPlan) {
    super(scope, id);
    configureStack(this, plan);
    // Write-only arguments and ephemeral variables need Terraform 1.11.
    this.addOverride('terraform.required_version', '>= 1.11.0');
    configureAzureBackend(this, plan, id);
    azureProvider(this, plan);
    let vaultIdOf: (vault: string) => string;
    let after: TimeSleep | undefined;
    if (plan.layout === 'environmentVault') {
      const vault = new DataAzurermKeyVault(this, 'KeyVault', { name: plan.keyVault.name!, resourceGroupName: plan.resourceGroup });
      fixedName(vault, 'vault', 'data');
      vaultIdOf = () => vault.id;
    } else {
      // The shard's services' own vaults live here, with their secrets.
      const client = new DataAzurermClientConfig(this, 'ClientConfig');
      fixedName(client, 'current', 'data');
      const vaults = declareVaults(this, plan, plan.deployerObjectId ?? client.objectId);
      this.serviceVaults = vaults.serviceVaults;
      vaultIdOf = vaults.vaultIdOf;
      after = vaults.propagation;
    }
    this.secrets = new KeyVaultSecrets(this, 'Secrets', {
      after: after ? [after] : [],
      secrets: Object.values(plan.secrets).map((s) => secretSpec(plan, s, vaultIdOf(s.vault))),
    });
    const readers = [
      ...new Set([...Object.values(plan.roleAssignments).flatMap((a) => (a.principal.kind === 'identity' ? [a.principal.service] : [])), ...Object.keys(plan.vaultReaders)]),
    ].sort();
    const lookups = new ResourceBlocks<DataAzurermUserAssignedIdentityConfig>(this, 'Readers', { type: 'azurerm_user_assigned_identity', prefix: COLLECTIONS.azureReaderIdentities, data: true });
    for (const s of readers) lookups.add(s, { name: managedIdentityName(plan.environment, s), resource_group_name: plan.resourceGroup });
    for (const r of Object.values(plan.vaultReaders)) this.serviceVaults!.grantReadAll(r.service, { readerKey: r.service, principalId: lookups.ref(r.service, 'principal_id') });
    const addon = Object.values(plan.roleAssignments).some((a) => a.principal.kind === 'aksAddon');
    const clusters = addon ? new AksClusters(this, 'Clusters', { clusters: plan.clusters, auth: plan.clusterAuth, requireWorkloadIdentity: false }) : undefined;
    for (const [key, a] of Object.entries(plan.roleAssignments)) {
      const principal =
        a.principal.kind === 'identity' ? lookups.ref(a.principal.service, 'principal_id') : clusters!.addonIdentityOf(a.principal.cluster).objectId;
      this.secrets.grantRead(a.secretName, principal, { key });
    }
  }
}
