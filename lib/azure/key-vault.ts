import { Construct } from 'constructs';
import { KeyVault as AzurermKeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';

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
}

/**
 * A Key Vault in RBAC authorization mode (no access policies), with purge protection and soft
 * delete on, and the deploying principal able to manage its secrets.
 */
export class KeyVault extends Construct {
  public readonly resource: AzurermKeyVault;
  public readonly deployerAccess: RoleAssignment;

  constructor(scope: Construct, id: string, props: KeyVaultProps) {
    super(scope, id);
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
    this.resource.overrideLogicalId('vault');
    this.deployerAccess = new RoleAssignment(this, 'DeployerAccess', {
      scope: this.resource.id,
      roleDefinitionName: KEY_VAULT_SECRETS_OFFICER_ROLE,
      principalId: props.deployerObjectId,
      description: 'The deploying principal manages the secrets of this vault (secret-wiring)',
    });
    this.deployerAccess.overrideLogicalId('deployer_secrets_officer');
  }
}
