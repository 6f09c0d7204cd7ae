import { TerraformElement, type TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';

/** One Terraform `import` block: bring an existing object under management at `resource[key]`. */
export interface ImportEntry {
  readonly resource: TerraformResource;
  /** for_each key of the instance. */
  readonly key: string;
  /** Provider-specific import id. */
  readonly id: string;
}

/**
 * Terraform `import` blocks for instances of `for_each` resources (cdktf's own `importFrom` cannot
 * name an instance key). Entries are read when the stack is synthesized.
 */
export class ImportBlocks extends TerraformElement {
  private readonly entries: (() => readonly ImportEntry[])[] = [];

  constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  /** Adds a source of entries, read at synthesis. */
  public addEntries(source: () => readonly ImportEntry[]): void {
    this.entries.push(source);
  }

  public toTerraform(): Record<string, unknown> {
    const all = this.entries.flatMap((f) => f());
    if (all.length === 0) return {};
    return {
      import: all.map((e) => ({
        to: `${e.resource.terraformResourceType}.${e.resource.friendlyUniqueId}[${JSON.stringify(e.key)}]`,
        id: e.id,
      })),
    };
  }
}
