/**
 * What a block is for, recorded by the construct that makes it (in memory, with the stack, never in
 * the Terraform JSON, where anyone could write it), so that the rule pack recognises it whatever
 * its name. No cdktf here: the rules read these names.
 */

/** The deploying principal's "Key Vault Secrets Officer" on a vault it manages. */
export const DEPLOYER_ACCESS = 'deployer-access';

/** A service's "Key Vault Secrets User" on its own vault (one vault per service), keyed like the vault. */
export const OWN_VAULT_READER = 'own-vault-reader';
