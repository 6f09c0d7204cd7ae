import { TerraformElement, type TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';

/** One Terraform `moved` block between instances of `for_each` resources. */
export interface MovedEntry {
  readonly from: { readonly resource: TerraformResource; readonly key: string } | { readonly address: string };
  readonly to: { readonly resource: TerraformResource; readonly key: string };
}

function address(x: MovedEntry['from']): string {
  return 'address' in x ? x.address : `${x.resource.terraformResourceType}.${x.resource.friendlyUniqueId}[${JSON.stringify(x.key)}]`;
}

/**
 * Terraform `moved` blocks, so that an instance whose address changed is moved in the state
 * instead of destroyed and created again. Entries are read when the stack is synthesized.
 */
export class MovedBlocks extends TerraformElement {
  private readonly sources: (() => readonly MovedEntry[])[] = [];

  constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  public addEntries(source: () => readonly MovedEntry[]): void {
    this.sources.push(source);
  }

  public toTerraform(): Record<string, unknown> {
    const all = this.sources.flatMap((f) => f()).map((e) => ({ from: address(e.from), to: address(e.to) }));
    if (all.length === 0) return {};
    return { moved: all.sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0)) };
  }
}
