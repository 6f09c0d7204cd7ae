/**
 * Naming rules of what the product creates. Every derived name is a pure function of declaration
 * keys (never of list positions), so names and Terraform addresses are stable.
 */
import { createHash } from 'node:crypto';

/** Value of the managed-by label and annotation on everything the product creates. */
export const MANAGED_BY = 'secret-wiring';

/** Label keys the product sets on every Secret Manager secret; a declaration may not override them. */
export const RESERVED_LABEL_KEYS = ['managed-by', 'service', 'environment'] as const;

/**
 * Remote secret id derived from service and key: `<prefix><service>_<KEY>`, with every `.` of the
 * key written as `-` (Secret Manager ids allow letters, digits, `_` and `-`). Service names contain
 * no `_`, so the first `_` always separates service from key.
 *
 * @example derivedSecretId('', 'service-a', 'FOO_PASSWORD') === 'service-a_FOO_PASSWORD'
 */
export function derivedSecretId(prefix: string, service: string, key: string): string {
  return `${prefix}${service}_${key.replace(/\./g, '-')}`;
}

/**
 * Key Vault secret name derived from service and key: `<service>--<KEY>`, with every `_` and `.` of
 * the key written as `-` (Key Vault names allow letters, digits and `-`, and compare without case).
 *
 * @example derivedKeyVaultSecretName('service-a', 'FOO_PASSWORD') === 'service-a--FOO-PASSWORD'
 */
export function derivedKeyVaultSecretName(service: string, key: string): string {
  return `${service}--${key.replace(/[_.]/g, '-')}`;
}

/**
 * Name of an environment's Key Vault: the declared name, or with `uniqueSuffix` the declared name,
 * `-` and 4 hex characters of a hash of subscription, resource group and name, so that it is
 * globally unique yet the same on every synthesis.
 */
export function keyVaultName(declared: string, uniqueScope?: string): string {
  if (uniqueScope === undefined) return declared;
  return `${declared}-${shortHash(`${uniqueScope}/${declared}`).slice(0, 4)}`;
}

/**
 * Name of a service's own Key Vault in an environment (layout vaultPerService), 3-24 characters:
 * the service name (at most 17 characters, hyphens not doubled nor trailing), `-`, and 6 hex
 * characters of a hash of subscription, resource group, environment and service. Vault names are
 * global across Azure: the hash makes the name unique to this deployment, and stable on every
 * synthesis.
 *
 * @example serviceKeyVaultName(sub, 'rg', 'production', 'payments') === 'payments-' + 6 hex
 */
export function serviceKeyVaultName(subscriptionId: string, resourceGroup: string, environment: string, service: string): string {
  let head = service.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').slice(0, 17).replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(head)) head = `kv${head}`.slice(0, 17).replace(/-+$/, '');
  return `${head}-${shortHash(`${subscriptionId.toLowerCase()}/${resourceGroup.toLowerCase()}/${environment}/${service}`)}`;
}

/** Name of a service's user-assigned managed identity in an environment. */
export function managedIdentityName(environment: string, service: string): string {
  return `${environment}-${service}-secrets`;
}

/** Name of a federated identity credential (at most 120 characters). */
export function federatedCredentialName(cluster: string, namespace: string, serviceAccount: string): string {
  const plain = `${cluster}-${namespace}-${serviceAccount}`.replace(/\./g, '-');
  return plain.length <= 120 ? plain : `${plain.slice(0, 113)}-${shortHash(plain)}`;
}

/**
 * Name of a service's SecretProviderClass in its namespace: `<service>-keyvault` for its own vault
 * (or the environment's), `<service>-keyvault-<owner>` for the vault of a service it reads from.
 */
export function secretProviderClassName(service: string, vaultOwner?: string): string {
  return vaultOwner === undefined || vaultOwner === service ? `${service}-keyvault` : `${service}-keyvault-${vaultOwner}`;
}

/**
 * Name of a service's Key Vault SecretStore in its namespace: `<service>-azurekv` for its own vault,
 * `<service>-azurekv-<owner>` for the vault of a service it reads from (layout vaultPerService).
 */
export function azureSecretStoreName(service: string, vaultOwner?: string): string {
  return vaultOwner === undefined || vaultOwner === service ? `${service}-azurekv` : `${service}-azurekv-${vaultOwner}`;
}

/** Kubernetes service account a service's SecretStore authenticates as, unless declared. */
export function defaultServiceAccountName(service: string): string {
  return `${service}-secrets`;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

/**
 * Google service account id of a service (6-30 characters): `secrets-<service>`, or for long
 * service names `secrets-<first 15 characters>-<6 hex of a hash of the name>`.
 */
export function googleServiceAccountId(service: string): string {
  const plain = `secrets-${service}`;
  if (plain.length <= 30) return plain;
  const head = service.slice(0, 15).replace(/-+$/, '');
  return `secrets-${head}-${shortHash(service)}`;
}

/** Workload Identity principal of a Kubernetes service account. */
export function workloadIdentityPrincipal(projectNumber: string, project: string, namespace: string, serviceAccount: string): string {
  return `principal://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${project}.svc.id.goog/subject/ns/${namespace}/sa/${serviceAccount}`;
}

/** Member string that lets a Kubernetes service account impersonate a Google service account. */
export function workloadIdentityUserMember(project: string, namespace: string, serviceAccount: string): string {
  return `serviceAccount:${project}.svc.id.goog[${namespace}/${serviceAccount}]`;
}

/** Name of a service's SecretStore in its namespace. */
export function secretStoreName(service: string): string {
  return `${service}-gcpsm`;
}

/** Stack names of an environment. */
export function gcpStackName(environment: string): string {
  return `${environment}-gcp`;
}

export function gcpManifestsStackName(environment: string): string {
  return `${environment}-gcp-manifests`;
}

export function azureStackName(environment: string): string {
  return `${environment}-azure`;
}

export function azureManifestsStackName(environment: string): string {
  return `${environment}-azure-manifests`;
}
