import type { TerraformStack } from 'cdktf';
import { MOVED_BLOCKS_CONTEXT } from '../lib/terraform/resource-blocks';

/**
 * Settings every stack of an environment shares, applied before anything is added to the stack:
 * moved blocks from earlier addresses when the environment asks for them.
 */
export function configureStack(stack: TerraformStack, plan: { readonly movedBlocks: boolean }): void {
  stack.node.setContext(MOVED_BLOCKS_CONTEXT, plan.movedBlocks);
}
