import { Construct } from 'constructs';
import type { UserAssignedIdentityConfig } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import type { FederatedIdentityCredentialConfig } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { ResourceBlocks } from '../terraform/resource-blocks';
import { COLLECTIONS } from '../terraform/addresses';
import { WORKLOAD_IDENTITY_AUDIENCE } from '../plan/azure-plan';
import { ConstructChecks, requireLiteral, requireProps } from '../terraform/construct-checks';
import { RULES } from '../declaration/rules';
import { claimObject } from '../terraform/address-claims';
import type { IKeyVaultReader } from './key-vault-reader';

export { WORKLOAD_IDENTITY_AUDIENCE };

export interface WorkloadIdentitySpec {
  /** Key of the identity (the service name). */
  readonly key: string;
  readonly name: string;
}

export interface FederationSpec {
  /** Key of the credential (`service/cluster`). */
  readonly key: string;
  /** Key of the identity it federates. */
  readonly identity: string;
  readonly name: string;
  /** OIDC issuer URL of the cluster, or a Terraform expression giving it. */
  readonly issuer: string;
  /** `system:serviceaccount:NAMESPACE:NAME`. */
  readonly subject: string;
}

export interface WorkloadIdentitiesProps {
  readonly location: string;
  readonly resourceGroupName: string;
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Block name prefix of the identities (`azurerm_user_assigned_identity.<resourceName>_<key>`);
   * credentials are `<resourceName>_federated_credentials_<key>` unless the default is kept.
   * @default "identities" (and "federated_credentials")
   */
  readonly resourceName?: string;
}

/** One identity of the set: a reader of Key Vault secrets, keyed by its key. */
export interface WorkloadIdentity extends IKeyVaultReader {
  /** Terraform expression of its client id (the workload's `azure.workload.identity/client-id`). */
  readonly clientId: string;
  /** Address of its block. */
  readonly address: string;
}

/**
 * User-assigned managed identities (one per service, `azurerm_user_assigned_identity.identities_<key>`)
 * and their federated identity credentials (one per cluster and Kubernetes service account,
 * `azurerm_federated_identity_credential.federated_credentials_<service>__<cluster>`). Nothing is
 * copied by hand: clients read the ids from these blocks.
 */
export class WorkloadIdentities extends Construct {
  public readonly identities: ResourceBlocks<UserAssignedIdentityConfig>;
  public readonly credentials: ResourceBlocks<FederatedIdentityCredentialConfig>;
  private readonly props: WorkloadIdentitiesProps;
  private readonly checks: ConstructChecks;

  constructor(scope: Construct, id: string, props: WorkloadIdentitiesProps) {
    super(scope, id);
    requireProps(this, props);
    this.props = props;
    this.checks = new ConstructChecks(this);
    this.checks.rule('location', props.location, RULES.azureLocation);
    this.checks.rule('resourceGroupName', props.resourceGroupName, RULES.azureResourceGroup);
    this.checks.record('tags', props.tags, RULES.azureTagKey, RULES.azureTagValue);
    const identities = props.resourceName ?? COLLECTIONS.azureIdentities;
    const federations = props.resourceName ? `${props.resourceName}_${COLLECTIONS.azureFederations}` : COLLECTIONS.azureFederations;
    this.identities = new ResourceBlocks(this, 'Resource', {
      type: 'azurerm_user_assigned_identity',
      prefix: identities,
      movedFrom: identities,
    });
    this.credentials = new ResourceBlocks(this, 'Federation', {
      type: 'azurerm_federated_identity_credential',
      prefix: federations,
      movedFrom: federations,
    });
  }

  /** Adds an identity; returns it, a reader for `KeyVaultSecrets.grantRead`. */
  public addIdentity(spec: WorkloadIdentitySpec): WorkloadIdentity {
    requireLiteral(`${this.node.path}: addIdentity`, 'key', spec?.key);
    if (this.identities.has(spec.key)) throw new Error(`${this.node.path}: identity ${spec.key} is already declared`);
    this.checks.rule(`identities[${JSON.stringify(spec.key)}].name`, spec.name, RULES.managedIdentityName);
    claimObject(this, 'managed identity', `${this.props.resourceGroupName}/${spec.name}`.toLowerCase(), spec.key);
    this.identities.add(spec.key, {
      name: spec.name,
      location: this.props.location,
      resource_group_name: this.props.resourceGroupName,
      ...(this.props.tags ? { tags: { ...this.props.tags } } : {}),
    });
    return this.identity(spec.key);
  }

  /** The identity declared under `key`. */
  public identity(key: string): WorkloadIdentity {
    if (!this.identities.has(key)) throw new Error(`${this.node.path}: no identity ${key}`);
    return { readerKey: key, principalId: this.principalIdOf(key), clientId: this.clientIdOf(key), address: this.identities.addressOf(key) };
  }

  public federate(spec: FederationSpec): void {
    requireLiteral(`${this.node.path}: federate`, 'key', spec?.key);
    if (!this.identities.has(spec.identity)) throw new Error(`${this.node.path}: no identity ${spec.identity} to federate`);
    if (this.credentials.has(spec.key)) throw new Error(`${this.node.path}: federation ${spec.key} is already declared`);
    const at = `federations[${JSON.stringify(spec.key)}]`;
    this.checks.rule(`${at}.name`, spec.name, RULES.federatedCredentialName);
    this.checks.rule(`${at}.issuer`, spec.issuer, RULES.oidcIssuer);
    this.checks.rule(`${at}.subject`, spec.subject, RULES.kubernetesSubject);
    this.credentials.add(spec.key, {
      name: spec.name,
      resource_group_name: this.props.resourceGroupName,
      parent_id: this.identities.ref(spec.identity, 'id'),
      issuer: spec.issuer,
      subject: spec.subject,
      audience: [WORKLOAD_IDENTITY_AUDIENCE],
    });
  }

  /** Terraform expression of an identity's principal (object) id, for role assignments. */
  public principalIdOf(key: string): string {
    if (!this.identities.has(key)) throw new Error(`${this.node.path}: no identity ${key}`);
    return this.identities.ref(key, 'principal_id');
  }

  /** Terraform expression of an identity's client id. */
  public clientIdOf(key: string): string {
    if (!this.identities.has(key)) throw new Error(`${this.node.path}: no identity ${key}`);
    return this.identities.ref(key, 'client_id');
  }
}
