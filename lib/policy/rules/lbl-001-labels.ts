import type { PolicyRule, Violation } from '../types';

export const REQUIRED_LABELS = ['managed-by', 'service', 'environment'] as const;

/** SW-LBL-001: every secret says whose it is, where, and that the product manages it. */
export const lbl001Labels: PolicyRule = {
  id: 'SW-LBL-001',
  severity: 'error',
  description: 'Every secret carries the service, environment and managed-by labels (GCP) or tags (Azure).',
  fix: 'Declare the secret through the declaration, which labels it; do not override the reserved labels.',
  check(ctx) {
    const out: Violation[] = [];
    for (const r of ctx.instances) {
      const labels = r.type === 'google_secret_manager_secret' ? r.config.labels : r.type === 'azurerm_key_vault_secret' ? r.config.tags : undefined;
      if (r.type !== 'google_secret_manager_secret' && r.type !== 'azurerm_key_vault_secret') continue;
      const set = labels && typeof labels === 'object' ? (labels as Record<string, string>) : {};
      const missing = REQUIRED_LABELS.filter((l) => !set[l]);
      const name = String(r.config.secret_id ?? r.config.name ?? r.key);
      const origin = ctx.facts?.secrets[name];
      if (missing.length > 0) out.push({ resource: r.address, message: `missing ${missing.join(', ')}`, declarationPath: origin?.declaredAt });
      else if (ctx.facts && set.environment !== ctx.facts.environment) {
        out.push({ resource: r.address, message: `environment label is ${set.environment}, not ${ctx.facts.environment}`, declarationPath: origin?.declaredAt });
      } else if (origin && set.service !== origin.service) {
        out.push({ resource: r.address, message: `service label is ${set.service}, but ${origin.declaredAt} owns it`, declarationPath: origin.declaredAt });
      }
    }
    return out;
  },
};
