import type { PolicyRule, Violation } from '../types';
import { blockRef } from '../../terraform/block-names';
import { keyVaultSecretScopes } from '../inventory';
import { COLLECTIONS } from '../../terraform/addresses';

function grants(type: string): boolean {
  return type === 'google_secret_manager_secret_iam_member' || type === 'azurerm_role_assignment';
}

/**
 * SW-XSV-001: a service reads another service's secret only where the declaration says so with
 * `from`. Owners come from the secrets' service labels, readers from the services' identities.
 */
export const xsv001CrossService: PolicyRule = {
  id: 'SW-XSV-001',
  severity: 'error',
  description: "A service reads another service's secret only through a declared from.",
  fix: 'Declare the read in the reading service with from: OWNER/SECRET/KEY, or remove the grant.',
  check(ctx) {
    const out: Violation[] = [];
    const facts = ctx.facts;
    if (!facts) return out;
    // Owner and name of each secret, by what a grant names it with: its id (GCP) or the
    // expression of its versionless id (Azure role assignment scope).
    const owners = new Map<string, string>();
    const names = keyVaultSecretScopes(ctx.instances);
    // A service's own vault (vaultPerService): a grant on it reads every secret in it.
    const vaultOwners = new Map<string, string>();
    for (const r of ctx.instances) {
      if (r.type === 'google_secret_manager_secret') owners.set(String(r.config.secret_id), String(r.config.labels?.service));
      if (r.type === 'azurerm_key_vault_secret') owners.set(blockRef(r.type, r.name, 'resource_versionless_id'), String(r.config.tags?.service));
      if (r.type === 'azurerm_key_vault' && r.collection === COLLECTIONS.azureVaults) vaultOwners.set(blockRef(r.type, r.name, 'id'), String(r.config.tags?.service));
    }
    const serviceOf = new Map(Object.entries(facts.members).map(([s, m]) => [m, s]));
    for (const r of ctx.instances) {
      if (!grants(r.type) || r.config.role_definition_name === 'Key Vault Secrets Officer') continue;
      const target = r.type === 'azurerm_role_assignment' ? String(r.config.scope) : String(r.config.secret_id);
      const member = String(r.config.member ?? r.config.principal_id);
      const reader = serviceOf.get(member);
      const vaultOwner = vaultOwners.get(target);
      if (vaultOwner !== undefined) {
        // No from reaches a whole vault: only its owner reads at the vault's scope.
        if (reader !== vaultOwner) {
          out.push({ resource: r.address, message: `${reader ?? member} reads every secret of ${vaultOwner}'s vault; other services read only the secrets they declare with from, each granted on its own`, declarationPath: reader ? `services.${reader}` : `services.${vaultOwner}` });
        }
        continue;
      }
      const owner = owners.get(target);
      if (!owner) continue;
      if (!reader) {
        out.push({ resource: r.address, message: `${member} is not the identity of any declared service, yet reads a secret of ${owner}`, declarationPath: facts.secrets[names.get(target) ?? target]?.declaredAt });
        continue;
      }
      if (reader === owner || member.includes('key_vault_secrets_provider')) continue;
      const name = names.get(target) ?? target;
      if (!facts.fromReads.includes(`${reader}/${name}`)) {
        out.push({ resource: r.address, message: `${reader} reads ${owner}'s secret ${name} without a from`, declarationPath: `services.${reader}` });
      }
    }
    return out;
  },
};
