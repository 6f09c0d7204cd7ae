/// <reference path="./setup.ts" />
import { parseDeclaration } from '../lib/declaration/load';
import { declarationWith, problemsOf } from './support/fixtures';

const GUID = '00000000-0000-0000-0000-000000000000';

/** Production moved into evaluation's project (its own clusters and secret id prefix). */
const sharedProject = (d: any) => {
  Object.assign(d.environments.production.gcp, { project: 'demo-evaluation', projectNumber: '111111111111', secretIdPrefix: 'prod-', clusters: [{ name: 'prod', location: 'asia-northeast1' }] });
  d.services['service-a'].secrets['secret-a'].API_TOKEN = { remoteName: 'hoge-token', version: '1', environments: ['evaluation'] };
};

describe('environments sharing a GCP project', () => {
  test('GIVEN a service in two environments of one project WHEN validated THEN refused, naming the service, both environments, the project and the fix', () => {
    const problems = problemsOf(declarationWith(sharedProject));
    const p = problems.find((x) => x.path.join('.') === 'services.service-a.serviceAccount');
    expect(p).toEqual(
      expect.objectContaining({
        value: 'service-a/service-a-secrets',
        rule: expect.stringMatching(/^environments evaluation and production share GCP project demo-evaluation, and service service-a run as service-a\/service-a-secrets in both: .*never a cluster.*Give each environment its own project, or give the service a namespace or service account of its own in each environment$/),
      }),
    );
    expect(problems.map((x) => x.path.join('.'))).toEqual(expect.arrayContaining(['services.service-a.serviceAccount', 'services.service-b.serviceAccount']));
  });

  test('the older Google service account pattern is refused the same way', () => {
    const problems = problemsOf(
      declarationWith((d) => {
        sharedProject(d);
        d.environments.evaluation.gcp.identity = 'googleServiceAccount';
        d.environments.production.gcp.identity = 'googleServiceAccount';
      }),
    );
    expect(problems.some((x) => x.path.join('.') === 'services.service-a.serviceAccount' && /share GCP project demo-evaluation/.test(x.rule))).toBe(true);
  });

  test('two different services of two environments with one namespace and service account are one principal too', () => {
    const problems = problemsOf(
      declarationWith((d) => {
        sharedProject(d);
        d.services['service-a'].environments = ['evaluation'];
        d.services['service-b'] = { environments: ['production'], namespace: 'service-a', serviceAccount: 'service-a-secrets', secrets: { 'secret-b': { BAR_PASSWORD: {} } } };
      }),
    );
    expect(problems).toEqual([expect.objectContaining({ path: ['services', 'service-b', 'serviceAccount'], rule: expect.stringMatching(/services service-a and service-b run as service-a\/service-a-secrets/) })]);
  });

  test('where the names differ, sharing a project is allowed', () => {
    const model = parseDeclaration(
      declarationWith((d) => {
        sharedProject(d);
        d.services['service-a'].environments = ['evaluation'];
        d.services['service-b'].environments = ['production'];
        d.services['service-b'].secrets['secret-b'].FOO_PASSWORD = {};
      }),
    );
    expect(model.environments.map((e) => e.gcp!.project)).toEqual(['demo-evaluation', 'demo-evaluation']);
  });
});

describe('two services in one namespace', () => {
  const together = (d: any) => (d.services['service-b'].namespace = 'service-a');

  test('GIVEN two services in one namespace WHEN validated THEN refused for each, naming the namespace and both services', () => {
    const problems = problemsOf(declarationWith(together));
    expect(problems.map((p) => [p.path.join('.'), p.value])).toEqual([
      ['services.service-a.namespace', 'service-a'],
      ['services.service-b.namespace', 'service-a'],
    ]);
    expect(problems[0].rule).toMatch(/^services service-a, service-b share namespace service-a \(gcp\): whoever may create an ExternalSecret in a namespace can use every SecretStore in it/);
  });

  test('allowed when every one of them says why; a service that does not say so is still refused', () => {
    const reason = { reason: 'one team, one deployment pipeline, reviewed together' };
    expect(() =>
      parseDeclaration(
        declarationWith((d) => {
          together(d);
          d.services['service-a'].sharedNamespace = reason;
          d.services['service-b'].sharedNamespace = reason;
        }),
      ),
    ).not.toThrow();
    const problems = problemsOf(
      declarationWith((d) => {
        together(d);
        d.services['service-a'].sharedNamespace = reason;
      }),
    );
    expect(problems.map((p) => p.path.join('.'))).toEqual(['services.service-b.namespace']);
  });

  test('a reason too short to say anything is refused', () => {
    const problems = problemsOf(
      declarationWith((d) => {
        together(d);
        d.services['service-a'].sharedNamespace = { reason: 'ok' };
        d.services['service-b'].sharedNamespace = { reason: 'ok' };
      }),
    );
    expect(problems.map((p) => p.path.join('.'))).toContain('services.service-a.sharedNamespace.reason');
  });
});

describe("a controller's namespace", () => {
  test.each([
    ['the External Secrets controller namespace', (d: any) => Object.assign(d.services['service-a'], { namespace: 'external-secrets', createNamespace: false }), /external-secrets is the External Secrets controller's namespace in environments evaluation, production: a service there would give the Namespace two owners/],
    [
      'a configured controller namespace',
      (d: any) => {
        d.environments.production.gcp.externalSecrets = { namespace: 'eso' };
        Object.assign(d.services['service-b'], { namespace: 'eso', createNamespace: false });
      },
      /eso is the External Secrets controller's namespace in environment production/,
    ],
    ['kube-system, even not created', (d: any) => Object.assign(d.services['service-a'], { namespace: 'kube-system', createNamespace: false }), /kube-system is the cluster's own namespace, where the Secrets Store CSI driver runs/],
  ])('%s is refused as a service namespace', (_name, edit, rule) => {
    const problems = problemsOf(declarationWith(edit));
    expect(problems.some((p) => p.path[2] === 'namespace' && rule.test(p.rule))).toBe(true);
  });

  test("the CSI driver's namespace on AKS", () => {
    const problems = problemsOf(
      declarationWith((d) => {
        d.environments.production.azure = { tenantId: GUID, subscriptionId: GUID, location: 'japaneast', resourceGroup: 'rg', keyVault: { name: 'kv-prod-iso' }, clusters: [{ name: 'aks' }] };
        d.services.app = { platform: 'azure', namespace: 'kube-system', createNamespace: false, secrets: { s: { K: {} } } };
      }),
    );
    expect(problems).toEqual([expect.objectContaining({ path: ['services', 'app', 'namespace'], value: 'kube-system' })]);
  });
});
