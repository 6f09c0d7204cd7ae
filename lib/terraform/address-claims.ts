import { TerraformDataSource, TerraformElement, TerraformOutput, TerraformResource, TerraformStack, TerraformVariable, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { blockAddress } from './block-names';

/**
 * Who owns what a stack writes. Two blocks of one Terraform address are merged into one by the JSON
 * they are written to, silently (a secret landing in the other project, a grant in the other
 * vault); two blocks of one cloud object under two addresses fight over it (each apply undoing the
 * other, a destroy deleting what the other still holds). Both are refused, naming both owners.
 */

/** Who claimed an address or an object: a construct, and the key of a collection's block. */
interface Claim {
  readonly owner: Construct;
  readonly key?: string;
}

const describe = (c: Claim) => (c.key === undefined ? c.owner.node.path : `${c.owner.node.path} (${JSON.stringify(c.key)})`);

/** Terraform addresses claimed in each stack. */
const addresses = new WeakMap<TerraformStack, Map<string, Claim>>();
/** Cloud objects claimed in each app (one state may manage each), by kind, then identity. */
const objects = new WeakMap<object, Map<string, Map<string, Claim>>>();
/** Each claiming construct's stack and app's object claims, looked up once. */
const places = new WeakMap<Construct, { stack: TerraformStack; objects: Map<string, Map<string, Claim>> }>();

function placeOf(owner: Construct): { stack: TerraformStack; objects: Map<string, Map<string, Claim>> } {
  let place = places.get(owner);
  if (!place) {
    const root = owner.node.root;
    let byKind = objects.get(root);
    if (!byKind) objects.set(root, (byKind = new Map()));
    places.set(owner, (place = { stack: TerraformStack.of(owner), objects: byKind }));
  }
  return place;
}

/**
 * Claims a Terraform address in the stack of `owner` (for the block of `key`, in a collection), or
 * throws when another owner holds it.
 */
export function claimAddress(owner: Construct, address: string, key?: string): void {
  const { stack } = placeOf(owner);
  let claimed = addresses.get(stack);
  if (!claimed) {
    addresses.set(stack, (claimed = new Map()));
    const map = claimed;
    stack.node.addValidation({ validate: () => sharedAddresses(stack, map) });
  }
  const other = claimed.get(address);
  if (other !== undefined && (other.owner !== owner || other.key !== key)) {
    throw new Error(
      `${describe({ owner, key })}: Terraform address ${address} is already claimed by ${describe(other)} in stack ${stack.node.id}; ` +
        'two blocks of one address would be merged into one: give one of the constructs another resourceName',
    );
  }
  claimed.set(address, { owner, key });
}

/**
 * Claims one cloud object (`what`, e.g. "Secret Manager secret", and its identity, e.g.
 * `project/secret-id`, compared without case where the cloud ignores case) for `owner` in its app,
 * or throws when another block of the app already manages it.
 */
export function claimObject(owner: Construct, what: string, identity: string, key?: string): void {
  const place = placeOf(owner);
  const byKind = place.objects;
  // An identity made of Terraform expressions (a scope, a principal) names what it refers to in its
  // own stack: the same text in another stack (another environment) is another object.
  if (identity.includes('${') || Token.isUnresolved(identity)) identity = `${identity} in stack ${place.stack.node.path}`;
  let claimed = byKind.get(what);
  if (!claimed) byKind.set(what, (claimed = new Map()));
  const other = claimed.get(identity);
  if (other !== undefined && (other.owner !== owner || other.key !== key)) {
    throw new Error(
      `${describe({ owner, key })}: ${what} ${identity} is already managed by ${describe(other)}; ` +
        'two blocks of one object would fight over it (each apply undoing the other, a destroy deleting what the other still holds): declare it once',
    );
  }
  claimed.set(identity, { owner, key });
}

/** What each address of a stack is for, as the construct that made it recorded (see purposes.ts). */
const purposes = new WeakMap<TerraformStack, Map<string, string>>();

/** Records what the block at `address` in the stack of `owner` is for. */
export function markPurpose(owner: Construct, address: string, purpose: string): void {
  const { stack } = placeOf(owner);
  let byAddress = purposes.get(stack);
  if (!byAddress) purposes.set(stack, (byAddress = new Map()));
  byAddress.set(address, purpose);
}

/** What each address of the stack is for, as recorded by markPurpose. */
export function purposesOf(stack: TerraformStack): ReadonlyMap<string, string> {
  return purposes.get(stack) ?? new Map();
}

/**
 * Gives a cdktf resource, data source or variable a fixed Terraform name (stable whatever the
 * construct tree), claiming its address so that a second one of that name fails loudly.
 */
export function fixedName(element: TerraformElement & { terraformResourceType?: string }, name: string, kind: 'resource' | 'data' | 'variable' = 'resource'): void {
  const address = kind === 'variable' ? `var.${name}` : blockAddress(element.terraformResourceType ?? '', name, kind === 'data');
  claimAddress(element, address);
  element.overrideLogicalId(name);
}

/** The Terraform address of a cdktf element, or undefined for a provider, backend or other element. */
function addressOf(e: TerraformElement): string | undefined {
  if (e instanceof TerraformResource) return blockAddress(e.terraformResourceType, e.friendlyUniqueId);
  if (e instanceof TerraformDataSource) return blockAddress(e.terraformResourceType, e.friendlyUniqueId, true);
  if (e instanceof TerraformVariable) return `var.${e.friendlyUniqueId}`;
  if (e instanceof TerraformOutput) return `output.${e.friendlyUniqueId}`;
  return undefined;
}

/**
 * Addresses that a resource, data source, variable or output made by cdktf (one of the user's own,
 * named by its logical id) shares with a block or a fixed name of the product's, or with another
 * such element, as validation messages.
 */
function sharedAddresses(stack: TerraformStack, claimed: Map<string, Claim>): string[] {
  const seen = new Map<string, Construct>();
  const out: string[] = [];
  for (const node of stack.node.findAll()) {
    if (!(node instanceof TerraformElement)) continue;
    const address = addressOf(node);
    if (address === undefined) continue;
    const claim = claimed.get(address);
    const first = seen.get(address);
    if (claim !== undefined && claim.owner !== node) {
      out.push(`${node.node.path}: Terraform address ${address} is also the address of ${describe(claim)}; two blocks of one address would be merged into one: rename one of them`);
    } else if (first !== undefined) {
      out.push(`${node.node.path}: Terraform address ${address} is also the address of ${first.node.path}; two blocks of one address would be merged into one: rename one of them`);
    }
    if (first === undefined) seen.set(address, node);
  }
  return out;
}

/**
 * The construct behind each Terraform address of a stack: a collection's blocks map to the
 * collection, a cdktf resource, data source, variable or output to itself.
 */
export function addressOwners(stack: TerraformStack): Map<string, Construct> {
  const out = new Map<string, Construct>();
  for (const [address, claim] of addresses.get(stack) ?? []) out.set(address, claim.owner);
  for (const node of stack.node.findAll()) {
    if (!(node instanceof TerraformElement)) continue;
    const address = addressOf(node);
    if (address !== undefined && !out.has(address)) out.set(address, node);
  }
  return out;
}
