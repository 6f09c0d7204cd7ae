import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mergeBlocks, type BlocksJson } from './resource-blocks';

/**
 * A synthesized stack as Terraform reads it: its cdk.tf.json with every other `*.tf.json` file of
 * its folder (the blocks file) merged in.
 */
export function readStack(stackDir: string): Record<string, any> {
  const stack = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as Record<string, any>;
  for (const f of readdirSync(stackDir).filter((n) => n.endsWith('.tf.json') && n !== 'cdk.tf.json').sort()) {
    mergeBlocks(stack as BlocksJson, JSON.parse(readFileSync(join(stackDir, f), 'utf8')) as BlocksJson);
  }
  return stack;
}

/** A stack's JSON with blocks merged in (a copy of the sections it changes; the rest shared). */
export function withBlocks<T extends Record<string, any>>(stackJson: T, blocks: BlocksJson): T {
  if (Object.keys(blocks).length === 0) return stackJson;
  const out: Record<string, any> = { ...stackJson };
  for (const section of ['resource', 'data'] as const) {
    if (out[section]) out[section] = Object.fromEntries(Object.entries<Record<string, unknown>>(out[section]).map(([t, byName]) => [t, { ...byName }]));
  }
  for (const section of ['import', 'moved'] as const) if (out[section]) out[section] = [...out[section]];
  mergeBlocks(out as BlocksJson, blocks);
  return out as T;
}
