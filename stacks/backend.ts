import type { TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';

/** Sets a stack's backend; `stackName` is the stack's id (`production-gcp`), for a state key. */
export type BackendFactory = (stack: TerraformStack, stackName: string) => void;

const factories = new WeakMap<IConstruct, BackendFactory>();

/**
 * Gives every environment stack made under `scope` (an App, or a construct of the user's own) the
 * backend `factory` sets, instead of the declaration's state bucket or the local state file beside
 * this repository's output folder (`../../../terraform.<stack>.tfstate`, relative to
 * `cdktf.out/stacks/<stack>/`).
 *
 * @example useBackend(app, (stack, name) => new S3Backend(stack, { bucket: 'tf-state', key: `${name}.tfstate`, region: 'eu-west-1' }))
 */
export function useBackend(scope: IConstruct, factory: BackendFactory): void {
  factories.set(scope, factory);
}

/** The backend factory `useBackend` gave the stack or its nearest ancestor, if any. */
export function backendOf(stack: TerraformStack): BackendFactory | undefined {
  for (const s of [...stack.node.scopes].reverse()) {
    const f = factories.get(s);
    if (f) return f;
  }
  return undefined;
}
