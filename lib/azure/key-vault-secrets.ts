import { TerraformVariable, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { createHash } from 'node:crypto';
import { forEachMap, lookupLocal } from '../terraform/for-each-map';

/** Stable, readable key of a principal (an object id, or the expression giving it). */
function principalKey(principal: string): string {
  const identity = /^\$\{(?:data\.)?azurerm_user_assigned_identity\.(?:identities|readers)\["([^"]+)"\]\.principal_id\}$/.exec(principal)?.[1];
  if (identity) return identity;
  const addon = /^\$\{data\.azurerm_kubernetes_cluster\.clusters\["([^"]+)"\]\.key_vault_secrets_provider/.exec(principal)?.[1];
  if (addon) return `aks-addon:${addon}`;
  return /^[0-9a-f-]{36}$/i.test(principal) ? principal.toLowerCase() : `p${createHash('sha256').update(principal).digest('hex').slice(0, 12)}`;
}

/** Built-in role that reads secret contents. */
export const KEY_VAULT_SECRETS_USER_ROLE = 'Key Vault Secrets User';

export interface KeyVaultSecretSpec {
  readonly name: string;
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
  /** Id of the vault (a Terraform reference). */
  readonly keyVaultId: string;
  /** What the secrets wait for (the deployer's access to the vault). @default - nothing */
  readonly after?: ITerraformDependable[];
  /** @default - none; add them with addSecret */
  readonly secrets?: readonly KeyVaultSecretSpec[];
}

/**
 * Key Vault secrets as one `for_each` resource keyed by name
 * (`azurerm_key_vault_secret.secrets["service-a--FOO-PASSWORD"]`), and read access per secret.
 *
 * No value ever reaches the configuration or the state: each secret is created through the
 * write-only `value_wo` from the ephemeral variable `secret_values` (empty when not given), with a
 * constant `value_wo_version`, so Terraform writes the first version once and never overwrites a
 * value added later out of band.
 */
export class KeyVaultSecrets extends Construct {
  public readonly resource: KeyVaultSecret;
  public readonly readers: RoleAssignment;
  public readonly values: TerraformVariable;
  private readonly specs = new Map<string, KeyVaultSecretSpec>();
  private readonly grants = new Map<string, KeyVaultSecretGrant>();

  constructor(scope: Construct, id: string, props: KeyVaultSecretsProps) {
    super(scope, id);
    for (const s of props.secrets ?? []) this.addSecret(s);
    this.values = new TerraformVariable(this, 'Values', {
      type: 'map(string)',
      default: {},
      sensitive: true,
      description: 'First values of secrets, by secret name; ephemeral, never stored. Leave empty to add values out of band.',
    });
    this.values.overrideLogicalId('secret_values');
    this.values.addOverride('ephemeral', true);
    const secrets = forEachMap(this, 'secrets', () => {
      const out: Record<string, unknown> = {};
      for (const [name, s] of this.specs) out[name] = { name, tags: sortedTags(s.tags) };
      return out;
    }, () => this.specs.size);
    this.resource = new KeyVaultSecret(this, 'Resource', {
      forEach: secrets,
      name: secrets.getString('name'),
      keyVaultId: props.keyVaultId,
      tags: secrets.getStringMap('tags'),
      valueWo: `\${lookup(var.secret_values, each.key, "")}`,
      valueWoVersion: 1,
      dependsOn: props.after,
    });
    this.resource.overrideLogicalId('secrets');
    // Principals are named by key in the (large) map, and resolved through a small inline local.
    const principals = lookupLocal(this, 'secret_reader_principals', () =>
      Object.fromEntries([...this.grants.values()].map((g) => [principalKey(g.principalId), g.principalId])),
    );
    const readers = forEachMap(this, 'secret_readers', () => {
      const out: Record<string, unknown> = {};
      for (const [k, g] of this.grants) out[k] = { secret: g.secretName, principal: principalKey(g.principalId) };
      return out;
    }, () => this.grants.size);
    this.readers = new RoleAssignment(this, 'Readers', {
      forEach: readers,
      scope: '${azurerm_key_vault_secret.secrets[each.value.secret].resource_versionless_id}',
      principalId: `\${local.${principals}[each.value.principal]}`,
      roleDefinitionName: KEY_VAULT_SECRETS_USER_ROLE,
      principalType: 'ServicePrincipal',
    });
    this.readers.overrideLogicalId('secret_readers');
  }

  public addSecret(spec: KeyVaultSecretSpec): void {
    if (this.specs.has(spec.name)) throw new Error(`${this.node.path}: secret ${spec.name} is already in the vault`);
    this.specs.set(spec.name, spec);
  }

  /**
   * Assigns "Key Vault Secrets User" on one secret (its versionless id: the secret's own scope,
   * never the vault's) to one principal.
   *
   * @param principalId object id of the principal, or a Terraform expression giving it
   * @param key for_each key of the assignment @default "<principalId>/<secretName>"
   */
  public grantRead(secretName: string, principalId: string, key?: string): KeyVaultSecretGrant {
    if (!this.specs.has(secretName)) throw new Error(`${this.node.path}: cannot grant read on ${secretName}: it is not a secret of this vault`);
    const k = key ?? `${principalId}/${secretName}`;
    const existing = this.grants.get(k);
    if (existing && (existing.secretName !== secretName || existing.principalId !== principalId)) {
      throw new Error(`${this.node.path}: grant key ${k} is already used for ${existing.principalId} on ${existing.secretName}`);
    }
    const g = { key: k, secretName, principalId, role: KEY_VAULT_SECRETS_USER_ROLE };
    this.grants.set(k, g);
    return g;
  }

  /** Every grant, sorted by key. */
  public get allGrants(): KeyVaultSecretGrant[] {
    return [...this.grants.keys()].sort().map((k) => this.grants.get(k)!);
  }
}

function sortedTags(tags: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(tags ?? {}).sort()) out[k] = tags![k];
  return out;
}
