import type { PolicyRule, Violation } from '../types';
import { blockRef } from '../../terraform/block-names';
import { COLLECTIONS } from '../../terraform/addresses';
import { DEPLOYER_ACCESS, OWN_VAULT_READER } from '../../terraform/purposes';

/** Azure built-in roles that read secret contents. */
export const SECRET_READING_ROLES = ['Key Vault Secrets User', 'Key Vault Secrets Officer', 'Key Vault Administrator', 'Owner', 'Key Vault Data Access Administrator'];
const DEPLOYER = '${data.azurerm_client_config.current.object_id}';
const SECRET_SCOPE = /^\$\{azurerm_key_vault_secret\.[A-Za-z0-9_-]+(\["[^"]+"\])?\.resource_versionless_id\}$/;

/**
 * SW-IAM-001: read access is granted per secret. Flags Secret Manager roles on a project, folder
 * or organization, and Azure roles that read secrets on anything wider than one secret (the vault,
 * a resource group, a subscription), except the deploying principal's management of its vault and
 * a service's read access to its own vault (layout vaultPerService), checked against the service's
 * identity.
 */
export const iam001SecretScope: PolicyRule = {
  id: 'SW-IAM-001',
  severity: 'error',
  description: "Secret read access is granted on one secret (or a service's own vault), never on a project, shared vault, resource group or subscription.",
  fix: 'Declare the key in the service that needs it (or read it with from); the product grants access on that secret alone. Remove the wide grant.',
  check(ctx) {
    const out: Violation[] = [];
    // Each vault the stack creates, by the expression of its id, with the service that owns it (vaultPerService).
    const vaults = new Map<string, { service?: string; key?: string }>();
    for (const r of ctx.instances) if (r.type === 'azurerm_key_vault') vaults.set(blockRef(r.type, r.name, 'id'), { service: r.collection === COLLECTIONS.azureVaults ? r.config.tags?.service : undefined, key: r.key });
    for (const r of ctx.instances) {
      if (/^google_(project|folder|organization)_iam_(member|binding|policy)$/.test(r.type)) {
        const roles = r.type.endsWith('_policy') ? String(r.config.policy_data ?? '') : String(r.config.role ?? '');
        if (/secretmanager|roles\/(owner|editor|viewer)/.test(roles)) {
          out.push({ resource: r.address, message: `${r.type} grants ${roles || 'roles'} on a whole ${r.type.split('_')[1]}, so every secret in it becomes readable` });
        }
      }
      if (r.type === 'azurerm_role_assignment') {
        const role = String(r.config.role_definition_name ?? r.config.role_definition_id ?? '');
        if (!SECRET_READING_ROLES.some((x) => role.includes(x))) continue;
        // The deploying principal manages its vault's secrets (declared, or whoever applies).
        if (role === 'Key Vault Secrets Officer' && (r.config.principal_id === DEPLOYER || r.purpose === DEPLOYER_ACCESS || r.name === 'deployer_secrets_officer' || r.collection === COLLECTIONS.azureVaultOfficers)) continue;
        // A service reads its own vault (layout vaultPerService): every secret in it is its own.
        const vault = vaults.get(String(r.config.scope ?? ''));
        if (role === 'Key Vault Secrets User' && vault?.service !== undefined && ctx.facts?.members[vault.service] === r.config.principal_id) continue;
        // Without a declaration (a stack of the user's own): the one reader ServiceKeyVaults gives
        // a service's vault, keyed like that vault.
        if (role === 'Key Vault Secrets User' && !ctx.facts && r.purpose === OWN_VAULT_READER && vault?.key !== undefined && vault.key === r.key) continue;
        if (!SECRET_SCOPE.test(String(r.config.scope ?? ''))) {
          out.push({ resource: r.address, message: `"${role}" is assigned on ${JSON.stringify(r.config.scope)}, wider than one secret` });
        }
      }
    }
    return out;
  },
};
