import type { PolicyRule, Violation } from '../types';

/** SW-DEL-001: secrets cannot be deleted by accident. */
export const del001Protection: PolicyRule = {
  id: 'SW-DEL-001',
  severity: 'error',
  description: 'Deletion protection on every Secret Manager secret; prevent_destroy on every Key Vault secret; purge protection and soft delete on every Key Vault.',
  fix: 'Keep deletionProtection on; to delete one secret on purpose, suppress this rule on its key with the reason for that one apply.',
  check(ctx) {
    const out: Violation[] = [];
    for (const r of ctx.instances) {
      if (r.type === 'google_secret_manager_secret') {
        const name = String(r.config.secret_id);
        const protectedByLifecycle = r.config.lifecycle?.prevent_destroy === true;
        if (r.config.deletion_protection !== true && !protectedByLifecycle) {
          out.push({ resource: r.address, message: `deletion protection is off for ${name}`, declarationPath: ctx.facts?.secrets[name]?.declaredAt });
        }
      }
      if (r.type === 'azurerm_key_vault_secret' && r.config.lifecycle?.prevent_destroy !== true) {
        const name = String(r.config.name);
        out.push({ resource: r.address, message: `Terraform may destroy Key Vault secret ${name} (no prevent_destroy)`, declarationPath: ctx.facts?.secrets[name]?.declaredAt });
      }
      if (r.type === 'azurerm_key_vault') {
        if (r.config.purge_protection_enabled !== true) out.push({ resource: r.address, message: 'purge protection is off', declarationPath: ctx.facts && `environments.${ctx.facts.environment}.azure.keyVault` });
        const days = Number(r.config.soft_delete_retention_days ?? 90);
        if (!(days >= 7)) out.push({ resource: r.address, message: `soft delete keeps deleted secrets ${days} days`, declarationPath: ctx.facts && `environments.${ctx.facts.environment}.azure.keyVault` });
      }
    }
    return out;
  },
};
