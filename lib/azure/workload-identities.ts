import { Construct } from 'constructs';
import type { UserAssignedIdentityConfig } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import type { FederatedIdentityCredentialConfig } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { ResourceBlocks } from '../terraform/resource-blocks';
import { COLLECTIONS } from '../terraform/addresses';
import { WORKLOAD_IDENTITY_AUDIENCE } from '../plan/azure-plan';

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

  constructor(scope: Construct, id: string, props: WorkloadIdentitiesProps) {
    super(scope, id);
    this.props = props;
    this.identities = new ResourceBlocks(this, 'Resource', {
      type: 'azurerm_user_assigned_identity',
      prefix: COLLECTIONS.azureIdentities,
      movedFrom: COLLECTIONS.azureIdentities,
    });
    this.credentials = new ResourceBlocks(this, 'Federation', {
      type: 'azurerm_federated_identity_credential',
      prefix: COLLECTIONS.azureFederations,
      movedFrom: COLLECTIONS.azureFederations,
    });
  }

  public addIdentity(spec: WorkloadIdentitySpec): void {
    if (this.identities.has(spec.key)) throw new Error(`${this.node.path}: identity ${spec.key} is already declared`);
    this.identities.add(spec.key, {
      name: spec.name,
      location: this.props.location,
      resource_group_name: this.props.resourceGroupName,
      ...(this.props.tags ? { tags: { ...this.props.tags } } : {}),
    });
  }

  public federate(spec: FederationSpec): void {
    if (!this.identities.has(spec.identity)) throw new Error(`${this.node.path}: no identity ${spec.identity} to federate`);
    if (this.credentials.has(spec.key)) throw new Error(`${this.node.path}: federation ${spec.key} is already declared`);
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
