import { Construct } from 'constructs';
import type { KeyVaultConfig } from '@cdktf/provider-azurerm/lib/key-vault';
import type { RoleAssignmentConfig } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ResourceBlocks } from '../terraform/resource-blocks';
import { COLLECTIONS } from '../terraform/addresses';
import { sortedRecord } from '../util/sorted-record';
import { KEY_VAULT_SECRETS_OFFICER_ROLE, type KeyVaultSettings } from './key-vault';
import { KEY_VAULT_SECRETS_USER_ROLE } from './key-vault-secrets';

/** Settings of every service vault; the deploying principal gets "Key Vault Secrets Officer" on each. */
export type ServiceKeyVaultsProps = KeyVaultSettings;

export interface ServiceKeyVaultSpec {
  /** The owning service: the key of its blocks. */
  readonly service: string;
  /** Globally unique vault name. */
  readonly name: string;
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A Key Vault per service (`azurerm_key_vault.vaults_<service>`), each in RBAC mode with purge
 * protection and soft delete on, the deploying principal able to manage its secrets
 * (`azurerm_role_assignment.vault_officers_<service>`), and read access granted at the vault's scope
 * to the service that owns it alone (`grantReadAll`, `azurerm_role_assignment.vault_readers_<service>`).
 * One block per vault, so plans stay linear in the number of services.
 */
export class ServiceKeyVaults extends Construct {
  public readonly vaults: ResourceBlocks<KeyVaultConfig>;
  public readonly officers: ResourceBlocks<RoleAssignmentConfig>;
  public readonly readers: ResourceBlocks<RoleAssignmentConfig>;
  private readonly props: ServiceKeyVaultsProps;

  constructor(scope: Construct, id: string, props: ServiceKeyVaultsProps) {
    super(scope, id);
    this.props = props;
    // Destroying a vault would take every secret in it: Terraform refuses.
    this.vaults = new ResourceBlocks(this, 'Resource', { type: 'azurerm_key_vault', prefix: COLLECTIONS.azureVaults, lifecycle: { prevent_destroy: true } });
    this.officers = new ResourceBlocks(this, 'Officers', { type: 'azurerm_role_assignment', prefix: COLLECTIONS.azureVaultOfficers });
    this.readers = new ResourceBlocks(this, 'Readers', { type: 'azurerm_role_assignment', prefix: COLLECTIONS.azureVaultReaders });
  }

  /** Adds a service's vault and the deploying principal's access to it. */
  public addVault(spec: ServiceKeyVaultSpec): void {
    const p = this.props;
    this.vaults.add(spec.service, {
      name: spec.name,
      location: p.location,
      resource_group_name: p.resourceGroupName,
      tenant_id: p.tenantId,
      sku_name: 'standard',
      rbac_authorization_enabled: true,
      purge_protection_enabled: true,
      soft_delete_retention_days: p.softDeleteRetentionDays ?? 90,
      public_network_access_enabled: p.publicNetworkAccess ?? true,
      tags: sortedRecord(spec.tags),
    });
    this.officers.add(spec.service, {
      scope: this.idOf(spec.service),
      role_definition_name: KEY_VAULT_SECRETS_OFFICER_ROLE,
      principal_id: p.deployerObjectId,
      description: 'The deploying principal manages the secrets of this vault (secret-wiring)',
    });
  }

  /** Terraform expression of the id of a service's vault. */
  public idOf(service: string): string {
    return this.vaults.ref(service, 'id');
  }

  /**
   * Assigns "Key Vault Secrets User" at the scope of a service's own vault to that service's
   * principal: it reads every secret its vault holds, and nothing of another vault.
   */
  public grantReadAll(service: string, principalId: string): void {
    this.readers.add(service, {
      scope: this.idOf(service),
      role_definition_name: KEY_VAULT_SECRETS_USER_ROLE,
      principal_id: principalId,
      principal_type: 'ServicePrincipal',
    });
  }

  /** Addresses of the deploying principal's assignments, which writing secrets waits for. */
  public get officerAddresses(): string[] {
    return this.officers.keys.map((k) => this.officers.addressOf(k));
  }
}
