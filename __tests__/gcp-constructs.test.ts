/// <reference path="./setup.ts" />
import { App, TerraformStack, Testing } from 'cdktf';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { SecretManagerSecrets } from '../lib/gcp/secret-manager-secrets';
import { MOVED_BLOCKS_CONTEXT } from '../lib/terraform/resource-blocks';

// The constructs as a library user sees them, without a declaration.
describe('SecretManagerSecrets', () => {
  function setup(context: Record<string, unknown> = {}) {
    const app = Testing.app({ context });
    const stack = new TerraformStack(app, 'lib');
    const secrets = new SecretManagerSecrets(stack, 'Secrets', { project: 'my-project', secrets: [{ secretId: 'db', labels: { team: 'x' } }] });
    return { stack, secrets };
  }

  test('GIVEN a secret WHEN grantRead THEN one non-authoritative accessor grant on that secret for that member, waiting for that secret', () => {
    const { stack, secrets } = setup();
    const grant = secrets.grantRead('db', 'serviceAccount:app@my-project.iam.gserviceaccount.com');
    expect(grant).toEqual({ key: 'serviceAccount:app@my-project.iam.gserviceaccount.com/db', secretId: 'db', member: 'serviceAccount:app@my-project.iam.gserviceaccount.com', role: 'roles/secretmanager.secretAccessor' });
    const synthesized = Testing.synth(stack);
    expect(synthesized).toHaveResourceWithProperties(SecretManagerSecretIamMember, {
      member: grant.member,
      secret_id: 'db',
      role: 'roles/secretmanager.secretAccessor',
      project: 'my-project',
      depends_on: ['google_secret_manager_secret.secrets_db'],
    });
    expect(synthesized).toHaveResourceWithProperties(SecretManagerSecret, { secret_id: 'db', deletion_protection: true, replication: { auto: {} }, labels: { team: 'x' } });
  });

  test('each secret and each grant is its own block, named from its key', () => {
    const { stack, secrets } = setup();
    secrets.addSecret({ secretId: 'api_TOKEN' });
    secrets.grantRead('db', 'user:a@example.com', { key: 'billing/db' });
    secrets.grantRead('api_TOKEN', 'user:a@example.com', { key: 'billing/api_TOKEN' });
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.keys(json.resource.google_secret_manager_secret).sort()).toEqual(['secrets_api_TOKEN', 'secrets_db']);
    expect(Object.keys(json.resource.google_secret_manager_secret_iam_member).sort()).toEqual(['secret_accessors_billing__api_TOKEN', 'secret_accessors_billing__db']);
    expect(json.resource.google_secret_manager_secret_iam_member.secret_accessors_billing__api_TOKEN.depends_on).toEqual(['google_secret_manager_secret.secrets_api_TOKEN']);
    // No for_each anywhere: nothing makes one instance evaluate the others.
    expect(JSON.stringify(json)).not.toMatch(/for_each|each\.value/);
  });

  test('an adopted secret is imported at its own address and never destroyed', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'adopt');
    new SecretManagerSecrets(stack, 'Secrets', { project: 'p', secrets: [{ secretId: 'old', adopt: true }] });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.import).toEqual([{ to: 'google_secret_manager_secret.adopted_secrets_old', id: 'projects/p/secrets/old' }]);
    expect(json.resource.google_secret_manager_secret.adopted_secrets_old.lifecycle.prevent_destroy).toBe(true);
  });

  test('moved blocks from the for_each addresses of earlier versions only when the stack asks for them', () => {
    const plain = setup();
    plain.secrets.grantRead('db', 'user:a@example.com', { key: 'billing/db' });
    expect(JSON.parse(Testing.synth(plain.stack)).moved).toBeUndefined();
    const upgrade = setup({ [MOVED_BLOCKS_CONTEXT]: true });
    upgrade.secrets.grantRead('db', 'user:a@example.com', { key: 'billing/db' });
    expect(JSON.parse(Testing.synth(upgrade.stack)).moved).toEqual(
      expect.arrayContaining([
        { from: 'google_secret_manager_secret.secrets["db"]', to: 'google_secret_manager_secret.secrets_db' },
        { from: 'google_secret_manager_secret_iam_member.secret_accessors["billing/db"]', to: 'google_secret_manager_secret_iam_member.secret_accessors_billing__db' },
      ]),
    );
  });

  test('two sets that would claim the same block name are refused when the second is made, naming both', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'clash');
    new SecretManagerSecrets(stack, 'A', { project: 'project-p', secrets: [{ secretId: 'db' }] });
    expect(() => new SecretManagerSecrets(stack, 'B', { project: 'project-q', secrets: [{ secretId: 'db' }] })).toThrow(
      /clash\/B\/Resource \("db"\): Terraform address google_secret_manager_secret\.secrets_db is already claimed by clash\/A\/Resource \("db"\) in stack clash; .*another resourceName/,
    );
  });

  test('two sets with their own resourceName live side by side in one stack, each in its project', () => {
    const app = new App({ outdir: require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'side-')) });
    const stack = new TerraformStack(app, 'side');
    new SecretManagerSecrets(stack, 'A', { project: 'project-p', secrets: [{ secretId: 'db' }], resourceName: 'p_secrets' });
    new SecretManagerSecrets(stack, 'B', { project: 'project-q', secrets: [{ secretId: 'db' }], resourceName: 'q_secrets' });
    app.synth();
    const json = JSON.parse(Testing.synth(stack));
    expect(json.resource.google_secret_manager_secret.p_secrets_db.project).toBe('project-p');
    expect(json.resource.google_secret_manager_secret.q_secrets_db.project).toBe('project-q');
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
    secrets.grantRead('db', 'user:a@example.com', { key: 'k' });
    expect(() => secrets.grantRead('db', 'user:b@example.com', { key: 'k' })).toThrow(/grant key k is already used/);
  });

  test('an empty set synthesizes no blocks and no imports', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'empty');
    new SecretManagerSecrets(stack, 'Secrets', { project: 'my-project' });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.resource?.google_secret_manager_secret).toBeUndefined();
    expect(json.import).toBeUndefined();
  });
});
