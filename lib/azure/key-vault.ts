import { Construct } from 'constructs';
import { KeyVault as AzurermKeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { DataAzurermKeyVault } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault';
import { fixedName } from '../terraform/address-claims';
import { ConstructChecks, requireProps } from '../terraform/construct-checks';
import { claimObject } from '../terraform/address-claims';
import { DEPLOYER_ACCESS } from '../terraform/purposes';
import { markPurpose } from '../terraform/address-claims';
import { dependableAddress } from '../terraform/resource-blocks';
import { RULES } from '../declaration/rules';

/** Built-in role that manages secrets, for the principal that deploys them. */
export const KEY_VAULT_SECRETS_OFFICER_ROLE = 'Key Vault Secrets Officer';

/** What every vault the product creates shares: where it is, who deploys, and how it protects its secrets. */
export interface KeyVaultSettings {
  readonly location: string;
  readonly resourceGroupName: string;
  readonly tenantId: string;
  /** Object id of the deploying principal, given "Key Vault Secrets Officer" on the vault. */
  readonly deployerObjectId: string;
  /** Allow the public endpoint. @default true */
  readonly publicNetworkAccess?: boolean;
  /** Days a deleted vault or secret stays recoverable. @default 90 */
  readonly softDeleteRetentionDays?: number;
}

export interface KeyVaultProps extends KeyVaultSettings {
  readonly name: string;
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * The vault exists: import it (resource id from subscriptionId, resource group and name) and
   * leave what the product does not own as it is. @default false
   */
  readonly adopt?: boolean;
  /** Subscription of an adopted vault. @default - required with adopt */
  readonly subscriptionId?: string;
  /**
   * Terraform name of the vault (`azurerm_key_vault.<resourceName>`); the deployer's role assignment
   * is `azurerm_role_assignment.<resourceName>_deployer_secrets_officer` unless the default is kept.
   * @default "vault" (and "deployer_secrets_officer")
   */
  readonly resourceName?: string;
  /**
   * An adopted vault in access-policy mode is switched to RBAC authorization; otherwise the plan
   * fails on one. @default false
   */
  readonly switchToRbac?: boolean;
}

/**
 * What an adopted vault keeps as it was: its SKU, network rules and access policies, its own tags,
 * retention and purge protection (turning purge protection on cannot be undone, so it is never done
 * silently), and the other switches of the portal.
 */
export const ADOPTED_VAULT_IGNORED = [
  'sku_name',
  'access_policy',
  'network_acls',
  'contact',
  'tags',
  'soft_delete_retention_days',
  'purge_protection_enabled',
  'public_network_access_enabled',
  'enabled_for_deployment',
  'enabled_for_disk_encryption',
  'enabled_for_template_deployment',
  'enable_rbac_authorization',
] as const;

/**
 * A Key Vault in RBAC authorization mode (no access policies), with purge protection and soft
 * delete on, and the deploying principal able to manage its secrets.
 */
export class KeyVault extends Construct {
  public readonly resource: AzurermKeyVault;
  public readonly deployerAccess: RoleAssignment;

  constructor(scope: Construct, id: string, props: KeyVaultProps) {
    super(scope, id);
    requireProps(this, props);
    const checks = new ConstructChecks(this);
    checks.rule('name', props.name, RULES.keyVaultName);
    checks.rule('tenantId', props.tenantId, RULES.guid);
    checks.rule('deployerObjectId', props.deployerObjectId, RULES.objectId);
    checks.rule('location', props.location, RULES.azureLocation);
    checks.rule('resourceGroupName', props.resourceGroupName, RULES.azureResourceGroup);
    checks.record('tags', props.tags, RULES.azureTagKey, RULES.azureTagValue);
    if (props.subscriptionId !== undefined) checks.rule('subscriptionId', props.subscriptionId, RULES.guid);
    const days = props.softDeleteRetentionDays;
    if (days !== undefined) checks.rule('softDeleteRetentionDays', String(days), RULES.softDeleteRetentionDays);
    const name = props.resourceName ?? 'vault';
    if (typeof props.name === 'string') claimObject(this, 'Key Vault', props.name.toLowerCase());
    this.resource = new AzurermKeyVault(this, 'Resource', {
      name: props.name,
      location: props.location,
      resourceGroupName: props.resourceGroupName,
      tenantId: props.tenantId,
      skuName: 'standard',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: props.softDeleteRetentionDays ?? 90,
      publicNetworkAccessEnabled: props.publicNetworkAccess ?? true,
      tags: props.tags ? { ...props.tags } : undefined,
      // Destroying the vault would take every secret with it: Terraform refuses.
      lifecycle: { preventDestroy: true },
    });
    fixedName(this.resource, name);
    if (props.adopt) {
      if (!props.subscriptionId) throw new Error(`${this.node.path}: adopt is true and subscriptionId is missing: an adopted vault is imported by its resource id, which names its subscription`);
      this.resource.importFrom(`/subscriptions/${props.subscriptionId}/resourceGroups/${props.resourceGroupName}/providers/Microsoft.KeyVault/vaults/${props.name}`);
      this.resource.addOverride('lifecycle.ignore_changes', [...ADOPTED_VAULT_IGNORED]);
      if (!props.switchToRbac) {
        const current = new DataAzurermKeyVault(this, 'Current', { name: props.name, resourceGroupName: props.resourceGroupName });
        fixedName(current, name === 'vault' ? 'adopted_vault' : `adopted_${name}`, 'data');
        this.resource.addOverride('lifecycle.precondition', [
          {
            condition: `\${${current.fqn}.rbac_authorization_enabled}`,
            error_message:
              `Key Vault ${props.name} uses access policies, and this product grants access with Azure RBAC role assignments. ` +
              'Switching the vault to RBAC authorization makes Azure ignore every access policy at once: each application, person and pipeline that reads it through one loses access until it has a role assignment (Key Vault Secrets User, or Secrets Officer to write). ' +
              'Give them role assignments first, then set switchToRbac: true on the environment\'s keyVault to switch at the next apply.',
          },
        ]);
      }
    }
    this.deployerAccess = new RoleAssignment(this, 'DeployerAccess', {
      scope: this.resource.id,
      roleDefinitionName: KEY_VAULT_SECRETS_OFFICER_ROLE,
      principalId: props.deployerObjectId,
      description: 'The deploying principal manages the secrets of this vault (secret-wiring)',
    });
    fixedName(this.deployerAccess, name === 'vault' ? 'deployer_secrets_officer' : `${name}_deployer_secrets_officer`);
    markPurpose(this, dependableAddress(this.deployerAccess), DEPLOYER_ACCESS);
  }
}
