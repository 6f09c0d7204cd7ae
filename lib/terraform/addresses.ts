/**
 * Collections (block name prefixes) of the product's stacks, and Terraform expressions naming their
 * blocks, shared by the constructs that write them and the rules and reports that read them. No
 * cdktf here.
 */
import { blockAddress, blockName as blockNameOf, blockRef } from './block-names';

/** Block name prefixes of the product's collections, each the `for_each` resource name of earlier versions. */
export const COLLECTIONS = {
  /** google_secret_manager_secret, created */
  gcpSecrets: 'secrets',
  /** google_secret_manager_secret, imported */
  gcpAdoptedSecrets: 'adopted_secrets',
  /** google_secret_manager_secret_iam_member */
  gcpAccessors: 'secret_accessors',
  /** google_service_account */
  gcpServiceAccounts: 'service_accounts',
  /** google_service_account_iam_member */
  gcpWorkloadIdentityUsers: 'workload_identity_users',
  /** azurerm_key_vault_secret */
  azureSecrets: 'secrets',
  /** azurerm_key_vault_secret, imported (and the data sources giving their versioned ids) */
  azureAdoptedSecrets: 'adopted_secrets',
  /** data azurerm_key_vault_secrets: the names each vault holds, for the first-value check */
  azureExistingSecrets: 'existing_secrets',
  /** azurerm_role_assignment on secrets */
  azureReaders: 'secret_readers',
  /** azurerm_key_vault, a service's own (layout vaultPerService) */
  azureVaults: 'vaults',
  /** azurerm_role_assignment of the deploying principal on a service's vault */
  azureVaultOfficers: 'vault_officers',
  /** azurerm_role_assignment of a service's identity on its own vault */
  azureVaultReaders: 'vault_readers',
  /** azurerm_user_assigned_identity, and the data sources that look them up in later stacks */
  azureIdentities: 'identities',
  /** data azurerm_user_assigned_identity in shard stacks */
  azureReaderIdentities: 'readers',
  /** azurerm_federated_identity_credential */
  azureFederations: 'federated_credentials',
  /** data azurerm_kubernetes_cluster */
  aksClusters: 'clusters',
} as const;

/** Expression of the principal id of a service's managed identity, in the stack that creates it. */
export function identityPrincipalRef(service: string): string {
  return blockRef('azurerm_user_assigned_identity', blockNameOf(COLLECTIONS.azureIdentities, service), 'principal_id');
}

/** Expression of the principal id of a service's managed identity, looked up in a shard stack. */
export function readerPrincipalRef(service: string): string {
  return blockRef('azurerm_user_assigned_identity', blockNameOf(COLLECTIONS.azureReaderIdentities, service), 'principal_id', true);
}


/** Address of an AKS cluster's data source (`data.azurerm_kubernetes_cluster.clusters_<name>`). */
export function aksClusterAddress(cluster: string, prefix: string = COLLECTIONS.aksClusters): string {
  return blockAddress('azurerm_kubernetes_cluster', blockNameOf(prefix, cluster), true);
}

/** Expressions of the key vault secrets provider add-on identity of an AKS cluster. */
export function aksAddonIdentityRefs(cluster: string, prefix: string = COLLECTIONS.aksClusters): { objectId: string; clientId: string } {
  const at = `${aksClusterAddress(cluster, prefix)}.key_vault_secrets_provider[0].secret_identity[0]`;
  return { objectId: `\${${at}.object_id}`, clientId: `\${${at}.client_id}` };
}
