import { TerraformVariable, type TerraformDataSource, type TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import type { KeyVaultSecretConfig } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import type { RoleAssignmentConfig } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ResourceBlocks } from '../terraform/resource-blocks';
import { sortedRecord } from '../util/sorted-record';
import { COLLECTIONS } from '../terraform/addresses';

/** Built-in role that reads secret contents. */
export const KEY_VAULT_SECRETS_USER_ROLE = 'Key Vault Secrets User';

export interface KeyVaultSecretSpec {
  readonly name: string;
  /** Id of the vault that holds it (a Terraform reference). @default - the construct's keyVaultId */
  readonly keyVaultId?: string;
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/** One role assignment: "Key Vault Secrets User" on one secret for one principal. */
export interface KeyVaultSecretGrant {
  readonly key: string;
  readonly secretName: string;
  /** Object id of the principal, or a Terraform expression giving it. */
  readonly principalId: string;
  readonly role: string;
}

export interface KeyVaultSecretsProps {
  /** Id of the vault of every secret that names none (a Terraform reference). @default - each secret names its vault */
  readonly keyVaultId?: string;
  /** What every secret waits for (the deployer's access to the vault). @default - nothing */
  readonly after?: readonly (TerraformResource | TerraformDataSource)[];
  /** @default - none; add them with addSecret */
  readonly secrets?: readonly KeyVaultSecretSpec[];
}

/**
 * Key Vault secrets (in one vault, or each in its own), one block per secret named by secret name
 * (`azurerm_key_vault_secret.secrets_service-a--FOO-PASSWORD`), and read access per secret
 * (`azurerm_role_assignment.secret_readers_<reader>__<name>`, scoped to that secret by reference).
 *
 * No value ever reaches the configuration or the state: each secret is created through the
 * write-only `value_wo` from the ephemeral variable `secret_values` (empty when not given), with a
 * constant `value_wo_version`, so Terraform writes the first version once and never overwrites a
 * value added later out of band.
 */
export class KeyVaultSecrets extends Construct {
  public readonly secrets: ResourceBlocks<KeyVaultSecretConfig>;
  public readonly readers: ResourceBlocks<RoleAssignmentConfig>;
  public readonly values: TerraformVariable;
  private readonly keyVaultId?: string;
  private readonly specs = new Map<string, KeyVaultSecretSpec>();
  private readonly grants = new Map<string, KeyVaultSecretGrant>();

  constructor(scope: Construct, id: string, props: KeyVaultSecretsProps) {
    super(scope, id);
    this.keyVaultId = props.keyVaultId;
    this.values = new TerraformVariable(this, 'Values', {
      type: 'map(string)',
      default: {},
      sensitive: true,
      description: 'First values of secrets, by secret name; ephemeral, never stored. Leave empty to add values out of band.',
    });
    this.values.overrideLogicalId('secret_values');
    this.values.addOverride('ephemeral', true);
    this.secrets = new ResourceBlocks(this, 'Resource', {
      type: 'azurerm_key_vault_secret',
      prefix: COLLECTIONS.azureSecrets,
      dependsOn: props.after,
      movedFrom: COLLECTIONS.azureSecrets,
    });
    this.readers = new ResourceBlocks(this, 'Readers', {
      type: 'azurerm_role_assignment',
      prefix: COLLECTIONS.azureReaders,
      movedFrom: COLLECTIONS.azureReaders,
    });
    for (const s of props.secrets ?? []) this.addSecret(s);
  }

  public addSecret(spec: KeyVaultSecretSpec): void {
    if (this.specs.has(spec.name)) throw new Error(`${this.node.path}: secret ${spec.name} is already declared`);
    const keyVaultId = spec.keyVaultId ?? this.keyVaultId;
    if (keyVaultId === undefined) throw new Error(`${this.node.path}: secret ${spec.name} names no vault, and the construct has no keyVaultId`);
    this.specs.set(spec.name, spec);
    this.secrets.add(spec.name, {
      name: spec.name,
      key_vault_id: keyVaultId,
      tags: sortedRecord(spec.tags),
      value_wo: `\${lookup(var.${this.values.friendlyUniqueId}, ${JSON.stringify(spec.name)}, "")}`,
      value_wo_version: 1,
    });
  }

  /**
   * Assigns "Key Vault Secrets User" on one secret (its versionless id: the secret's own scope,
   * never the vault's) to one principal.
   *
   * @param principalId object id of the principal, or a Terraform expression giving it
   * @param key key of the assignment @default "<principalId>/<secretName>"
   */
  public grantRead(secretName: string, principalId: string, key?: string): KeyVaultSecretGrant {
    if (!this.specs.has(secretName)) throw new Error(`${this.node.path}: cannot grant read on ${secretName}: it is not a secret of this vault`);
    const k = key ?? `${principalId}/${secretName}`;
    const existing = this.grants.get(k);
    if (existing) {
      if (existing.secretName !== secretName || existing.principalId !== principalId) {
        throw new Error(`${this.node.path}: grant key ${k} is already used for ${existing.principalId} on ${existing.secretName}`);
      }
      return existing;
    }
    const g = { key: k, secretName, principalId, role: KEY_VAULT_SECRETS_USER_ROLE };
    this.grants.set(k, g);
    this.readers.add(k, {
      scope: this.secrets.ref(secretName, 'resource_versionless_id'),
      principal_id: principalId,
      role_definition_name: KEY_VAULT_SECRETS_USER_ROLE,
      principal_type: 'ServicePrincipal',
    });
    return g;
  }

  /** Every grant, sorted by key. */
  public get allGrants(): KeyVaultSecretGrant[] {
    return [...this.grants.keys()].sort().map((k) => this.grants.get(k)!);
  }
}
