/**
 * A key that takes one field of a JSON remote secret (External Secrets' remoteRef.property).
 */
import { parseDeclaration } from '../lib/declaration/load';
import { formatPath } from '../lib/declaration/problem';
import { planGcpEnvironment } from '../lib/plan/gcp-plan';
import { declarationWith, problemsOf } from './support/fixtures';
import { validateExternalSecretsObject } from './support/schemas';

test('two keys taking two fields of one JSON secret: one remote secret, one grant, remoteRef.property on each entry, valid against the CRD', () => {
  const model = parseDeclaration(
    declarationWith((d) => {
      d.services['service-a'].secrets.db = { DB_USER: { remoteName: 'service-a_db', adopt: false, property: 'user' }, DB_PASSWORD: { remoteName: 'service-a_db', adopt: false, property: 'password' } };
    }),
  );
  const plan = planGcpEnvironment(model, model.environments[0]);
  expect(Object.keys(plan.secrets).filter((s) => s === 'service-a_db')).toEqual(['service-a_db']);
  expect(Object.keys(plan.grants).filter((g) => g.endsWith('service-a_db'))).toEqual(['service-a/service-a_db']);
  const es = plan.objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'db') as any;
  expect(es.spec.data.map((x: any) => [x.secretKey, x.remoteRef])).toEqual([
    ['DB_PASSWORD', { key: 'service-a_db', property: 'password' }],
    ['DB_USER', { key: 'service-a_db', property: 'user' }],
  ]);
  expect(validateExternalSecretsObject(es)).toEqual([]);
});

test('a property where the CSI driver delivers is refused: it mounts a secret whole', () => {
  const d = declarationWith((x) => {
    x.environments.evaluation.azure = { tenantId: '00000000-0000-0000-0000-000000000000', subscriptionId: '00000000-0000-0000-0000-000000000000', location: 'japaneast', resourceGroup: 'rg', clusters: [{ name: 'aks' }] };
    x.services.demo = { platform: 'azure', environments: ['evaluation'], secrets: { s: { K: { property: 'password' } } } };
  });
  expect(problemsOf(d).filter((p) => formatPath(p.path) === 'services.demo.secrets.s.K.property').map((p) => p.rule)).toEqual([
    expect.stringMatching(/delivers with the CSI driver, which mounts a Key Vault secret whole and cannot take a field of it/),
  ]);
});
