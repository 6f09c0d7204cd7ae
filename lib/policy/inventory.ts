import { blockRef } from '../terraform/block-names';
import type { ResourceInstance } from './types';

const EACH_VALUE = /^\$\{each\.value\.([A-Za-z0-9_]+)\}$/;
const EACH_IN_EXPRESSION = /each\.value\.([A-Za-z0-9_]+)/g;
const LOCAL_LOOKUP = /^\$\{local\.([A-Za-z0-9_-]+)\["([^"]*)"\]\}$/;

type Locals = Record<string, unknown>;

function substitute(value: unknown, key: string, each: Record<string, unknown>, locals: Locals): unknown {
  if (typeof value === 'string') {
    if (value === '${each.key}') return key;
    if (value === '${each.value}') return each;
    const m = EACH_VALUE.exec(value);
    if (m) return m[1] in each ? each[m[1]] : value;
    // each.value.x inside an expression: put the instance's value in, quoted.
    const put = value.includes('each.value.')
      ? value.replace(EACH_IN_EXPRESSION, (all, field) => (typeof each[field] === 'string' ? JSON.stringify(each[field]) : all))
      : value;
    // local.map["key"]: the entry of an inline lookup local.
    const l = LOCAL_LOOKUP.exec(put);
    if (l) {
      const map = locals[l[1]];
      if (map && typeof map === 'object' && l[2] in (map as object)) return (map as Record<string, unknown>)[l[2]];
    }
    return put;
  }
  // Copy on write: unchanged subtrees are shared, which keeps large stacks cheap to expand.
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const x = substitute(v, key, each, locals);
      if (x !== v) changed = true;
      return x;
    });
    return changed ? out : value;
  }
  if (value && typeof value === 'object') {
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      const x = substitute(v, key, each, locals);
      if (x !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = x;
    }
    return out ?? value;
  }
  return value;
}

/**
 * Every resource instance of a synthesized stack (given whole, or in parts such as its cdk.tf.json
 * and its blocks), in address order: each block of a collection
 * (with its collection and key), and each instance of a `for_each` resource (maps expanded).
 */
export function resourceInstances(...parts: { resource?: Record<string, Record<string, any>>; locals?: Locals }[]): ResourceInstance[] {
  const out: ResourceInstance[] = [];
  const locals = Object.assign({}, ...parts.map((p) => p.locals ?? {})) as Locals;
  for (const [type, byName] of parts.flatMap((p) => Object.entries(p.resource ?? {}))) {
    for (const [name, block] of Object.entries(byName)) {
      const forEach = (block as Record<string, any>).for_each;
      if (forEach && typeof forEach === 'object' && !Array.isArray(forEach)) {
        const { for_each: _f, '//': _meta, ...config } = block as Record<string, any>;
        for (const [key, each] of Object.entries<any>(forEach)) {
          out.push({ type, name, collection: name, key, address: `${type}.${name}[${JSON.stringify(key)}]`, config: substitute(config, key, each ?? {}, locals) as Record<string, any> });
        }
      } else {
        // A block of a collection names its collection and key in its comment ("//", which the
        // block keeps: rules read arguments by name, and Terraform ignores it).
        const meta = (block as Record<string, any>)['//'];
        const member = meta && typeof meta.collection === 'string' && typeof meta.key === 'string' ? { collection: meta.collection as string, key: meta.key as string } : {};
        out.push({ type, name, ...member, address: `${type}.${name}`, config: block as Record<string, any> });
      }
    }
  }
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/**
 * Key Vault secret names by the expression a role assignment's scope names them with (their
 * block's versionless id).
 */
export function keyVaultSecretScopes(instances: readonly ResourceInstance[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of instances) if (r.type === 'azurerm_key_vault_secret') out.set(blockRef(r.type, r.name, 'resource_versionless_id'), String(r.config.name));
  return out;
}

/**
 * Key Vault names by the expression that names a vault's id: `${azurerm_key_vault.X.id}` for a
 * vault the stack creates, `${data.azurerm_key_vault.X.id}` for one it looks up.
 */
export function keyVaultIds(instances: readonly ResourceInstance[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of instances) if (r.type === 'azurerm_key_vault') out.set(blockRef(r.type, r.name, 'id', r.address.startsWith('data.')), String(r.config.name));
  return out;
}

/** The vault of each Key Vault secret, by secret name (lower case: Key Vault names compare without case). */
export function keyVaultOfSecrets(instances: readonly ResourceInstance[]): Map<string, string> {
  const vaults = keyVaultIds(instances);
  const out = new Map<string, string>();
  for (const r of instances) {
    if (r.type !== 'azurerm_key_vault_secret') continue;
    const vault = vaults.get(String(r.config.key_vault_id));
    if (vault !== undefined) out.set(String(r.config.name).toLowerCase(), vault);
  }
  return out;
}
