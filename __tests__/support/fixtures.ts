import type { Declaration } from '../../lib/declaration/schema';

/** A small valid declaration: two environments, two services, one `from`. */
export function baseDeclaration(): Declaration {
  return {
    environments: {
      evaluation: {
        gcp: {
          project: 'demo-evaluation',
          projectNumber: '111111111111',
          clusters: [
            { name: 'admin', location: 'asia-northeast1' },
            { name: 'jobs', location: 'asia-northeast1' },
          ],
        },
      },
      production: {
        gcp: {
          project: 'demo-production',
          projectNumber: '222222222222',
          clusters: [{ name: 'admin', location: 'asia-northeast1' }],
        },
      },
    },
    services: {
      'service-a': {
        secrets: {
          'secret-a': {
            FOO_PASSWORD: {},
            API_TOKEN: { remoteName: 'hoge-token', version: '1' },
            DEBUG_KEY: { environments: ['evaluation'] },
          },
        },
      },
      'service-b': {
        secrets: {
          'secret-b': {
            BAR_PASSWORD: {},
            FOO_PASSWORD: { from: 'service-a/secret-a/FOO_PASSWORD' },
          },
        },
      },
    },
  };
}

/** A copy of the base declaration changed by `edit`. */
export function declarationWith(edit: (d: any) => void): Declaration {
  const d = JSON.parse(JSON.stringify(baseDeclaration()));
  edit(d);
  return d;
}

/** The problems a declaration is rejected with; fails the test when it is accepted. */
export function problemsOf(decl: unknown): readonly import('../../lib/declaration/problem').Problem[] {
  const { parseDeclaration } = require('../../lib/declaration/load');
  const { DeclarationError } = require('../../lib/declaration/problem');
  try {
    parseDeclaration(decl);
  } catch (e) {
    if (e instanceof DeclarationError) return (e as InstanceType<typeof DeclarationError>).problems;
    throw e;
  }
  throw new Error('expected the declaration to be rejected');
}
