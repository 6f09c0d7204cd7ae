/**
 * Naming rules of the declaration: each one a pattern with the sentence that explains it.
 *
 * The same objects feed the JSON Schema (as `pattern` plus `x-rule`) and the checks the schema
 * cannot express, so a rule is written once and every message quotes the same sentence.
 */
export interface NameRule {
  /** Stable identifier, quoted in error messages. */
  readonly id: string;
  /** JavaScript (and RE2-compatible) regular expression, anchored. */
  readonly pattern: string;
  /** Bounds on length, when the pattern alone does not give them. */
  readonly maxLength?: number;
  readonly minLength?: number;
  /** What the rule requires, in words. */
  readonly text: string;
}

function rule(id: string, pattern: string, text: string, maxLength?: number, minLength?: number): NameRule {
  return { id, pattern, text, maxLength, minLength };
}

export const RULES = {
  environmentName: rule(
    'environment-name',
    '^[a-z]([a-z0-9-]{0,28}[a-z0-9])?$',
    'an environment name is 1-30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen (it names stacks, folders and labels)',
  ),
  shardName: rule('shard-name', '^[a-z]([a-z0-9-]{0,28}[a-z0-9])?$', 'a shard name is 1-30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen (it names stacks)'),
  gcpProjectId: rule(
    'gcp-project-id',
    '^[a-z][a-z0-9-]{4,28}[a-z0-9]$',
    'a GCP project id is 6-30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen',
  ),
  gcpProjectNumber: rule(
    'gcp-project-number',
    '^[1-9][0-9]{5,18}$',
    'a GCP project number is a string of 6-19 digits (quote it in YAML)',
  ),
  gkeClusterName: rule(
    'gke-cluster-name',
    '^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$',
    'a GKE cluster name is 1-40 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen',
  ),
  gcpLocation: rule(
    'gcp-location',
    '^[a-z]+-[a-z]+[0-9]+(-[a-z])?$',
    'a GCP location is a region (asia-northeast1) or a zone (asia-northeast1-a)',
  ),
  gcpRegion: rule('gcp-region', '^[a-z]+-[a-z]+[0-9]+$', 'a Secret Manager replica location is a GCP region such as asia-northeast1'),
  gcsBucket: rule(
    'gcs-bucket',
    '^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$',
    'a GCS bucket name is 3-63 lowercase letters, digits, dots, underscores or hyphens, starting and ending with a letter or digit',
  ),
  serviceName: rule(
    'service-name',
    '^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$',
    'a service name is 1-40 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen (it prefixes secret ids and is a label value)',
  ),
  dns1123Label: rule(
    'dns-1123-label',
    '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
    'a Kubernetes namespace is a DNS-1123 label: at most 63 lowercase letters, digits or hyphens, starting and ending with a letter or digit',
    63,
  ),
  dns1123Subdomain: rule(
    'dns-1123-subdomain',
    '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
    'a Kubernetes object name is a DNS-1123 subdomain: at most 253 lowercase letters, digits, hyphens or dots, starting and ending with a letter or digit',
    253,
  ),
  secretDataKey: rule(
    'secret-data-key',
    '^(?!\\.\\.)(?!\\.$)[-._a-zA-Z0-9]+$',
    'a Kubernetes Secret key is at most 253 letters, digits, hyphens, underscores or dots, and is not "." and does not start with ".." (Kubernetes refuses those)',
    253,
  ),
  secretManagerId: rule(
    'secret-manager-id',
    '^[a-zA-Z0-9_-]{1,255}$',
    'a Secret Manager secret id is 1-255 letters, digits, underscores or hyphens',
  ),
  secretVersion: rule(
    'secret-version',
    '^([1-9][0-9]{0,18}|latest)$',
    'a version is a positive version number such as "1" or "latest" (quote numbers in YAML)',
  ),
  keyVaultSecretVersion: rule(
    'key-vault-secret-version',
    '^[0-9a-fA-F]{32}$',
    'a Key Vault secret version is the 32 hexadecimal characters of a version id',
  ),
  versionString: rule('version-string', '^[0-9A-Za-z-]{1,64}$', 'a version is 1-64 letters, digits or hyphens (quote numbers in YAML)'),
  fromReference: rule(
    'from-reference',
    '^[a-z][-a-z0-9]*/[a-z0-9][-a-z0-9.]*/[-._a-zA-Z0-9]+$',
    'from names another declared key as SERVICE/SECRET/KEY',
  ),
  gcpLabelKey: rule(
    'gcp-label-key',
    '^[a-z][a-z0-9_-]{0,62}$',
    'a GCP label key is 1-63 lowercase letters, digits, underscores or hyphens, starting with a lowercase letter',
  ),
  gcpLabelValue: rule(
    'gcp-label-value',
    '^[a-z0-9_-]{0,63}$',
    'a GCP label value is at most 63 lowercase letters, digits, underscores or hyphens',
  ),
  goDuration: rule(
    'duration',
    '^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$',
    'a duration is a Go duration such as 1h, 30m or 1h30m',
  ),
  promDuration: rule('prometheus-duration', '^([0-9]+(ms|s|m|h|d|w|y))+$', 'a duration is a Prometheus duration such as 15m, 2h or 1d'),
  labelKey: rule(
    'kubernetes-label-key',
    '^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$',
    'a Kubernetes label key is an optional DNS prefix and / followed by at most 63 letters, digits, -, _ or .',
  ),
  labelValue: rule('kubernetes-label-value', '^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$', 'a Kubernetes label value is at most 63 letters, digits, -, _ or ., starting and ending with a letter or digit'),
  googleServiceAccountId: rule(
    'google-service-account-id',
    '^[a-z]([-a-z0-9]{4,28}[a-z0-9])$',
    'a Google service account id is 6-30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen',
  ),
  gcpIamMember: rule(
    'gcp-iam-member',
    '^((principal|principalSet)://iam\\.googleapis\\.com/[^\\s]+|(serviceAccount|user|group):[^\\s@]+@[^\\s@]+|domain:[^\\s]+)$',
    'an IAM member is principal://..., principalSet://..., serviceAccount:EMAIL, user:EMAIL, group:EMAIL or domain:DOMAIN (never allUsers or allAuthenticatedUsers)',
  ),
  chartVersion: rule('chart-version', '^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$', 'a chart version is an exact semantic version such as 2.9.0'),
  guid: rule(
    'guid',
    '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    'a tenant or subscription id is a GUID such as 00000000-0000-0000-0000-000000000000',
  ),
  objectId: rule(
    'object-id',
    '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    'an object (principal) id is a GUID such as 00000000-0000-0000-0000-000000000000',
  ),
  keyVaultId: rule(
    'key-vault-id',
    '^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.KeyVault/vaults/[^/]+$',
    'a vault id is /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/NAME, or a Terraform reference to a vault',
  ),
  managedIdentityName: rule(
    'managed-identity-name',
    '^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$',
    'a managed identity name is 3-128 letters, digits, hyphens or underscores, starting with a letter or digit',
  ),
  federatedCredentialName: rule(
    'federated-credential-name',
    '^[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}$',
    'a federated identity credential name is 3-120 letters, digits, hyphens or underscores, starting with a letter or digit',
  ),
  oidcIssuer: rule('oidc-issuer', '^https://[^\\s]+$', 'an OIDC issuer is an https:// URL (the cluster\'s oidc_issuer_url)'),
  kubernetesSubject: rule(
    'kubernetes-subject',
    '^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
    'a federated subject is system:serviceaccount:NAMESPACE:NAME (one Kubernetes service account)',
  ),
  workloadIdentityUser: rule(
    'workload-identity-user',
    '^serviceAccount:[a-z][-a-z0-9.:]*\\.svc\\.id\\.goog\\[[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9.]*[a-z0-9])?\\]$',
    'a workload identity user is serviceAccount:PROJECT.svc.id.goog[NAMESPACE/KSA] (one Kubernetes service account)',
  ),
  softDeleteRetentionDays: rule('soft-delete-retention-days', '^([7-9]|[1-8][0-9]|90)$', 'soft delete retention is a whole number of days from 7 to 90 (Key Vault\'s range)'),
  azureLocation: rule('azure-location', '^[a-z][a-z0-9]{2,39}$', 'an Azure location is a region name such as japaneast'),
  azureResourceGroup: rule(
    'azure-resource-group',
    '^[-\\w.()]{0,89}[-\\w()]$',
    'a resource group name is 1-90 letters, digits, underscores, hyphens, periods or parentheses, not ending with a period',
  ),
  aksClusterName: rule(
    'aks-cluster-name',
    '^[a-zA-Z0-9]([-_a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$',
    'an AKS cluster name is 1-63 letters, digits, underscores or hyphens, starting and ending with a letter or digit',
  ),
  keyVaultName: rule(
    'key-vault-name',
    '^[a-zA-Z](-?[a-zA-Z0-9])+$',
    'a Key Vault name is 3-24 letters, digits or hyphens, starting with a letter, ending with a letter or digit, with no consecutive hyphens',
    24,
    3,
  ),
  keyVaultSecretName: rule(
    'key-vault-secret-name',
    '^[0-9a-zA-Z-]{1,127}$',
    'a Key Vault secret name is 1-127 letters, digits or hyphens',
  ),
  azureTagKey: rule('azure-tag-key', '^[^<>%&\\\\?/]{1,512}$', 'an Azure tag name is 1-512 characters without < > % & \\ ? /'),
  azureTagValue: rule('azure-tag-value', '^.{0,256}$', 'an Azure tag value is at most 256 characters'),
} as const;

export type RuleName = keyof typeof RULES;

const compiled = new Map<string, RegExp>();

/** True when `value` satisfies `r`. */
export function satisfies(r: NameRule, value: string): boolean {
  let re = compiled.get(r.id);
  if (!re) {
    re = new RegExp(r.pattern, 'u');
    compiled.set(r.id, re);
  }
  return re.test(value) && (r.maxLength === undefined || value.length <= r.maxLength) && (r.minLength === undefined || value.length >= r.minLength);
}
