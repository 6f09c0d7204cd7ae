/**
 * The cloud limits the product checks before deploy, each with the rule id its findings carry and
 * the page that documents it. Plain data, no cdktf.
 */
export interface CloudLimit {
  /** Rule id of the findings (SW-LIM-00n). */
  readonly rule: string;
  /** What is counted, in a few words. */
  readonly what: string;
  readonly limit: number;
  /** Unit of the figure: per what, over which window. */
  readonly unit: string;
  /** error: a deploy past the limit fails. warning: past it, calls are throttled. */
  readonly severity: 'error' | 'warning';
  /** Where the limit is documented. */
  readonly source: string;
}

/** Azure role assignments per subscription, every scope included; cannot be raised. */
export const ROLE_ASSIGNMENTS: CloudLimit = {
  rule: 'SW-LIM-001',
  what: 'Azure role assignments',
  limit: 4000,
  unit: 'per subscription',
  severity: 'error',
  source: 'https://learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits',
};

/** Federated identity credentials of one user-assigned managed identity (one per cluster here). */
export const FEDERATED_CREDENTIALS: CloudLimit = {
  rule: 'SW-LIM-002',
  what: 'Azure federated identity credentials',
  limit: 20,
  unit: 'per managed identity',
  severity: 'error',
  source: 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations',
};

/** Principals in one IAM allow policy: a Secret Manager secret's accessors. */
export const IAM_POLICY_MEMBERS: CloudLimit = {
  rule: 'SW-LIM-003',
  what: 'principals in a Secret Manager secret\'s IAM policy',
  limit: 1500,
  unit: 'per secret',
  severity: 'error',
  source: 'https://cloud.google.com/iam/quotas',
};

/** Key Vault transactions (secret reads included) per vault and region. */
export const KEY_VAULT_REQUESTS: CloudLimit = {
  rule: 'SW-LIM-004',
  what: 'Key Vault requests',
  limit: 4000,
  unit: 'per vault per 10 s',
  severity: 'warning',
  source: 'https://learn.microsoft.com/azure/key-vault/general/service-limits',
};

/** Secret Manager access requests (secret values read) per project. */
export const SECRET_MANAGER_ACCESS: CloudLimit = {
  rule: 'SW-LIM-005',
  what: 'Secret Manager access requests',
  limit: 90000,
  unit: 'per project per minute',
  severity: 'warning',
  source: 'https://cloud.google.com/secret-manager/quotas',
};

/** Secret Manager read requests (metadata and IAM policies, as a plan's refresh makes) per project. */
export const SECRET_MANAGER_READS: CloudLimit = {
  rule: 'SW-LIM-006',
  what: 'Secret Manager read requests of a plan\'s refresh',
  limit: 600,
  unit: 'per project per minute',
  severity: 'warning',
  source: 'https://cloud.google.com/secret-manager/quotas',
};

/** Azure Resource Manager reads per subscription (token bucket refilled at 25 a second). */
export const ARM_READS: CloudLimit = {
  rule: 'SW-LIM-007',
  what: 'Azure Resource Manager reads of a plan\'s refresh',
  limit: 25,
  unit: 'per subscription per second',
  severity: 'warning',
  source: 'https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling',
};

/** A plan whose refresh takes longer than this many minutes is worth a shard more ("a few minutes"). */
export const REFRESH_MINUTES = 5;

export const CLOUD_LIMITS: readonly CloudLimit[] = [ROLE_ASSIGNMENTS, FEDERATED_CREDENTIALS, IAM_POLICY_MEMBERS, KEY_VAULT_REQUESTS, SECRET_MANAGER_ACCESS, SECRET_MANAGER_READS, ARM_READS];
