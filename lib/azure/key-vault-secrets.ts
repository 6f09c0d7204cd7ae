import { TerraformStack, TerraformVariable, type TerraformDataSource, type TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import type { KeyVaultSecretConfig } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import type { DataAzurermKeyVaultSecretConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault-secret';
import type { DataAzurermKeyVaultSecretsConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault-secrets';
import type { RoleAssignmentConfig } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ResourceBlocks, dependableAddress, type BlockLifecycle } from '../terraform/resource-blocks';
import { fixedName } from '../terraform/address-claims';
import { ConstructChecks, isExpression, requireLiteral, requireProps } from '../terraform/construct-checks';
import { grantKey } from '../terraform/grant-key';
import { RULES } from '../declaration/rules';
import { claimObject } from '../terraform/address-claims';
import type { IKeyVaultReader } from './key-vault-reader';
import { sortedRecord } from '../util/sorted-record';
import { COLLECTIONS } from '../terraform/addresses';

/** Built-in role that reads secret contents. */
export const KEY_VAULT_SECRETS_USER_ROLE = 'Key Vault Secrets User';

/**
 * Attributes Terraform leaves alone on every Key Vault secret: the value and its write-only version
 * (written once at creation, never again: an imported secret reads back `value_wo_version` 0, and
 * planning it back to 1 would write the empty write-only value over the live one), dates set with
 * later versions, and the tag `az keyvault secret set --file` adds.
 */
export const KEY_VAULT_SECRET_IGNORED = ['value', 'value_wo', 'value_wo_version', 'content_type', 'not_before_date', 'expiration_date', 'tags["file-encoding"]'] as const;

export interface KeyVaultSecretSpec {
  readonly name: string;
  /** Id of the vault that holds it (a Terraform reference). @default - the construct's keyVaultId */
  readonly keyVaultId?: string;
  /**
   * Name of that vault: the key of its existing-secrets lookup, named in messages.
   * @default - the construct's vaultName, or else the vault id
   */
  readonly vaultName?: string;
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * The secret exists already (its vault must exist too): import it, never write a value to it.
   * @default false
   */
  readonly adopt?: boolean;
  /**
   * The vault's resource id as a literal, when the vault exists before this apply (adopted): the
   * versioned id of an adopted secret (its import id) and the names the vault holds are then looked
   * up at plan time, which a reference to a resource would defer.
   * @default - required with adopt
   */
  readonly existingKeyVaultId?: string;
  /**
   * Terraform refuses to destroy the secret (`prevent_destroy`): removing its key from the
   * declaration fails the plan instead of deleting the secret. Adopted secrets are always protected.
   * @default true
   */
  readonly deletionProtection?: boolean;
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
  /** Name of that vault. @default - each secret names its vault, or else the vault id */
  readonly vaultName?: string;
  /** What every secret waits for (the deployer's access to the vault). @default - nothing */
  readonly after?: readonly (TerraformResource | TerraformDataSource)[];
  /**
   * Tags on every secret of the set, under each secret's own (the rule pack asks for `managed-by`,
   * `service` and `environment`). @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
  /** @default - none; add them with addSecret */
  readonly secrets?: readonly KeyVaultSecretSpec[];
  /**
   * Block name prefix of the secrets (`azurerm_key_vault_secret.<resourceName>_<name>`); the other
   * collections follow it (`adopted_<resourceName>_`, `existing_<resourceName>_`,
   * `<resourceName>_readers_`). Two sets in one stack need two names.
   * @default "secrets" (and "adopted_secrets", "existing_secrets", "secret_readers")
   */
  readonly resourceName?: string;
}

/** Options of a grant. */
export interface KeyVaultGrantOptions {
  /**
   * Key of the grant, which its Terraform name is made from.
   * @default "<reader key>/<secret name>", or "<principal id>/<secret name>" for a literal id
   */
  readonly key?: string;
}

/** A secret of a set, with the grants on it. */
export interface KeyVaultSecretHandle {
  /** Its Key Vault secret name. */
  readonly name: string;
  /** Address of its block. */
  readonly address: string;
  /** Terraform expression of its versionless id, the scope of its grants. */
  readonly scope: string;
  /** Terraform expression of the id of its current version, for resources of the user's own. */
  readonly id: string;
  /** Assigns "Key Vault Secrets User" on this secret alone. */
  grantRead(reader: IKeyVaultReader | string, options?: KeyVaultGrantOptions): KeyVaultSecretGrant;
}

/** The vault lookups of each stack (what each vault holds), by collection prefix, then vault name. */
const vaultLookups = new WeakMap<TerraformStack, Map<string, Map<string, string>>>();

/** The ephemeral first-values variables of each stack, by name. */
const valueVariables = new WeakMap<TerraformStack, Map<string, TerraformVariable>>();

/**
 * Key Vault secrets (in one vault, or each in its own), one block per secret named by secret name
 * (`azurerm_key_vault_secret.secrets_service-a--FOO-PASSWORD`; adopted ones
 * `adopted_secrets_<name>`, imported), and read access per secret
 * (`azurerm_role_assignment.secret_readers_<reader>__<name>`, scoped to that secret by reference).
 *
 * Values: no value ever reaches the configuration or the state. A secret is created only from its
 * first value, given through the ephemeral variable `secret_values` into the write-only `value_wo`:
 * a precondition refuses to create a secret without one, naming it (Key Vault has no secret without
 * a version, and an empty first version would reach pods as ""). A secret the vault already holds
 * (listed by `data.azurerm_key_vault_secrets.existing_secrets_<vault>`) needs none. After creation
 * Terraform never writes a value again (see KEY_VAULT_SECRET_IGNORED).
 */
export class KeyVaultSecrets extends Construct {
  public readonly secrets: ResourceBlocks<KeyVaultSecretConfig>;
  /** Secrets that existed before, imported. */
  public readonly adopted: ResourceBlocks<KeyVaultSecretConfig>;
  /** The versioned id of each adopted secret, for its import. */
  public readonly adoptedIds: ResourceBlocks<DataAzurermKeyVaultSecretConfig>;
  /** The names each vault holds, by vault name. */
  public readonly existing: ResourceBlocks<DataAzurermKeyVaultSecretsConfig>;
  public readonly readers: ResourceBlocks<RoleAssignmentConfig>;
  public readonly values: TerraformVariable;
  private readonly keyVaultId?: string;
  private readonly vaultName?: string;
  private readonly specs = new Map<string, KeyVaultSecretSpec>();
  private readonly grants = new Map<string, KeyVaultSecretGrant>();
  /** The expression of what each vault holds, by vault name: this stack's lookups. */
  private readonly lookups: Map<string, string>;
  private readonly after: readonly string[];
  private readonly checks: ConstructChecks;
  private readonly tags?: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: KeyVaultSecretsProps) {
    super(scope, id);
    requireProps(this, props);
    this.keyVaultId = props.keyVaultId;
    this.vaultName = props.vaultName;
    this.checks = new ConstructChecks(this);
    this.checks.record('tags', props.tags, RULES.azureTagKey, RULES.azureTagValue);
    this.tags = props.tags;
    if (props.keyVaultId !== undefined) this.checks.rule('keyVaultId', props.keyVaultId, RULES.keyVaultId);
    // One variable per stack and set name: sets with their own resourceName take their own first
    // values (`<resourceName>_values`), so that one secret name in two vaults gets two values.
    const stack = TerraformStack.of(this);
    const variable = props.resourceName ? `${props.resourceName}_values` : 'secret_values';
    let byName = valueVariables.get(stack);
    if (!byName) valueVariables.set(stack, (byName = new Map()));
    let values = byName.get(variable);
    if (!values) {
      values = new TerraformVariable(this, 'Values', {
        type: 'map(string)',
        default: {},
        sensitive: true,
        description: 'First values of new secrets, by secret name; ephemeral, never stored. Every secret that does not exist yet needs one.',
      });
      fixedName(values, variable, 'variable');
      values.addOverride('ephemeral', true);
      byName.set(variable, values);
    }
    this.values = values;
    const lifecycle: BlockLifecycle = { ignore_changes: KEY_VAULT_SECRET_IGNORED };
    const own = props.resourceName;
    const prefixes = {
      secrets: own ?? COLLECTIONS.azureSecrets,
      adopted: own ? `adopted_${own}` : COLLECTIONS.azureAdoptedSecrets,
      existing: own ? `existing_${own}` : COLLECTIONS.azureExistingSecrets,
      readers: own ? `${own}_readers` : COLLECTIONS.azureReaders,
    };
    this.secrets = new ResourceBlocks(this, 'Resource', {
      type: 'azurerm_key_vault_secret',
      prefix: prefixes.secrets,
      dependsOn: props.after,
      movedFrom: prefixes.secrets,
      lifecycle,
    });
    this.adopted = new ResourceBlocks(this, 'Adopted', {
      type: 'azurerm_key_vault_secret',
      prefix: prefixes.adopted,
      lifecycle: { ...lifecycle, prevent_destroy: true },
    });
    // Read at plan time, with the access the deployer has already (an import id must be known
    // then): the versioned id the provider's import needs.
    this.adoptedIds = new ResourceBlocks(this, 'AdoptedIds', { type: 'azurerm_key_vault_secret', prefix: prefixes.adopted, data: true });
    // What a vault holds is read at plan time where it can be: in a vault that exists (adopted, or
    // another stack's), with the access the deployer has; in a vault this stack creates, after the
    // deployer's access to it (at apply, the first time).
    this.existing = new ResourceBlocks(this, 'Existing', { type: 'azurerm_key_vault_secrets', prefix: prefixes.existing, data: true });
    let byPrefix = vaultLookups.get(stack);
    if (!byPrefix) vaultLookups.set(stack, (byPrefix = new Map()));
    let lookups = byPrefix.get(prefixes.existing);
    if (!lookups) byPrefix.set(prefixes.existing, (lookups = new Map()));
    this.lookups = lookups;
    this.after = (props.after ?? []).map(dependableAddress);
    this.readers = new ResourceBlocks(this, 'Readers', {
      type: 'azurerm_role_assignment',
      prefix: prefixes.readers,
      movedFrom: prefixes.readers,
    });
    if (props.secrets !== undefined && !Array.isArray(props.secrets)) throw new Error(`${this.node.path}: secrets ${JSON.stringify(props.secrets)} is not a list of secrets ({ name, tags?, adopt?, ... })`);
    for (const s of props.secrets ?? []) this.addSecret(s);
  }

  /** Adds a secret; returns its handle. */
  public addSecret(spec: KeyVaultSecretSpec): KeyVaultSecretHandle {
    requireLiteral(`${this.node.path}: addSecret`, 'name', spec?.name);
    if (this.specs.has(spec.name)) throw new Error(`${this.node.path}: secret ${spec.name} is already declared`);
    const keyVaultId = spec.keyVaultId ?? this.keyVaultId;
    if (keyVaultId === undefined) throw new Error(`${this.node.path}: secret ${spec.name} names no vault, and the construct has no keyVaultId`);
    const at = `secrets[${JSON.stringify(spec.name)}]`;
    this.checks.rule(`${at}.name`, spec.name, RULES.keyVaultSecretName);
    this.checks.record(`${at}.tags`, spec.tags, RULES.azureTagKey, RULES.azureTagValue);
    const vault = spec.vaultName ?? this.vaultName ?? keyVaultId;
    // The vault's lookup block is named after it.
    if (spec.vaultName === undefined && this.vaultName === undefined && isExpression(keyVaultId)) {
      throw new Error(`${this.node.path}: addSecret(${JSON.stringify(spec.name)}): vaultName is required when keyVaultId is known only at apply (the vault's lookup block is named after it)`);
    }
    requireLiteral(`${this.node.path}: addSecret(${JSON.stringify(spec.name)})`, 'vaultName', vault);
    // Key Vault compares secret names without case.
    claimObject(this, 'Key Vault secret', `${vault}/${spec.name.toLowerCase()}`, spec.name);
    this.specs.set(spec.name, spec);
    const tags = sortedRecord(this.tags || spec.tags ? { ...this.tags, ...spec.tags } : undefined);
    if (spec.adopt) {
      if (!spec.existingKeyVaultId) throw new Error(`${this.node.path}: adopted secret ${spec.name} needs existingKeyVaultId, the literal id of its vault`);
      this.adoptedIds.add(spec.name, { name: spec.name, key_vault_id: spec.existingKeyVaultId });
      // The write-only value is required by the provider but never sent: its version never changes.
      this.adopted.add(
        spec.name,
        { name: spec.name, key_vault_id: keyVaultId, tags, value_wo: this.valueOf(spec.name), value_wo_version: 1 },
        { importId: this.adoptedIds.ref(spec.name, 'id') },
      );
      return this.handleOf(spec.name);
    }
    // One lookup per vault and stack, shared by the sets that write to that vault.
    let holds = this.lookups.get(vault);
    if (holds === undefined) {
      if (spec.existingKeyVaultId) this.existing.add(vault, { key_vault_id: spec.existingKeyVaultId });
      else this.existing.add(vault, { key_vault_id: keyVaultId }, { dependsOn: this.after });
      this.lookups.set(vault, (holds = this.existing.ref(vault, 'names').slice(2, -1)));
    }
    const name = JSON.stringify(spec.name);
    this.secrets.add(
      spec.name,
      { name: spec.name, key_vault_id: keyVaultId, tags, value_wo: this.valueOf(spec.name), value_wo_version: 1 },
      {
        lifecycle: {
          ignore_changes: KEY_VAULT_SECRET_IGNORED,
          ...(spec.deletionProtection === false ? {} : { prevent_destroy: true }),
          precondition: [
            {
              condition: `\${try(length(var.${this.values.friendlyUniqueId}[${name}]), 0) > 0 || contains(${holds}, ${name})}`,
              error_message:
                `Key Vault secret ${spec.name} does not exist yet and has no first value: it is created only from one, so that no pod ever reads a placeholder. ` +
                `Give it at this apply, e.g. TF_VAR_${this.values.friendlyUniqueId}='{${name}:"..."}' (ephemeral: stored nowhere), or create it in vault ${vault} first and declare adopt: true on its key.`,
            },
          ],
        },
      },
    );
    return this.handleOf(spec.name);
  }

  /** The handle of a secret of the set. */
  public secret(secretName: string): KeyVaultSecretHandle {
    if (!this.specs.has(secretName)) throw new Error(`${this.node.path}: ${secretName} is not a secret of this set`);
    return this.handleOf(secretName);
  }

  private handleOf(name: string): KeyVaultSecretHandle {
    return { name, address: this.blocksOf(name).addressOf(name), scope: this.scopeOf(name), id: this.blocksOf(name).ref(name, 'id'), grantRead: (reader, options) => this.grantRead(name, reader, options) };
  }

  /** Secret names in the set, sorted. */
  public get secretNames(): string[] {
    return [...this.specs.keys()].sort();
  }

  private valueOf(secretName: string): string {
    return `\${lookup(var.${this.values.friendlyUniqueId}, ${JSON.stringify(secretName)}, "")}`;
  }

  /** The block holding a secret: created or adopted. */
  private blocksOf(secretName: string): ResourceBlocks<KeyVaultSecretConfig> {
    return this.specs.get(secretName)?.adopt ? this.adopted : this.secrets;
  }

  /** Terraform expression of the versionless resource id of a secret (the scope of its grants). */
  public scopeOf(secretName: string): string {
    if (!this.specs.has(secretName)) throw new Error(`${this.node.path}: ${secretName} is not a secret of this set`);
    return this.blocksOf(secretName).ref(secretName, 'resource_versionless_id');
  }

  /**
   * Assigns "Key Vault Secrets User" on one secret (its versionless id: the secret's own scope,
   * never the vault's) to one principal.
   *
   * @param reader the identity (`identities.identity("billing")`), or the principal's object id as a
   *   literal; an id known only at apply needs `options.key`
   */
  public grantRead(secretName: string, reader: IKeyVaultReader | string, options: KeyVaultGrantOptions = {}): KeyVaultSecretGrant {
    if (!this.specs.has(secretName)) throw new Error(`${this.node.path}: cannot grant read on ${secretName}: it is not a secret of this vault`);
    const k = grantKey(`${this.node.path}: grantRead(${JSON.stringify(secretName)})`, secretName, reader, options.key, 'identities.identity("billing"), or { readerKey, principalId }');
    const principalId = typeof reader === 'string' ? reader : reader.principalId;
    this.checks.rule(() => `grantRead(${JSON.stringify(secretName)}) principal id`, principalId, RULES.objectId);
    const existing = this.grants.get(k);
    if (existing) {
      if (existing.secretName !== secretName || existing.principalId !== principalId) {
        throw new Error(`${this.node.path}: grant key ${k} is already used for ${existing.principalId} on ${existing.secretName}`);
      }
      return existing;
    }
    claimObject(this, 'role assignment', `${KEY_VAULT_SECRETS_USER_ROLE} on ${this.scopeOf(secretName)} for ${principalId}`, k);
    const g = { key: k, secretName, principalId, role: KEY_VAULT_SECRETS_USER_ROLE };
    this.grants.set(k, g);
    this.readers.add(k, {
      scope: this.scopeOf(secretName),
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
