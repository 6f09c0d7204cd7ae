import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultTokenResolver, StringConcat, TerraformDataSource, TerraformElement, TerraformStack, Token, Tokenization, type App, type TerraformProvider, type TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';
import type { BlockBody } from './block-body';
import { blockAddress, blockName, blockRef } from './block-names';
import { claimAddress, markPurpose } from './address-claims';

/**
 * Context key: when true, every collection's blocks are written to a second Terraform file beside
 * the stack's cdk.tf.json (BLOCKS_FILE), which Terraform loads with it and cdktf never resolves;
 * otherwise they are part of cdk.tf.json. The configuration is the same either way.
 */
export const BLOCK_FILES_CONTEXT = 'secret-wiring:blockFiles';

/**
 * Context key: when true, collections that name the addresses of earlier versions emit `moved`
 * blocks from them. Terraform checks moved blocks against each other in quadratic time (10,000 of
 * them add about 20 s to a plan), so they are on only for the apply that upgrades a state.
 */
export const MOVED_BLOCKS_CONTEXT = 'secret-wiring:movedBlocks';

/** The second Terraform file of a stack folder in file mode. */
export const BLOCKS_FILE = 'instances.tf.json';

/** Terraform JSON of a block's lifecycle. */
export interface BlockLifecycle {
  readonly prevent_destroy?: boolean;
  readonly ignore_changes?: readonly string[];
  readonly create_before_destroy?: boolean;
  readonly precondition?: readonly { readonly condition: string; readonly error_message: string }[];
  readonly postcondition?: readonly { readonly condition: string; readonly error_message: string }[];
}

export interface ResourceBlocksProps {
  /** Terraform resource or data source type, e.g. `google_secret_manager_secret`. */
  readonly type: string;
  /** First part of every block's name (`<type>.<prefix>_<key>`, see blockName). */
  readonly prefix: string;
  /** Data sources rather than resources. @default false */
  readonly data?: boolean;
  /** Provider of every block. @default - the type's default provider */
  readonly provider?: TerraformProvider;
  /** Lifecycle of every block. @default - none */
  readonly lifecycle?: BlockLifecycle;
  /** Resources every block waits for (a handful; each block's own dependencies are references). @default - none */
  readonly dependsOn?: readonly (TerraformResource | TerraformDataSource)[];
  /**
   * Where an instance lived in earlier versions: the name of a `for_each` resource of the same type
   * (`type.name["key"]`), or a function giving full addresses, oldest first. With
   * MOVED_BLOCKS_CONTEXT on, a chain of `moved` blocks leads from each to the block.
   * @default - nothing moved
   */
  readonly movedFrom?: string | ((key: string) => readonly string[]);
  /**
   * What the blocks are for, recorded for the rule pack (`deployer-access`, `own-vault-reader`),
   * whatever the prefix. @default - nothing recorded
   */
  readonly purpose?: string;
}

/** Per-block options. */
export interface BlockOptions {
  /**
   * Addresses this block waits for besides what it references, or a function giving them when the
   * stack is synthesized. @default - none
   */
  readonly dependsOn?: readonly string[] | (() => readonly string[]);
  /** Lifecycle of this block, over the collection's. @default - the collection's */
  readonly lifecycle?: BlockLifecycle;
  /** The object exists: an `import` block brings it in under this import id. @default - created */
  readonly importId?: string;
}

interface Entry {
  readonly name: string;
  readonly body: Record<string, unknown>;
  readonly options: BlockOptions;
}

/** Terraform JSON of blocks (a part of a stack's configuration). */
export interface BlocksJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  import?: { to: string; id: string }[];
  moved?: { from: string; to: string }[];
}

const collections = new WeakMap<TerraformStack, ResourceBlocks<unknown>[]>();

/** The address of a cdktf resource or data source, for `depends_on`. */
export function dependableAddress(r: TerraformResource | TerraformDataSource): string {
  return blockAddress(r.terraformResourceType, r.friendlyUniqueId, r instanceof TerraformDataSource);
}

function providerAddress(p: TerraformProvider): string {
  return p.alias ? `${p.terraformResourceType}.${p.alias}` : p.terraformResourceType;
}

/**
 * A collection of resource (or data source) blocks of one type, one block per key, each with its
 * own address (`google_secret_manager_secret.secrets_service-a_FOO_PASSWORD`), instead of one
 * `for_each` resource. Terraform plans such blocks in time linear in their number: a `for_each`
 * resource whose instances depend on, or refer by key to, another `for_each` resource makes every
 * instance evaluate the whole other map (19,022 instances had not planned after 18 minutes; as
 * blocks, 123 s). cdktf sees one element whatever the count, so synthesis stays fast too.
 *
 * Bodies are typed from the provider binding's config (`ResourceBlocks<SecretManagerSecretConfig>`).
 */
