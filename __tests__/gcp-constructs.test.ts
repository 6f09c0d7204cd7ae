/// <reference path="./setup.ts" />
import { TerraformStack, Testing } from 'cdktf';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { SecretManagerSecrets } from '../lib/gcp/secret-manager-secrets';

// The constructs as a library user sees them, without a declaration.
describe('SecretManagerSecrets', () => {
  function setup() {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'lib');
    const secrets = new SecretManagerSecrets(stack, 'Secrets', { project: 'my-project', secrets: { db: { secretId: 'db', labels: { team: 'x' } } } });
    return { stack, secrets };
  }

  test('GIVEN a secret WHEN grantRead THEN one non-authoritative accessor grant on that secret for that member', () => {
    const { stack, secrets } = setup();
    const grant = secrets.grantRead('db', 'serviceAccount:app@my-project.iam.gserviceaccount.com');
    expect(grant).toEqual({ key: 'serviceAccount:app@my-project.iam.gserviceaccount.com/db', secretId: 'db', member: 'serviceAccount:app@my-project.iam.gserviceaccount.com', role: 'roles/secretmanager.secretAccessor' });
    const synthesized = Testing.synth(stack);
    expect(synthesized).toHaveResourceWithProperties(SecretManagerSecretIamMember, {
      for_each: { [grant.key]: { member: grant.member, secret_id: 'db' } },
      role: 'roles/secretmanager.secretAccessor',
      project: 'my-project',
    });
    expect(synthesized).toHaveResourceWithProperties(SecretManagerSecret, { deletion_protection: true, replication: { auto: {} } });
  });

  test('grantRead on a secret outside the set is refused', () => {
    const { secrets } = setup();
    expect(() => secrets.grantRead('other', 'user:a@example.com')).toThrow(/cannot grant read on other: it is not a secret of this set/);
  });

  test('a secret id added twice is refused', () => {
    const { secrets } = setup();
    expect(() => secrets.addSecret({ secretId: 'db' })).toThrow(/secret db is already in the set/);
  });

  test('the same grant key for a different member is refused', () => {
    const { secrets } = setup();
    secrets.grantRead('db', 'user:a@example.com', 'k');
    expect(() => secrets.grantRead('db', 'user:b@example.com', 'k')).toThrow(/grant key k is already used/);
  });

  test('an empty set synthesizes no instances', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'empty');
    new SecretManagerSecrets(stack, 'Secrets', { project: 'my-project' });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.resource.google_secret_manager_secret.secrets.for_each).toEqual({});
    expect(json.import).toBeUndefined();
  });
});
