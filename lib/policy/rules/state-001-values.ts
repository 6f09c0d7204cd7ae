import type { PolicyRule, Violation } from '../types';

/**
 * SW-STATE-001: nothing stores a secret value in Terraform state. Write-only arguments
 * (`secret_data_wo`, `value_wo`) are the only way a value may pass through Terraform.
 */
export const state001Values: PolicyRule = {
  id: 'SW-STATE-001',
  severity: 'error',
  description: 'No Terraform attribute that stores a secret value in state.',
  fix: 'Add values out of band, or through a write-only argument fed by an ephemeral variable; never declare Kubernetes Secrets or secret versions with data.',
  check(ctx) {
    const out: Violation[] = [];
    for (const r of ctx.instances) {
      const c = r.config;
      if (r.type === 'google_secret_manager_secret_version' && (c.secret_data !== undefined || (c.secret_data_wo === undefined && c.secret_data_wo_version === undefined))) {
        out.push({ resource: r.address, message: 'secret_data is stored in state' });
      }
      if (r.type === 'azurerm_key_vault_secret' && c.value !== undefined) out.push({ resource: r.address, message: 'value is stored in state (use value_wo)' });
      if (/^kubernetes_secret(_v1)?$/.test(r.type) && (c.data !== undefined || c.binary_data !== undefined)) out.push({ resource: r.address, message: 'a Kubernetes Secret with data keeps that data in state' });
      if (r.type === 'kubernetes_manifest' && c.manifest?.kind === 'Secret' && (c.manifest.data !== undefined || c.manifest.stringData !== undefined)) {
        out.push({ resource: r.address, message: 'a Kubernetes Secret manifest with data keeps that data in state' });
      }
      if (r.type === 'helm_release' && c.set_sensitive !== undefined) out.push({ resource: r.address, message: 'set_sensitive values are stored in state' });
      if (r.type === 'random_password') out.push({ resource: r.address, message: 'random_password keeps its result in state' });
    }
    return out;
  },
};
