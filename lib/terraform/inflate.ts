import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FOR_EACH_FOLDER } from './for-each-map';

const LOCAL = /^\$\{local\.([A-Za-z0-9_-]+)\}$/;

/**
 * A copy of a synthesized stack with every `for_each = local.NAME` replaced by the map it stands
 * for, so that readers (the rule pack, the access report, tests) see each instance either way.
 */
export function inflateStack<T extends Record<string, any>>(stackJson: T, read: (name: string) => Record<string, unknown> | undefined): T {
  const out: Record<string, any> = { ...stackJson };
  for (const section of ['resource', 'data']) {
    if (!stackJson[section]) continue;
    out[section] = {};
    for (const [type, byName] of Object.entries<Record<string, any>>(stackJson[section])) {
      out[section][type] = {};
      for (const [name, block] of Object.entries<any>(byName)) {
        const m = typeof block.for_each === 'string' ? LOCAL.exec(block.for_each) : null;
        const data = m ? read(m[1]) : undefined;
        out[section][type][name] = data ? { ...block, for_each: data } : block;
      }
    }
  }
  return out as T;
}

/** Reads the data file of a local from a synthesized stack's folder. */
export function readForEachFile(stackDir: string): (name: string) => Record<string, unknown> | undefined {
  return (name) => {
    const file = join(stackDir, FOR_EACH_FOLDER, `${name}.json`);
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  };
}

/** Reads a synthesized stack (cdk.tf.json) with its for_each data files put in place. */
export function readStack(stackDir: string): Record<string, any> {
  return inflateStack(JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')), readForEachFile(stackDir));
}
