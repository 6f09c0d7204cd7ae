import { createHash } from 'node:crypto';

/**
 * Terraform names of resource blocks: one block per instance, named from the collection it belongs
 * to (`prefix`) and the instance's key, so that an address reads like the key it comes from:
 *
 * - `secrets` + `service-a_FOO_PASSWORD` -> `secrets_service-a_FOO_PASSWORD`
 * - `secret_accessors` + `service-b/service-a_FOO_PASSWORD` -> `secret_accessors_service-b__service-a_FOO_PASSWORD`
 * - `admin` + `ExternalSecret/service-a/secret-a` -> `admin_ExternalSecret__service-a__secret-a`
 *
 * A key is split at `/`; each part is kept as it is when it holds only letters, digits, `-` and
 * single inner `_`, and the parts are joined with `__`. Such names decode back to their key, so two
 * keys of one collection never share a name. Any other key (other characters, `__`, a part that
 * starts or ends with `_`, an empty part) is written as a readable slug, `___` and a hash of the
 * whole key: no name of the first form contains `___`, so the two forms never meet either.
 *
 * No cdktf here: the policy rules name blocks with the same function.
 */

const PART = /^[A-Za-z0-9-]+(?:_[A-Za-z0-9-]+)*$/;
const PREFIX = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Characters of the hash that makes names of irregular keys unique (40 bits). */
export const NAME_HASH_LENGTH = 10;

/** Longest slug kept in the name of an irregular key, before its hash. */
const SLUG_LENGTH = 60;

/** The block name of the instance `key` of the collection `prefix`. */
export function blockName(prefix: string, key: string): string {
  if (!PREFIX.test(prefix) || prefix.endsWith('_') || prefix.includes('___')) {
    throw new Error(`a block name prefix is a Terraform identifier that neither ends with _ nor holds ___: ${JSON.stringify(prefix)}`);
  }
  const parts = key.split('/');
  if (parts.every((p) => PART.test(p))) return `${prefix}_${parts.join('__')}`;
  const slug = key.replace(/[^A-Za-z0-9-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, SLUG_LENGTH).replace(/_+$/, '');
  const hash = createHash('sha256').update(key).digest('hex').slice(0, NAME_HASH_LENGTH);
  return `${prefix}_${slug ? `${slug}___` : '__'}${hash}`;
}

/** Terraform address of a block: `type.name`, or `data.type.name` for a data source. */
export function blockAddress(type: string, name: string, data = false): string {
  return `${data ? 'data.' : ''}${type}.${name}`;
}

/** Terraform expression of one attribute of a block (`${type.name.attribute}`). */
export function blockRef(type: string, name: string, attribute: string, data = false): string {
  return `\${${blockAddress(type, name, data)}.${attribute}}`;
}
