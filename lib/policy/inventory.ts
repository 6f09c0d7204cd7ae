import type { ResourceInstance } from './types';

const EACH_VALUE = /^\$\{each\.value\.([A-Za-z0-9_]+)\}$/;

function substitute(value: unknown, key: string, each: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    if (value === '${each.key}') return key;
    const m = EACH_VALUE.exec(value);
    return m && m[1] in each ? each[m[1]] : value;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, key, each));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, key, each)]));
  return value;
}

/** Every resource instance of a synthesized stack (for_each maps expanded), in address order. */
export function resourceInstances(stackJson: { resource?: Record<string, Record<string, any>> }): ResourceInstance[] {
  const out: ResourceInstance[] = [];
  for (const [type, byName] of Object.entries(stackJson.resource ?? {})) {
    for (const [name, block] of Object.entries(byName)) {
      const { for_each: forEach, '//': _meta, ...config } = block as Record<string, any>;
      if (forEach && typeof forEach === 'object' && !Array.isArray(forEach)) {
        for (const [key, each] of Object.entries<any>(forEach)) {
          out.push({ type, name, key, address: `${type}.${name}[${JSON.stringify(key)}]`, config: substitute(config, key, each ?? {}) as Record<string, any> });
        }
      } else {
        out.push({ type, name, address: `${type}.${name}`, config });
      }
    }
  }
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}
