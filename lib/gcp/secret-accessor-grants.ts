import type { ITerraformDependable } from 'cdktf';
import { forEachMap } from '../terraform/for-each-map';
import { Construct } from 'constructs';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';

/** The role every grant gives: read a secret's versions, nothing more. */
export const SECRET_ACCESSOR_ROLE = 'roles/secretmanager.secretAccessor';

/** One grant: read access on one secret for one member. */
export interface SecretGrant {
  /** for_each key of the grant. */
  readonly key: string;
  readonly secretId: string;
  readonly member: string;
  readonly role: string;
}

export interface SecretAccessorGrantsProps {
  readonly project: string;
  /** What the grants must wait for (the secrets, the service accounts). @default - nothing */
  readonly after?: ITerraformDependable[];
  /** Terraform address (`google_secret_manager_secret_iam_member.<name>`). @default "secret_accessors" */
  readonly resourceName?: string;
}

/**
 * Secret-level, non-authoritative accessor grants as one `for_each` resource keyed by grant key.
 * Never a project-level grant, never an `_iam_binding` or `_iam_policy` that would replace grants
 * made elsewhere.
 */
export class SecretAccessorGrants extends Construct {
  public readonly resource: SecretManagerSecretIamMember;
  private readonly grants = new Map<string, SecretGrant>();

  constructor(scope: Construct, id: string, props: SecretAccessorGrantsProps) {
    super(scope, id);
    const each = forEachMap(this, props.resourceName ?? 'secret_accessors', () => this.forEachMap(), () => this.grants.size);
    this.resource = new SecretManagerSecretIamMember(this, 'Resource', {
      forEach: each,
      project: props.project,
      secretId: each.getString('secret_id'),
      member: each.getString('member'),
      role: SECRET_ACCESSOR_ROLE,
      dependsOn: props.after,
    });
    this.resource.overrideLogicalId(props.resourceName ?? 'secret_accessors');
  }

  public add(grant: { key: string; secretId: string; member: string }): SecretGrant {
    const existing = this.grants.get(grant.key);
    if (existing && (existing.secretId !== grant.secretId || existing.member !== grant.member)) {
      throw new Error(`${this.node.path}: grant key ${grant.key} is already used for ${existing.member} on ${existing.secretId}`);
    }
    const g: SecretGrant = { ...grant, role: SECRET_ACCESSOR_ROLE };
    this.grants.set(grant.key, g);
    return g;
  }

  /** Every grant, sorted by key. */
  public get all(): SecretGrant[] {
    return [...this.grants.keys()].sort().map((k) => this.grants.get(k)!);
  }

  private forEachMap(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const g of this.all) out[g.key] = { secret_id: g.secretId, member: g.member };
    return out;
  }
}