export class ResourceBlocks<C> extends TerraformElement {
  private readonly entries = new Map<string, Entry>();
  private readonly props: ResourceBlocksProps;
  private readonly stack: TerraformStack;
  /** The last blocks() result and the number of entries it was made from (entries only grow). */
  private memo?: { size: number; json: BlocksJson };

  constructor(scope: Construct, id: string, props: ResourceBlocksProps) {
    super(scope, id);
    this.props = props;
    blockName(props.prefix, 'x'); // checks the prefix
    this.stack = TerraformStack.of(this);
    let known = collections.get(this.stack);
    if (!known) collections.set(this.stack, (known = []));
    known.push(this as ResourceBlocks<unknown>);
  }

  public get type(): string {
    return this.props.type;
  }

  public get data(): boolean {
    return this.props.data ?? false;
  }

  /** Adds the block of `key`; adding the same key twice is an error. */
  public add(key: string, body: BlockBody<C>, options: BlockOptions = {}): void {
    if (this.entries.has(key)) throw new Error(`${this.node.path}: ${this.props.type} ${JSON.stringify(key)} is already declared`);
    const name = blockName(this.props.prefix, key);
    const address = blockAddress(this.props.type, name, this.data);
    claimAddress(this, address, key);
    if (this.props.purpose) markPurpose(this, address, this.props.purpose);
    this.entries.set(key, { name, body: body as Record<string, unknown>, options });
  }

  public has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Keys, sorted. */
  public get keys(): string[] {
    return [...this.entries.keys()].sort();
  }

  public get size(): number {
    return this.entries.size;
  }

  /** Each key with its block name, in the order they were added. */
  public *names(): IterableIterator<[string, string]> {
    for (const [key, e] of this.entries) yield [key, e.name];
  }

  /** The block name of `key`. */
  public nameOf(key: string): string {
    return this.entries.get(key)?.name ?? blockName(this.props.prefix, key);
  }

  /** The address of `key`'s block (`type.name`, `data.type.name`). */
  public addressOf(key: string): string {
    return blockAddress(this.props.type, this.nameOf(key), this.data);
  }

  /** Terraform expression of an attribute of `key`'s block (`${type.name.attribute}`). */
  public ref(key: string, attribute: string): string {
    if (!this.entries.has(key)) throw new Error(`${this.node.path}: no ${this.props.type} ${JSON.stringify(key)}`);
    return blockRef(this.props.type, this.nameOf(key), attribute, this.data);
  }

  /** The collection's Terraform JSON, blocks in key order. */
  public blocks(): BlocksJson {
    if (this.memo?.size === this.entries.size) return this.memo.json;
    const json = this.render();
    this.memo = { size: this.entries.size, json };
    return json;
  }

  private render(): BlocksJson {
    const p = this.props;
    const byName: Record<string, Record<string, unknown>> = {};
    const imports: { to: string; id: string }[] = [];
    const moved: { from: string; to: string }[] = [];
    const movedOn = p.movedFrom && this.node.tryGetContext(MOVED_BLOCKS_CONTEXT) === true;
    const provider = p.provider ? { provider: providerAddress(p.provider) } : {};
    const resolve = tokenResolver(this.stack);
    const after = (p.dependsOn ?? []).map(dependableAddress);
    for (const key of this.keys) {
      const { name, body, options } = this.entries.get(key)!;
      const own = typeof options.dependsOn === 'function' ? options.dependsOn() : (options.dependsOn ?? []);
      const dependsOn = [...after, ...own];
      const lifecycle = p.lifecycle || options.lifecycle ? { lifecycle: { ...p.lifecycle, ...options.lifecycle } } : {};
      // Collection and key, for readers of the configuration and the rule pack (Terraform ignores "//").
      byName[name] = { '//': { collection: p.prefix, key }, ...(resolve(body) as Record<string, unknown>), ...provider, ...lifecycle, ...(dependsOn.length > 0 ? { depends_on: dependsOn } : {}) };
      const to = blockAddress(p.type, name, this.data);
      if (options.importId !== undefined) imports.push({ to, id: options.importId });
      if (movedOn) {
        const from = typeof p.movedFrom === 'string' ? [`${p.type}.${p.movedFrom}[${JSON.stringify(key)}]`] : p.movedFrom!(key);
        const chain = [...from, to];
        for (let i = 0; i + 1 < chain.length; i++) moved.push({ from: chain[i], to: chain[i + 1] });
      }
    }
    if (this.entries.size === 0) return {};
    return {
      [this.data ? 'data' : 'resource']: { [p.type]: byName },
      ...(imports.length > 0 ? { import: imports } : {}),
      ...(moved.length > 0 ? { moved } : {}),
    };
  }

  public toTerraform(): Record<string, unknown> {
    return this.node.tryGetContext(BLOCK_FILES_CONTEXT) === true ? {} : (this.blocks() as Record<string, unknown>);
  }
}

/**
 * Puts the Terraform expression of every cdktf token in a value (a reference such as a vault's id),
 * resolving each distinct token once; values without tokens are returned as they are.
 */
