import type { TerraformMetaArguments } from 'cdktf';

/** `secretId` -> `secret_id`, as cdktf names the arguments of its provider bindings in Terraform. */
export type SnakeCase<S extends string> = S extends `${infer C}${infer R}`
  ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${SnakeCase<R>}`
  : S;

/** A value of a block's argument: the binding's type, or a Terraform expression (`${...}`) in its place. */
export type BlockValue<V> = V extends string | number | boolean
  ? V | string
  : V extends readonly (infer E)[]
    ? readonly BlockValue<E>[] | string
    : V extends object
      ? string extends keyof V
        ? V
        : BlockBody<V> | string
      : V;

/**
 * The arguments of a resource or data source block in Terraform JSON, typed from the cdktf binding's
 * config interface (`SecretManagerSecretConfig` -> `{ secret_id: string; labels?: ...; ... }`), so that
 * a misspelt or missing argument fails to compile although no construct is made per block.
 * Meta-arguments (provider, depends_on, lifecycle, for_each) are the collection's, not the body's.
 */
export type BlockBody<C> = {
  [K in keyof Omit<C, keyof TerraformMetaArguments> as K extends string ? SnakeCase<K> : never]: BlockValue<C[K]>;
};
