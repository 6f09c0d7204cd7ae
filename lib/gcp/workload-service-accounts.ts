import { forEachMap } from '../terraform/for-each-map';
import { Construct } from 'constructs';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';

/** The role that lets a Kubernetes service account act as a Google service account. */
export const WORKLOAD_IDENTITY_USER_ROLE = 'roles/iam.workloadIdentityUser';

/** A Google service account impersonated by one Kubernetes service account. */
export interface WorkloadServiceAccountSpec {
  /** for_each key (the service name). */
  readonly key: string;
  readonly accountId: string;
  /** `serviceAccount:PROJECT.svc.id.goog[NAMESPACE/KSA]`. */
  readonly workloadIdentityUser: string;
  /** @default - the key */
  readonly displayName?: string;
}

export interface WorkloadServiceAccountsProps {
  readonly project: string;
  /** @default - none; add them with addAccount */
  readonly accounts?: readonly WorkloadServiceAccountSpec[];
}

/**
 * The older GKE Workload Identity pattern: one Google service account per service, and
 * `roles/iam.workloadIdentityUser` on that account (and nothing else) for the service's Kubernetes
 * service account. Both resources are `for_each` maps keyed by service.
 */
export class WorkloadServiceAccounts extends Construct {
  public readonly resource: ServiceAccount;
  public readonly bindings: ServiceAccountIamMember;
  public readonly project: string;
  private readonly specs = new Map<string, WorkloadServiceAccountSpec>();

  constructor(scope: Construct, id: string, props: WorkloadServiceAccountsProps) {
    super(scope, id);
    this.project = props.project;
    for (const a of props.accounts ?? []) this.addAccount(a);
    const accounts = forEachMap(this, 'service_accounts', () => this.map((s) => ({ account_id: s.accountId, display_name: s.displayName ?? s.key })));
    this.resource = new ServiceAccount(this, 'Resource', {
      forEach: accounts,
      project: props.project,
      accountId: accounts.getString('account_id'),
      displayName: accounts.getString('display_name'),
      description: 'Reads this service\'s secrets through External Secrets (managed by secret-wiring)',
    });
    this.resource.overrideLogicalId('service_accounts');
    const users = forEachMap(this, 'workload_identity_users', () => this.map((s) => ({ service_account_id: `projects/${this.project}/serviceAccounts/${this.emailOf(s.key)}`, member: s.workloadIdentityUser })));
    this.bindings = new ServiceAccountIamMember(this, 'WorkloadIdentityUsers', {
      forEach: users,
      serviceAccountId: users.getString('service_account_id'),
      role: WORKLOAD_IDENTITY_USER_ROLE,
      member: users.getString('member'),
      dependsOn: [this.resource],
    });
    this.bindings.overrideLogicalId('workload_identity_users');
  }

  public addAccount(spec: WorkloadServiceAccountSpec): void {
    if (this.specs.has(spec.key)) throw new Error(`${this.node.path}: account ${spec.key} is already declared`);
    this.specs.set(spec.key, spec);
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

  private map(f: (s: WorkloadServiceAccountSpec) => Record<string, string>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of [...this.specs.keys()].sort()) out[k] = f(this.specs.get(k)!);
    return out;
  }
}