function tokenResolver(stack: TerraformStack): (value: unknown) => unknown {
  const cache = new Map<string, unknown>();
  const resolver = new DefaultTokenResolver(new StringConcat());
  const resolve = (x: unknown) => Tokenization.resolve(x, { scope: stack, resolver });
  // Bodies are large and almost never hold a token: the walk allocates nothing unless it finds one.
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      // cdktf encodes tokens in strings as ${TfToken[...]} (lists as #{TfToken[...]}): a cheap test first.
      if (!value.includes('TfToken[') || !Token.isUnresolved(value)) return value;
      let r = cache.get(value);
      if (r === undefined) cache.set(value, (r = resolve(value)));
      return r;
    }
    if (typeof value === 'number') return Token.isUnresolved(value) ? resolve(value) : value;
    if (value === null || typeof value !== 'object') return value;
    if (typeof (value as { resolve?: unknown }).resolve === 'function') return resolve(value);
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const x = walk(value[i]);
        if (x !== value[i]) (out ??= [...value])[i] = x;
      }
      return out ?? value;
    }
    let out: Record<string, unknown> | undefined;
    for (const k in value as Record<string, unknown>) {
      const v = (value as Record<string, unknown>)[k];
      const x = walk(v);
      if (x !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = x;
    }
    return out ?? value;
  };
  return walk;
}

/** Merges Terraform JSON fragments (blocks by type and name, import and moved lists). */
export function mergeBlocks(into: BlocksJson, from: BlocksJson): BlocksJson {
  for (const section of ['resource', 'data'] as const) {
    for (const [type, byName] of Object.entries(from[section] ?? {})) {
      const target = ((into[section] ??= {})[type] ??= {});
      for (const [name, block] of Object.entries(byName)) {
        if (name in target) throw new Error(`two blocks are named ${section === 'data' ? 'data.' : ''}${type}.${name}`);
        target[name] = block;
      }
    }
  }
  if (from.import) (into.import ??= []).push(...from.import);
  if (from.moved) (into.moved ??= []).push(...from.moved);
  return into;
}

/**
 * The blocks of a stack that are not in its cdk.tf.json (file mode), one part per collection (the
 * collections' names never meet: a validation checks it); none in inline mode, where they are part
 * of the stack's own JSON.
 */
export function externalBlocks(stack: TerraformStack): BlocksJson[] {
  if (stack.node.tryGetContext(BLOCK_FILES_CONTEXT) !== true) return [];
  return (collections.get(stack) ?? []).map((c) => c.blocks()).filter((b) => Object.keys(b).length > 0);
}

/**
 * The text of a blocks file: JSON with one block (or import or moved entry) a line, so that a diff
 * shows each changed block as one line, Terraform's messages name a block by its line, and the file
 * is half the size of indented JSON. Parts of the same type are written together.
 */
export function blocksFileText(parts: readonly BlocksJson[]): string {
  let text = '{';
  let sections = 0;
  const open = (name: string, bracket: string) => {
    text += `${sections++ > 0 ? ',' : ''}\n${JSON.stringify(name)}: ${bracket}`;
  };
  for (const section of ['resource', 'data'] as const) {
    const byType = new Map<string, Record<string, unknown>[]>();
    for (const part of parts) for (const [type, byName] of Object.entries(part[section] ?? {})) byType.set(type, [...(byType.get(type) ?? []), byName]);
    if (byType.size === 0) continue;
    open(section, '{');
    let types = 0;
    for (const [type, groups] of byType) {
      text += `${types++ > 0 ? ',' : ''}\n ${JSON.stringify(type)}: {`;
      let blocks = 0;
      // Block names are Terraform identifiers: they need no escaping.
      for (const byName of groups) for (const name in byName) text += `${blocks++ > 0 ? ',' : ''}\n  "${name}": ${JSON.stringify(byName[name])}`;
      text += '\n }';
    }
    text += '\n}';
  }
  for (const section of ['import', 'moved'] as const) {
    const list = parts.flatMap((p): readonly unknown[] => p[section] ?? []);
    if (list.length === 0) continue;
    open(section, '[');
    text += list.map((x) => `\n ${JSON.stringify(x)}`).join(',');
    text += '\n]';
  }
  return `${text}\n}\n`;
}

/**
 * Writes each stack's blocks file (file mode) into its folder as cdktf's manifest.json names it.
 * Call after `app.synth()`.
 */
export function writeBlockFiles(app: App, outdir: string): void {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { workingDirectory: string }> };
  for (const stack of app.node.children) {
    if (!TerraformStack.isStack(stack)) continue;
    const entry = manifest.stacks[stack.node.id];
    const parts = externalBlocks(stack as TerraformStack);
    if (!entry || parts.length === 0) continue;
    const dir = join(outdir, entry.workingDirectory);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, BLOCKS_FILE), blocksFileText(parts));
  }
}
