import { App } from 'cdktf';
import { Testing } from 'cdktf';
import { parseDeclaration } from '../lib/declaration/load';
import { planGcpEnvironment } from '../lib/plan/gcp-plan';
import { googleServiceAccountId } from '../lib/declaration/naming';
import { GcpEnvironmentStack } from '../stacks/gcp-environment-stack';
import { declarationWith } from './support/fixtures';
import { configs } from './support/synth';

function synthEnvironment(edit: (d: any) => void, env = 'evaluation') {
  const model = parseDeclaration(declarationWith(edit));
  const plan = planGcpEnvironment(model, model.environments.find((e) => e.name === env)!);
  const app = Testing.app() as App;
  const stack = new GcpEnvironmentStack(app, `${env}-gcp`, plan);
  return { plan, json: JSON.parse(Testing.synth(stack)) };
}

describe('googleServiceAccount identity mode', () => {
  const { plan, json } = synthEnvironment((d) => (d.environments.evaluation.gcp.identity = 'googleServiceAccount'));

  test('one Google service account per service that reads secrets', () => {
    expect(configs(json, 'google_service_account', 'service_accounts')).toEqual({
      'service-a': expect.objectContaining({ account_id: 'secrets-service-a', display_name: 'service-a', project: 'demo-evaluation' }),
      'service-b': expect.objectContaining({ account_id: 'secrets-service-b', display_name: 'service-b', project: 'demo-evaluation' }),
    });
  });

  test('roles/iam.workloadIdentityUser on that account only, for that Kubernetes service account', () => {
    const r = configs(json, 'google_service_account_iam_member', 'workload_identity_users');
    expect(Object.keys(r)).toEqual(['service-a', 'service-b']);
    expect(r['service-a']).toEqual({
      role: 'roles/iam.workloadIdentityUser',
      service_account_id: 'projects/demo-evaluation/serviceAccounts/secrets-service-a@demo-evaluation.iam.gserviceaccount.com',
      member: 'serviceAccount:demo-evaluation.svc.id.goog[service-a/service-a-secrets]',
      // Its own account, and no other.
      depends_on: ['google_service_account.service_accounts_service-a'],
    });
  });

  test('grants name the Google service account and wait for it', () => {
    const grant = configs(json, 'google_secret_manager_secret_iam_member', 'secret_accessors')['service-b/service-a_FOO_PASSWORD'];
    expect(grant.member).toBe('serviceAccount:secrets-service-b@demo-evaluation.iam.gserviceaccount.com');
    expect(grant.depends_on).toEqual(['google_secret_manager_secret.secrets_service-a_FOO_PASSWORD', 'google_service_account.service_accounts_service-b']);
  });

  test('the Kubernetes service account carries the iam.gke.io/gcp-service-account annotation', () => {
    const sa = plan.objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.namespace === 'service-a')!;
    expect(sa.metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': 'secrets-service-a@demo-evaluation.iam.gserviceaccount.com' });
  });

  test('the other environment keeps direct Workload Identity principals', () => {
    const other = synthEnvironment((d) => (d.environments.evaluation.gcp.identity = 'googleServiceAccount'), 'production');
    expect(other.json.resource.google_service_account).toBeUndefined();
    const grants = Object.values<any>(configs(other.json, 'google_secret_manager_secret_iam_member', 'secret_accessors'));
    expect(grants.length).toBeGreaterThan(0);
    expect(grants.every((g) => g.member.startsWith('principal://') && g.depends_on.length === 1)).toBe(true);
    expect(other.plan.objects.find((o) => o.kind === 'ServiceAccount')!.metadata.annotations).toBeUndefined();
  });

  test('long service names still give valid account ids (6-30 characters)', () => {
    for (const name of ['a', 'service-with-a-rather-long-name', 'x'.repeat(40), 'abcdefghijklmn-opq-rest']) {
      const id = googleServiceAccountId(name);
      expect(id).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
    }
    expect(googleServiceAccountId('x'.repeat(40))).not.toBe(googleServiceAccountId(`${'x'.repeat(39)}y`));
  });
});
