import { Construct } from 'constructs';
import type { ServiceAccountConfig } from '@cdktf/provider-google/lib/service-account';
import type { ServiceAccountIamMemberConfig } from '@cdktf/provider-google/lib/service-account-iam-member';
import { ResourceBlocks } from '../terraform/resource-blocks';
import { COLLECTIONS } from '../terraform/addresses';
import { ConstructChecks, requireLiteral, requireProps } from '../terraform/construct-checks';
import { claimObject } from '../terraform/address-claims';
import { RULES } from '../declaration/rules';
import type { ISecretManagerReader } from './secret-manager-reader';

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
  /**
   * Block name prefix of the accounts (`google_service_account.<resourceName>_<key>`); bindings are
   * `<resourceName>_workload_identity_users_<key>` unless the default is kept.
   * @default "service_accounts" (and "workload_identity_users")
   */
  readonly resourceName?: string;
}

/** One account of the set: a reader of Secret Manager secrets, keyed by its key. */
export interface WorkloadServiceAccount extends ISecretManagerReader {
  readonly email: string;
  /** Address of the account's block (grants wait for it). */
  readonly address: string;
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
  private readonly checks: ConstructChecks;

  constructor(scope: Construct, id: string, props: WorkloadServiceAccountsProps) {
    super(scope, id);
    requireProps(this, props);
    this.project = props.project;
    this.checks = new ConstructChecks(this);
    this.checks.rule('project', props.project, RULES.gcpProjectId);
    const accounts = props.resourceName ?? COLLECTIONS.gcpServiceAccounts;
    const bindings = props.resourceName ? `${props.resourceName}_${COLLECTIONS.gcpWorkloadIdentityUsers}` : COLLECTIONS.gcpWorkloadIdentityUsers;
    this.accounts = new ResourceBlocks(this, 'Resource', {
      type: 'google_service_account',
      prefix: accounts,
      movedFrom: accounts,
    });
    this.bindings = new ResourceBlocks(this, 'WorkloadIdentityUsers', {
      type: 'google_service_account_iam_member',
      prefix: bindings,
      movedFrom: bindings,
    });
    for (const a of props.accounts ?? []) this.addAccount(a);
  }

  /** Adds an account and its binding; returns it, a reader for `SecretManagerSecrets.grantRead`. */
  public addAccount(spec: WorkloadServiceAccountSpec): WorkloadServiceAccount {
    requireLiteral(`${this.node.path}: addAccount`, 'key', spec?.key);
    requireLiteral(`${this.node.path}: addAccount(${JSON.stringify(spec.key)})`, 'accountId', spec.accountId);
    if (this.specs.has(spec.key)) throw new Error(`${this.node.path}: account ${spec.key} is already declared`);
    const at = `accounts[${JSON.stringify(spec.key)}]`;
    this.checks.rule(`${at}.accountId`, spec.accountId, RULES.googleServiceAccountId);
    this.checks.rule(`${at}.workloadIdentityUser`, spec.workloadIdentityUser, RULES.workloadIdentityUser);
    claimObject(this, 'Google service account', `${this.project}/${spec.accountId}`, spec.key);
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
    return this.account(spec.key);
  }

  /** The account declared under `key`. */
  public account(key: string): WorkloadServiceAccount {
    const address = this.addressOf(key);
    return { readerKey: key, member: this.memberOf(key), email: this.emailOf(key), address, waitFor: [address] };
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
