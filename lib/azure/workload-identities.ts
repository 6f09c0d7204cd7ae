import { Construct } from 'constructs';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { createHash } from 'node:crypto';
import { forEachMap, lookupLocal } from '../terraform/for-each-map';

/** Stable key of an issuer (a URL or the expression giving it). */
function issuerKey(issuer: string): string {
  const cluster = /clusters\["([^"]+)"\]/.exec(issuer)?.[1];
  return cluster ?? `i${createHash('sha256').update(issuer).digest('hex').slice(0, 12)}`;
}

export const WORKLOAD_IDENTITY_AUDIENCE = 'api://AzureADTokenExchange';

export interface WorkloadIdentitySpec {
  /** for_each key (the service name). */
  readonly key: string;
  readonly name: string;
}

export interface FederationSpec {
  /** for_each key (`service/cluster`). */
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
 * User-assigned managed identities (one per service) and their federated identity credentials
 * (one per cluster and Kubernetes service account), as two `for_each` resources. Nothing is
 * copied by hand: clients read the ids from these resources.
 */
export class WorkloadIdentities extends Construct {
  public readonly identities: UserAssignedIdentity;
  public readonly credentials: FederatedIdentityCredential;
  private readonly specs = new Map<string, WorkloadIdentitySpec>();
  private readonly federations = new Map<string, FederationSpec>();

  constructor(scope: Construct, id: string, props: WorkloadIdentitiesProps) {
    super(scope, id);
    const ids = forEachMap(this, 'identities', () => Object.fromEntries([...this.specs].map(([k, s]) => [k, { name: s.name }])), () => this.specs.size);
    this.identities = new UserAssignedIdentity(this, 'Resource', {
      forEach: ids,
      name: ids.getString('name'),
      location: props.location,
      resourceGroupName: props.resourceGroupName,
      tags: props.tags ? { ...props.tags } : undefined,
    });
    this.identities.overrideLogicalId('identities');
    // Issuers (one per cluster) are named by key in the map, resolved through a small inline local.
    const issuers = lookupLocal(this, 'federation_issuers', () => Object.fromEntries([...this.federations.values()].map((f) => [issuerKey(f.issuer), f.issuer])));
    const feds = forEachMap(
      this,
      'federated_credentials',
      () => Object.fromEntries([...this.federations].map(([k, f]) => [k, { name: f.name, subject: f.subject, identity: f.identity, issuer: issuerKey(f.issuer) }])),
      () => this.federations.size,
    );
    this.credentials = new FederatedIdentityCredential(this, 'Federation', {
      forEach: feds,
      name: feds.getString('name'),
      resourceGroupName: props.resourceGroupName,
      parentId: '${azurerm_user_assigned_identity.identities[each.value.identity].id}',
      issuer: `\${local.${issuers}[each.value.issuer]}`,
      subject: feds.getString('subject'),
      audience: [WORKLOAD_IDENTITY_AUDIENCE],
    });
    this.credentials.overrideLogicalId('federated_credentials');
  }

  public addIdentity(spec: WorkloadIdentitySpec): void {
    if (this.specs.has(spec.key)) throw new Error(`${this.node.path}: identity ${spec.key} is already declared`);
    this.specs.set(spec.key, spec);
  }

  public federate(spec: FederationSpec): void {
    if (!this.specs.has(spec.identity)) throw new Error(`${this.node.path}: no identity ${spec.identity} to federate`);
    if (this.federations.has(spec.key)) throw new Error(`${this.node.path}: federation ${spec.key} is already declared`);
    this.federations.set(spec.key, spec);
  }

  /** Terraform expression of an identity's principal (object) id, for role assignments. */
  public principalIdOf(key: string): string {
    if (!this.specs.has(key)) throw new Error(`${this.node.path}: no identity ${key}`);
    return `\${azurerm_user_assigned_identity.identities[${JSON.stringify(key)}].principal_id}`;
  }

  /** Terraform expression of an identity's client id. */
  public clientIdOf(key: string): string {
    if (!this.specs.has(key)) throw new Error(`${this.node.path}: no identity ${key}`);
    return `\${azurerm_user_assigned_identity.identities[${JSON.stringify(key)}].client_id}`;
  }
}
