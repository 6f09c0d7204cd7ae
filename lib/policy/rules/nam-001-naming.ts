import type { Note, PolicyRule, RuleContext, Violation } from '../types';

function secretName(type: string, config: Record<string, any>): string | undefined {
  if (type === 'google_secret_manager_secret') return config.secret_id;
  if (type === 'azurerm_key_vault_secret') return config.name;
  return undefined;
}

/**
 * SW-NAM-001: a secret is named by the naming rule (`<service>_<KEY>` in Secret Manager,
 * `<service>--<KEY>` in Key Vault); a declared remoteName is allowed and reported as a note.
 */
export const nam001Naming: PolicyRule & { notes(ctx: RuleContext): Omit<Note, 'stack'>[] } = {
  id: 'SW-NAM-001',
  severity: 'error',
  description: 'Secret names follow the naming rule; a declared remoteName (adopted or named) is allowed and reported.',
  fix: 'Let the product derive the name, or declare the existing name with remoteName on the key.',
  check(ctx) {
    const out: Violation[] = [];
    if (!ctx.facts) return out;
    for (const r of ctx.instances) {
      const name = secretName(r.type, r.config);
      if (name === undefined) continue;
      const origin = ctx.facts.secrets[name];
      if (!origin) {
        out.push({ resource: r.address, message: `secret ${name} is not declared: no key of the declaration maps to it` });
      } else if (!origin.remoteName && origin.derivedName.toLowerCase() !== name.toLowerCase()) {
        out.push({ resource: r.address, message: `named ${name}, but the naming rule gives ${origin.derivedName}`, declarationPath: origin.declaredAt });
      }
    }
    return out;
  },
  notes(ctx) {
    const out: Omit<Note, 'stack'>[] = [];
    if (!ctx.facts) return out;
    for (const r of ctx.instances) {
      const name = secretName(r.type, r.config);
      const origin = name !== undefined ? ctx.facts.secrets[name] : undefined;
      if (origin?.remoteName) {
        out.push({ rule: 'SW-NAM-001', resource: r.address, message: `${name} keeps its declared name (remoteName) instead of ${origin.derivedName}`, declarationPath: `${origin.declaredAt}.remoteName` });
      }
    }
    return out;
  },
};
