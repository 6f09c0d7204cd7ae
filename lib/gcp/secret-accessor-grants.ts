import { Construct } from 'constructs';
import type { SecretManagerSecretIamMemberConfig } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { ResourceBlocks } from '../terraform/resource-blocks';
import { COLLECTIONS } from '../terraform/addresses';
import { ConstructChecks, requireLiteral, requireProps } from '../terraform/construct-checks';
import { claimObject } from '../terraform/address-claims';
import { RULES } from '../declaration/rules';

/** The role every grant gives: read a secret's versions, nothing more. */
export const SECRET_ACCESSOR_ROLE = 'roles/secretmanager.secretAccessor';

/** One grant: read access on one secret for one member. */
export interface SecretGrant {
  /** Key of the grant in its collection. */
  readonly key: string;
  readonly secretId: string;
  readonly member: string;
  readonly role: string;
}

export interface SecretAccessorGrantsProps {
  readonly project: string;
  /**
   * Block name prefix (`google_secret_manager_secret_iam_member.<prefix>_<key>`).
   * @default "secret_accessors"
   */
  readonly resourceName?: string;
}

/**
 * Secret-level, non-authoritative accessor grants, one `google_secret_manager_secret_iam_member`
 * block per grant (`secret_accessors_<reader>__<secret id>`). Never a project-level grant, never an
 * `_iam_binding` or `_iam_policy` that would replace grants made elsewhere. Each grant waits for
 * exactly what it names (its secret, its service account), never for a whole collection.
 */
export class SecretAccessorGrants extends Construct {
  public readonly blocks: ResourceBlocks<SecretManagerSecretIamMemberConfig>;
  private readonly project: string;
  private readonly grants = new Map<string, SecretGrant>();
  private readonly checks: ConstructChecks;

  constructor(scope: Construct, id: string, props: SecretAccessorGrantsProps) {
    super(scope, id);
    requireProps(this, props);
    this.project = props.project;
    this.checks = new ConstructChecks(this);
    this.checks.rule('project', props.project, RULES.gcpProjectId);
    const prefix = props.resourceName ?? COLLECTIONS.gcpAccessors;
    this.blocks = new ResourceBlocks(this, 'Resource', {
      type: 'google_secret_manager_secret_iam_member',
      prefix,
      movedFrom: prefix,
    });
  }

  /**
   * Adds a grant; `adopt`: it exists already, and is imported rather than created.
   * @param after addresses the grant waits for (its secret, the service account it names) @default - none
   */
  public add(grant: { key: string; secretId: string; member: string; adopt?: boolean }, after: readonly string[] = []): SecretGrant {
    requireLiteral(`${this.node.path}: add`, 'key', grant?.key);
    requireLiteral(`${this.node.path}: add(${JSON.stringify(grant.key)})`, 'secretId', grant.secretId);
    const existing = this.grants.get(grant.key);
    if (existing) {
      if (existing.secretId !== grant.secretId || existing.member !== grant.member) {
        throw new Error(`${this.node.path}: grant key ${grant.key} is already used for ${existing.member} on ${existing.secretId}`);
      }
      return existing;
    }
    this.checks.rule(`grants[${JSON.stringify(grant.key)}].member`, grant.member, RULES.gcpIamMember);
    this.checks.rule(`grants[${JSON.stringify(grant.key)}].secretId`, grant.secretId, RULES.secretManagerId);
    claimObject(this, 'IAM grant', `projects/${this.project}/secrets/${grant.secretId} ${SECRET_ACCESSOR_ROLE} ${grant.member}`, grant.key);
    const g: SecretGrant = { key: grant.key, secretId: grant.secretId, member: grant.member, role: SECRET_ACCESSOR_ROLE };
    this.grants.set(grant.key, g);
    // An existing grant (a binding script's) is imported under the provider's id for one member.
    const importId = grant.adopt ? `projects/${this.project}/secrets/${grant.secretId} ${SECRET_ACCESSOR_ROLE} ${grant.member}` : undefined;
    this.blocks.add(grant.key, { project: this.project, secret_id: grant.secretId, role: SECRET_ACCESSOR_ROLE, member: grant.member }, { dependsOn: after, ...(importId ? { importId } : {}) });
    return g;
  }

  /** Every grant, sorted by key. */
  public get allGrants(): SecretGrant[] {
    return [...this.grants.keys()].sort().map((k) => this.grants.get(k)!);
  }
}
