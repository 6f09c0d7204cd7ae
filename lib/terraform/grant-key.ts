import { Token } from 'cdktf';
import { isExpression, requireLiteral } from './construct-checks';

/**
 * The key of a grant, which its Terraform name is made from: the one given, else
 * `<reader key>/<secret>`, else `<principal>/<secret>` for a principal written as a literal. A
 * principal known only at apply (a Terraform expression, a cdktf token) cannot name a block: a
 * name built from it would change with the expression's spelling or the token's number between
 * two syntheses, and Terraform would replace the grant. That case is refused, saying what to pass.
 *
 * @param where the construct path and call, for the message
 * @param readerHint how to make a reader on this cloud, for the message
 */
export function grantKey(where: string, secret: string, reader: { readonly readerKey: string } | string, key: string | undefined, readerHint: string): string {
  if (key !== undefined) {
    requireLiteral(where, 'key', key);
    return key;
  }
  if (typeof reader !== 'string') {
    requireLiteral(where, "the reader's readerKey", reader?.readerKey);
    return `${reader.readerKey}/${secret}`;
  }
  if (isExpression(reader)) {
    const what = Token.isUnresolved(reader) ? '(a value holding a cdktf token)' : JSON.stringify(reader);
    throw new Error(
      `${where}: the principal ${what} is known only at apply, and a grant's Terraform name must be known at plan: ` +
        `pass a reader (${readerHint}), or give the grant a key ({ key: "<reader>/${secret}" })`,
    );
  }
  return `${reader}/${secret}`;
}
