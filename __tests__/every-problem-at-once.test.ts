/**
 * A structural error anywhere hides no cross-field problem elsewhere: every rule runs on every part
 * that is well-formed.
 */
import { formatPath } from '../lib/declaration/problem';
import { declarationWith, problemsOf } from './support/fixtures';

const AZURE = { subscriptionId: '00000000-0000-0000-0000-000000000000', location: 'japaneast', resourceGroup: 'rg', clusters: [{ name: 'aks' }] };

/** Four cross-field problems, in parts that are well-formed. */
function withCrossFieldProblems(d: any): void {
  // an invalid Key Vault remoteName (a name Key Vault refuses)
  d.services.vaulted = { platform: 'azure', environments: ['staging'], secrets: { s: { K: { remoteName: 'hello-service/credentials' } } } };
  // a from that names nothing
  d.services['service-b'].secrets['secret-b'].GHOST = { from: 'service-a/secret-a/NOPE' };
  // both manifest modes off
  d.environments.production.manifests = { terraform: false, gitops: false };
  // an environment without a cloud
  d.environments.empty = {};
}

const EXPECTED: [string, RegExp][] = [
  ['services.vaulted.secrets.s.K.remoteName', /Key Vault secret name/],
  ['services.service-b.secrets.secret-b.GHOST.from', /.+/],
  ['environments.production.manifests', /at least one of terraform and gitops must stay on/],
  ['environments.empty', /.+/],
];

test.each([
  ['an invalid tenant id', (d: any) => (d.environments.staging = { azure: { ...AZURE, tenantId: 'not-a-guid' } }), 'environments.staging.azure.tenantId'],
  ['a wrong type in a required field', (d: any) => {
    d.environments.staging = { azure: { ...AZURE, tenantId: '00000000-0000-0000-0000-000000000000' } };
    d.environments.evaluation.gcp.project = 12345;
  }, 'environments.evaluation.gcp.project'],
  ['a bad element in a list', (d: any) => {
    d.environments.staging = { azure: { ...AZURE, tenantId: '00000000-0000-0000-0000-000000000000', clusters: [{ name: '-bad-' }] } };
  }, 'environments.staging.azure.clusters[0].name'],
])('%s hides none of the cross-field problems elsewhere', (_what, breakIt, brokenPath) => {
  const problems = problemsOf(declarationWith((d) => {
    withCrossFieldProblems(d);
    breakIt(d);
  }));
  const paths = problems.map((p) => formatPath(p.path));
  expect(paths).toContain(brokenPath);
  for (const [path, rule] of EXPECTED) {
    expect([path, problems.filter((p) => formatPath(p.path) === path).some((p) => rule.test(p.rule))]).toEqual([path, true]);
  }
  // Nothing reported about what the broken part's removal did (its environment's cloud, its services).
  expect(paths.filter((p) => p === 'environments.staging' || p === 'services.vaulted.platform' || p.startsWith('services.vaulted.environments'))).toEqual([]);
});
