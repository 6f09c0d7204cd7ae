import { Construct } from 'constructs';
import type { KeyVaultConfig } from '@cdktf/provider-azurerm/lib/key-vault';
import type { RoleAssignmentConfig } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ResourceBlocks } from '../terraform/resource-blocks';
import { COLLECTIONS } from '../terraform/addresses';
import { sortedRecord } from '../util/sorted-record';
import { KEY_VAULT_SECRETS_OFFICER_ROLE, type KeyVaultSettings } from './key-vault';
import { KEY_VAULT_SECRETS_USER_ROLE } from './key-vault-secrets';
import type { IKeyVaultReader } from './key-vault-reader';
import { ConstructChecks, requireLiteral, requireProps } from '../terraform/construct-checks';
import { RULES } from '../declaration/rules';
import { claimObject } from '../terraform/address-claims';
import { DEPLOYER_ACCESS, OWN_VAULT_READER } from '../terraform/purposes';

/** Settings of every service vault; the deploying principal gets "Key Vault Secrets Officer" on each. */
export interface ServiceKeyVaultsProps extends KeyVaultSettings {
  /**
   * Block name prefix of the vaults (`azurerm_key_vault.<resourceName>_<service>`); role
   * assignments are `<resourceName>_officers_` and `<resourceName>_readers_` unless the default is kept.
   * @default "vaults" (and "vault_officers", "vault_readers")
   */
  readonly resourceName?: string;
}

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
  private readonly checks: ConstructChecks;

  constructor(scope: Construct, id: string, props: ServiceKeyVaultsProps) {
    super(scope, id);
    requireProps(this, props);
    this.props = props;
    this.checks = new ConstructChecks(this);
    this.checks.rule('location', props.location, RULES.azureLocation);
    this.checks.rule('resourceGroupName', props.resourceGroupName, RULES.azureResourceGroup);
    this.checks.rule('tenantId', props.tenantId, RULES.guid);
    this.checks.rule('deployerObjectId', props.deployerObjectId, RULES.objectId);
    const own = props.resourceName;
    // Destroying a vault would take every secret in it: Terraform refuses.
    this.vaults = new ResourceBlocks(this, 'Resource', { type: 'azurerm_key_vault', prefix: own ?? COLLECTIONS.azureVaults, lifecycle: { prevent_destroy: true } });
    this.officers = new ResourceBlocks(this, 'Officers', { type: 'azurerm_role_assignment', prefix: own ? `${own}_officers` : COLLECTIONS.azureVaultOfficers, purpose: DEPLOYER_ACCESS });
    this.readers = new ResourceBlocks(this, 'Readers', { type: 'azurerm_role_assignment', prefix: own ? `${own}_readers` : COLLECTIONS.azureVaultReaders, purpose: OWN_VAULT_READER });
  }

  /** Adds a service's vault and the deploying principal's access to it. */
  public addVault(spec: ServiceKeyVaultSpec): void {
    requireLiteral(`${this.node.path}: addVault`, 'service', spec?.service);
    const p = this.props;
    const at = `vaults[${JSON.stringify(spec.service)}]`;
    this.checks.rule(`${at}.service`, spec.service, RULES.serviceName);
    this.checks.rule(`${at}.name`, spec.name, RULES.keyVaultName);
    if (typeof spec.name === 'string') claimObject(this, 'Key Vault', spec.name.toLowerCase(), spec.service);
    this.checks.record(`${at}.tags`, spec.tags, RULES.azureTagKey, RULES.azureTagValue);
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
   *
   * @param reader that service's identity (`identities.identity(service)`), whose readerKey is the
   *   service: a vault is read by its owner alone
   */
  public grantReadAll(service: string, reader: IKeyVaultReader): void {
    if (!this.vaults.has(service)) throw new Error(`${this.node.path}: cannot grant read on the vault of ${service}: it has none in this set`);
    if (reader === null || typeof reader !== 'object') {
      throw new Error(`${this.node.path}: grantReadAll(${JSON.stringify(service)}) takes the service's identity as a reader ({ readerKey: ${JSON.stringify(service)}, principalId }), not ${JSON.stringify(reader)}`);
    }
    const principalId = reader.principalId;
    if (reader.readerKey !== service) {
      throw new Error(`${this.node.path}: grantReadAll(${JSON.stringify(service)}) is given the reader ${JSON.stringify(reader.readerKey)}: a service's vault is read by that service alone`);
    }
    this.checks.rule(`grantReadAll(${JSON.stringify(service)}) principal id`, principalId, RULES.objectId);
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
