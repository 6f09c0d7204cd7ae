import { Construct } from 'constructs';
import type { ServiceAccountConfig } from '@cdktf/provider-google/lib/service-account';
import type { ServiceAccountIamMemberConfig } from '@cdktf/provider-google/lib/service-account-iam-member';
import { ResourceBlocks } from '../terraform/resource-blocks';
import { COLLECTIONS } from '../terraform/addresses';

/** The role that lets a Kubernetes service account act as a Google service account. */
export const WORKLOAD_IDENTITY_USER_ROLE = 'roles/iam.workloadIdentityUser';

/** A Google service account impersonated by one Kubernetes service account. */
export interface WorkloadServiceAccountSpec {
  /** Key of the account (the service name). */
  readonly key: string;
  readonly accountId: string;
  /** `serviceAccount:PROJECT.svc.id.goog[NAMESPACE/KSA]`. */
  readonly workloadIdentityUser: string;
  /** @default - the key */
  readonly displayName?: string;
  /**
   * The account and its workloadIdentityUser binding exist (made by a binding script): both are
   * imported; the account keeps its display name and description, and Terraform never destroys it.
   * @default false
   */
  readonly adopt?: boolean;
}

export interface WorkloadServiceAccountsProps {
  readonly project: string;
  /** @default - none; add them with addAccount */
  readonly accounts?: readonly WorkloadServiceAccountSpec[];
}

/**
 * The older GKE Workload Identity pattern: one Google service account per service
 * (`google_service_account.service_accounts_<key>`), and `roles/iam.workloadIdentityUser` on that
 * account (and nothing else) for the service's Kubernetes service account
 * (`google_service_account_iam_member.workload_identity_users_<key>`).
 */
export class WorkloadServiceAccounts extends Construct {
  public readonly accounts: ResourceBlocks<ServiceAccountConfig>;
  public readonly bindings: ResourceBlocks<ServiceAccountIamMemberConfig>;
  public readonly project: string;
  private readonly specs = new Map<string, WorkloadServiceAccountSpec>();

  constructor(scope: Construct, id: string, props: WorkloadServiceAccountsProps) {
    super(scope, id);
    this.project = props.project;
    this.accounts = new ResourceBlocks(this, 'Resource', {
      type: 'google_service_account',
      prefix: COLLECTIONS.gcpServiceAccounts,
      movedFrom: COLLECTIONS.gcpServiceAccounts,
    });
    this.bindings = new ResourceBlocks(this, 'WorkloadIdentityUsers', {
      type: 'google_service_account_iam_member',
      prefix: COLLECTIONS.gcpWorkloadIdentityUsers,
      movedFrom: COLLECTIONS.gcpWorkloadIdentityUsers,
    });
    for (const a of props.accounts ?? []) this.addAccount(a);
  }

  public addAccount(spec: WorkloadServiceAccountSpec): void {
    if (this.specs.has(spec.key)) throw new Error(`${this.node.path}: account ${spec.key} is already declared`);
    this.specs.set(spec.key, spec);
    const accountName = `projects/${this.project}/serviceAccounts/${this.emailOf(spec.key)}`;
    this.accounts.add(
      spec.key,
      {
        project: this.project,
        account_id: spec.accountId,
        display_name: spec.displayName ?? spec.key,
        description: "Reads this service's secrets through External Secrets (managed by secret-wiring)",
      },
      spec.adopt ? { importId: accountName, lifecycle: { prevent_destroy: true, ignore_changes: ['display_name', 'description'] } } : {},
    );
    // The binding waits for its own account and no other.
    this.bindings.add(
      spec.key,
      { service_account_id: accountName, role: WORKLOAD_IDENTITY_USER_ROLE, member: spec.workloadIdentityUser },
      { dependsOn: [this.accounts.addressOf(spec.key)], ...(spec.adopt ? { importId: `${accountName} ${WORKLOAD_IDENTITY_USER_ROLE} ${spec.workloadIdentityUser}` } : {}) },
    );
  }

  /** Email of the account declared under `key`. */
  public emailOf(key: string): string {
    const s = this.specs.get(key);
    if (!s) throw new Error(`${this.node.path}: no account ${key}`);
    return `${s.accountId}@${this.project}.iam.gserviceaccount.com`;
  }

  /** IAM member of the account declared under `key`, for grants. */
  public memberOf(key: string): string {
    return `serviceAccount:${this.emailOf(key)}`;
  }

  /** Address of the account's block, for what must wait for it. */
  public addressOf(key: string): string {
    if (!this.specs.has(key)) throw new Error(`${this.node.path}: no account ${key}`);
    return this.accounts.addressOf(key);
  }
}
