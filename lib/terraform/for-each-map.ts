import { Lazy, TerraformIterator, type MapTerraformIterator } from 'cdktf';

/**
 * A `for_each` iterator over a map computed when the stack is synthesized, so that entries added
 * after the resource was declared (grants, objects) still land in it. Keys are sorted.
 */
export function lazyForEach(produce: () => Record<string, unknown>): MapTerraformIterator {
  return TerraformIterator.fromMap(
    Lazy.anyValue({
      produce: () => {
        const map = produce();
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(map).sort()) out[k] = map[k];
        return out;
      },
    }) as unknown as Record<string, unknown>,
  );
}
