import type { PolicyRule, Violation } from '../types';

/**
 * SW-IAM-002: no authoritative IAM. An `_iam_binding` or `_iam_policy` replaces the members or
 * policy that exist, wiping grants made elsewhere; Key Vault access policies bypass RBAC.
 */
export const iam002Authoritative: PolicyRule = {
  id: 'SW-IAM-002',
  severity: 'error',
  description: 'No authoritative IAM binding or policy, and no Key Vault access policy.',
  fix: 'Use non-authoritative members (google_*_iam_member) and Azure role assignments; keep the vault in RBAC mode.',
  check(ctx) {
    const out: Violation[] = [];
    for (const r of ctx.instances) {
      if (/_iam_(binding|policy)$/.test(r.type)) out.push({ resource: r.address, message: `${r.type} is authoritative: it replaces grants made elsewhere` });
      if (r.type === 'azurerm_key_vault_access_policy') out.push({ resource: r.address, message: 'a Key Vault access policy grants vault-wide permissions outside RBAC' });
      if (r.type === 'azurerm_key_vault' && (r.config.access_policy !== undefined || r.config.rbac_authorization_enabled !== true)) {
        out.push({ resource: r.address, message: 'the vault is not in RBAC authorization mode (or declares access policies)' });
      }
    }
    return out;
  },
};
