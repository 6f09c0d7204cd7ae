/**
 * What a block is for, written by the construct that makes it into the block's comment, so that the
 * rule pack recognises it whatever its name (no cdktf here).
 */

/** The deploying principal's "Key Vault Secrets Officer" on a vault it manages. */
export const DEPLOYER_ACCESS = 'deployer-access';

/** A service's "Key Vault Secrets User" on its own vault (one vault per service), keyed like the vault. */
export const OWN_VAULT_READER = 'own-vault-reader';
