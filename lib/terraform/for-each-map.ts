import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lazy, TerraformIterator, TerraformLocal, TerraformStack, type App, type MapTerraformIterator } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * Context key: when true, the maps that resources iterate are written as JSON files next to the
 * stack (`for_each/<name>.json`) and read by Terraform with `jsondecode(file(...))`, instead of
 * being inlined into cdk.tf.json. Addresses and plans are the same either way; large declarations
 * synthesize several times faster because cdktf no longer resolves every value of the maps.
 */
export const FOR_EACH_FILES_CONTEXT = 'secret-wiring:forEachFiles';

/** Folder of the data files inside a stack's folder. */
export const FOR_EACH_FOLDER = 'for_each';

const producers = new WeakMap<TerraformStack, Map<string, () => Record<string, unknown>>>();

/** The maps of a stack written as data files, by local name (for rules that read the stack). */
export function forEachData(stack: TerraformStack): ReadonlyMap<string, () => Record<string, unknown>> {
  return producers.get(stack) ?? new Map();
}

/**
 * A `for_each` iterator over a map computed when the stack is synthesized, so that entries added
 * after the resource was declared (grants, objects) still land in it. Keys are sorted.
 *
 * @param name unique in the stack; names the local and the data file in file mode
 * @param version changes whenever the map would: the map is computed again only then (sources
 *   that only grow can pass their size) @default - computed on every read
 */
export function forEachMap(scope: Construct, name: string, produce: () => Record<string, unknown>, version?: () => number): MapTerraformIterator {
  let cached: { version: number; map: Record<string, unknown> } | undefined;
  const sorted = () => {
    const v = version?.();
    if (cached && v !== undefined && cached.version === v) return cached.map;
    const map = produce();
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(map).sort()) out[k] = map[k];
    if (v !== undefined) cached = { version: v, map: out };
    return out;
  };
  if (scope.node.tryGetContext(FOR_EACH_FILES_CONTEXT) !== true) {
    return TerraformIterator.fromMap(Lazy.anyValue({ produce: sorted }) as unknown as Record<string, unknown>);
  }
  const stack = TerraformStack.of(scope);
  let known = producers.get(stack);
  if (!known) producers.set(stack, (known = new Map()));
  if (known.has(name)) throw new Error(`${scope.node.path}: a for_each map named ${name} already exists in stack ${stack.node.id}`);
  known.set(name, sorted);
  const local = new TerraformLocal(scope, `ForEach-${name}`, `\${jsondecode(file("\${path.module}/${FOR_EACH_FOLDER}/${name}.json"))}`);
  local.overrideLogicalId(name);
  // Values read from a file are plain strings to Terraform: a map that holds references
  // (`${...}`) must stay inline to be evaluated.
  const forEach = Lazy.anyValue({
    produce: () => {
      const data = sorted();
      return holdsReference(data) ? data : `\${local.${name}}`;
    },
  });
  return TerraformIterator.fromMap(forEach as unknown as Record<string, unknown>);
}

/** Whether any string in a value holds a Terraform reference (`${`); stops at the first. */
export function holdsReference(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${');
  if (Array.isArray(value)) return value.some(holdsReference);
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) if (holdsReference(v)) return true;
  }
  return false;
}

/**
 * A small map of Terraform expressions (principals, issuers) as an inline local, so that a large
 * `for_each` map can name its entries by key and stay free of references.
 */
export function lookupLocal(scope: Construct, name: string, produce: () => Record<string, string>): string {
  const local = new TerraformLocal(scope, `Lookup-${name}`, Lazy.anyValue({ produce: () => {
    const map = produce();
    return Object.fromEntries(Object.keys(map).sort().map((k) => [k, map[k]]));
  } }));
  local.overrideLogicalId(name);
  return name;
}

/**
 * Writes the data files of every stack of a synthesized app (file mode), into each stack's working
 * directory as cdktf's manifest.json names it. Call after `app.synth()`.
 */
export function writeForEachFiles(app: App, outdir: string): void {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { workingDirectory: string }> };
  for (const stack of app.node.children) {
    if (!TerraformStack.isStack(stack)) continue;
    const maps = producers.get(stack as TerraformStack);
    const entry = manifest.stacks[stack.node.id];
    if (!maps || !entry) continue;
    const dir = join(outdir, entry.workingDirectory, FOR_EACH_FOLDER);
    mkdirSync(dir, { recursive: true });
    for (const [name, produce] of maps) writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(produce(), null, 1)}\n`);
  }
}
