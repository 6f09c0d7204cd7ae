import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { formatPath } from '../lib/declaration/problem';
import { parseDeclaration } from '../lib/declaration/load';
import { RULES } from '../lib/declaration/rules';
import { derivedKeyVaultSecretName, keyVaultName } from '../lib/declaration/naming';
import { EXIT_INVALID_DECLARATION } from '../stacks/synthesize';
import { synthIn } from './support/synth';
import { problemsOf } from './support/fixtures';
import { validateSecretProviderClass } from './support/schemas';

const GUID = '00000000-0000-0000-0000-000000000000';

/** A valid declaration with one Azure environment and two Azure services. */
function azureDeclaration(): any {
  return {
    environments: {
      production: {
        azure: {
          tenantId: GUID,
          subscriptionId: GUID,
          location: 'japaneast',
          resourceGroup: 'demo_aks_key_vault',
          keyVault: { name: 'demo-csi-secret' },
          clusters: [{ name: 'my-aks-key-vault01' }],
        },
      },
    },
    services: {
      demo: {
        platform: 'azure',
        secrets: {
          'test-secrets': { 'k8s-secret-key1': { remoteName: 'demo-secret01' }, 'k8s-secret-key2': { remoteName: 'demo-secret02' } },
          'test-secret1': { 'k8s-secret-key1': { remoteName: 'demo-secret01' } },
        },
      },
      other: { platform: 'azure', secrets: { creds: { FOO_PASSWORD: {} } } },
    },
  };
}

function withAzure(edit: (d: any) => void): any {
  const d = azureDeclaration();
  edit(d);
  return d;
}


/** One problem at `path` naming the value and the rule; the command exits 1 and writes nothing. */
function expectProblem(decl: unknown, path: string, value: unknown, rule: RegExp): void {
  const at = problemsOf(decl).filter((p) => formatPath(p.path) === path);
  expect(at.map((p) => p.rule)).toEqual([expect.stringMatching(rule)]);
  expect(at[0].value).toEqual(value);
  const root = mkdtempSync(join(tmpdir(), 'azure-rule-'));
  writeFileSync(join(root, 'secrets.yaml'), stringify(decl));
  const r = synthIn(root, 'secrets.yaml');
  expect(r.code).toBe(EXIT_INVALID_DECLARATION);
  expect(r.stderr.join('\n')).toContain(`${path} (line`);
  expect(r.stderr.join('\n')).toContain(at[0].rule);
  expect(readdirSync(root)).toEqual(['secrets.yaml']);
}

test('the field report scenario is valid, and one remote secret may feed two Kubernetes Secrets of its service', () => {
  const model = parseDeclaration(azureDeclaration());
  expect(model.environments[0].azure).toEqual(
    expect.objectContaining({ delivery: 'csi', identity: 'workloadIdentity', clusters: [{ name: 'my-aks-key-vault01', resourceGroup: 'demo_aks_key_vault' }] }),
  );
  expect(model.services.map((s) => [s.name, s.platform, s.environments])).toEqual([
    ['demo', 'azure', ['production']],
    ['other', 'azure', ['production']],
  ]);
});

describe('Azure naming rules', () => {
  test.each([
    ['ab', 'too short'],
    ['a'.repeat(25), 'too long'],
    ['1vault', 'starts with a digit'],
    ['demo--vault', 'consecutive hyphens'],
    ['demo-vault-', 'ends with a hyphen'],
    ['demo_vault', 'underscore'],
  ])('Key Vault name %s (%s)', (name) => {
    expectProblem(withAzure((d) => (d.environments.production.azure.keyVault.name = name)), 'environments.production.azure.keyVault.name', name, new RegExp(RULES.keyVaultName.text));
  });

  test('a Key Vault name that the unique suffix makes too long', () => {
    const name = 'a'.repeat(20);
    expectProblem(
      withAzure((d) => (d.environments.production.azure.keyVault = { name, uniqueSuffix: true })),
      'environments.production.azure.keyVault.name',
      name,
      /with uniqueSuffix the name becomes a{20}-[0-9a-f]{4}: a Key Vault name is 3-24/,
    );
  });

  test('the unique suffix is deterministic and differs per subscription and resource group', () => {
    const a = keyVaultName('demo', `${GUID}/rg1`);
    expect(a).toMatch(/^demo-[0-9a-f]{4}$/);
    expect(keyVaultName('demo', `${GUID}/rg1`)).toBe(a);
    expect(keyVaultName('demo', `${GUID}/rg2`)).not.toBe(a);
  });

  test('a remoteName Key Vault would reject', () => {
    expectProblem(
      withAzure((d) => (d.services.demo.secrets['test-secrets']['k8s-secret-key1'].remoteName = 'demo_secret01')),
      'services.demo.secrets.test-secrets.k8s-secret-key1.remoteName',
      'demo_secret01',
      new RegExp(RULES.keyVaultSecretName.text),
    );
  });

  test('FOO_PASSWORD maps to a valid name by the documented rule', () => {
    expect(derivedKeyVaultSecretName('other', 'FOO_PASSWORD')).toBe('other--FOO-PASSWORD');
    expect(derivedKeyVaultSecretName('other', 'app.config_KEY')).toBe('other--app-config-KEY');
  });

  test('two keys that map to the same Key Vault name are an error', () => {
    expectProblem(
      withAzure((d) => (d.services.other.secrets.creds['FOO-PASSWORD'] = {})),
      'services.other.secrets.creds.FOO_PASSWORD',
      'other--FOO-PASSWORD',
      /maps to Key Vault secret other--FOO-PASSWORD in environment production, which services.other.secrets.creds.FOO-PASSWORD already maps to/,
    );
  });

  test('Key Vault names compare without case', () => {
    expectProblem(
      withAzure((d) => (d.services.other.secrets.creds.TOKEN = { remoteName: 'DEMO-SECRET01' })),
      'services.other.secrets.creds.TOKEN.remoteName',
      'DEMO-SECRET01',
      /which services.demo.secrets.test-secret1.k8s-secret-key1 already maps to \(names compare without case/,
    );
  });

  test('a derived name longer than 127 characters', () => {
    const key = 'K'.repeat(125);
    expectProblem(withAzure((d) => (d.services.other.secrets.creds[key] = {})), `services.other.secrets.creds.${key}`, `other--${key}`, /derived Key Vault secret name .* is not valid: a Key Vault secret name is 1-127/);
  });

  test.each([
    ['tenantId', 'not-a-guid'],
    ['subscriptionId', '0000-0000'],
  ])('%s must be GUID-shaped', (field, value) => {
    expectProblem(withAzure((d) => (d.environments.production.azure[field] = value)), `environments.production.azure.${field}`, value, new RegExp(RULES.guid.text));
  });

  test('a version that is not a Key Vault version id', () => {
    expectProblem(
      withAzure((d) => (d.services.demo.secrets['test-secrets']['k8s-secret-key2'].version = '1')),
      'services.demo.secrets.test-secrets.k8s-secret-key2.version',
      '1',
      new RegExp(RULES.keyVaultSecretVersion.text),
    );
  });

  test('two environments declaring the same vault', () => {
    expectProblem(
      withAzure((d) => (d.environments.staging = { azure: { ...d.environments.production.azure } })),
      'environments.staging.azure.keyVault.name',
      'demo-csi-secret',
      /Key Vault demo-csi-secret would also be the vault of environment production; vault names are globally unique/,
    );
  });
});

describe('Azure cross-field rules', () => {
  test('adopting a Key Vault secret needs the vault it is in adopted too', () => {
    expectProblem(
      withAzure((d) => Object.assign(d.services.demo.secrets['test-secrets']['k8s-secret-key2'], { remoteName: 'demo-secret02', adopt: true })),
      'services.demo.secrets.test-secrets.k8s-secret-key2.adopt',
      true,
      /environment production has no adopted vault to import the secret from: a vault the product creates holds no secret yet; declare the existing vault as environments\.production\.azure\.keyVault: \{ name, adopt: true \}/,
    );
  });

  test('from across platforms', () => {
    expectProblem(
      withAzure((d) => {
        d.environments.production.gcp = { project: 'demo-production', projectNumber: '222222222222', clusters: [{ name: 'admin', location: 'asia-northeast1' }] };
        d.services.gke = { secrets: { s: { X: { from: 'demo/test-secrets/k8s-secret-key1' } } } };
      }),
      'services.gke.secrets.s.X.from',
      'demo/test-secrets/k8s-secret-key1',
      /from must name a key of a service on the same platform: gke runs on gcp, demo on azure/,
    );
  });

  test('a service listed in an environment without its platform', () => {
    expectProblem(
      withAzure((d) => {
        d.environments.gke = { gcp: { project: 'demo-production', projectNumber: '222222222222', clusters: [{ name: 'admin', location: 'asia-northeast1' }] } };
        d.services.other.environments = ['production', 'gke'];
      }),
      'services.other.environments[1]',
      'gke',
      /service other runs on azure, and environment gke has no azure section/,
    );
  });

  test('an Azure service with no Azure environment anywhere', () => {
    expectProblem(
      {
        environments: { evaluation: { gcp: { project: 'demo-evaluation', projectNumber: '111111111111', clusters: [{ name: 'a', location: 'asia-northeast1' }] } } },
        services: { demo: { platform: 'azure', secrets: { s: { K: {} } } } },
      },
      'services.demo.platform',
      'azure',
      /no environment has a azure section/,
    );
  });

  test('the add-on identity only works with the CSI driver add-on', () => {
    expectProblem(
      withAzure((d) => Object.assign(d.environments.production.azure, { identity: 'aksAddonIdentity', delivery: 'externalSecrets' })),
      'environments.production.azure.identity',
      'aksAddonIdentity',
      /needs delivery csi/,
    );
  });
});

describe('Azure declarations that would deploy broken', () => {
  test.each([
    ['location', 'Japan East', RULES.azureLocation.text],
    ['resourceGroup', 'rg.', RULES.azureResourceGroup.text],
  ])('%s %s', (field, value, rule) => {
    expectProblem(withAzure((d) => (d.environments.production.azure[field] = value)), `environments.production.azure.${field}`, value, new RegExp(rule.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  test('an AKS cluster name Azure rejects', () => {
    expectProblem(withAzure((d) => (d.environments.production.azure.clusters[0].name = '-aks')), 'environments.production.azure.clusters[0].name', '-aks', new RegExp(RULES.aksClusterName.text));
  });


  test('csiDriver settings with External Secrets delivery', () => {
    expectProblem(
      withAzure((d) => Object.assign(d.environments.production.azure, { delivery: 'externalSecrets', csiDriver: { install: 'helm' } })),
      'environments.production.azure.csiDriver',
      { install: 'helm' },
      /csiDriver applies to delivery csi only/,
    );
  });

  test('more clusters than a managed identity has federated credentials', () => {
    expectProblem(
      withAzure((d) => (d.environments.production.azure.clusters = Array.from({ length: 21 }, (_, i) => ({ name: `aks${i}` })))),
      'environments.production.azure.clusters',
      21,
      /at most 20 federated credentials/,
    );
  });

  test('one AKS cluster in two environments', () => {
    expectProblem(
      withAzure((d) => (d.environments.staging = { azure: { ...d.environments.production.azure, keyVault: { name: 'demo-csi-staging' } } })),
      'environments.staging.azure.clusters',
      'my-aks-key-vault01',
      /cluster my-aks-key-vault01 \(demo_aks_key_vault\) is also a cluster of environment production/,
    );
  });

  test('two managed identities with one name in one resource group', () => {
    expectProblem(
      withAzure((d) => {
        d.environments['prod-a'] = { azure: { ...d.environments.production.azure, keyVault: { name: 'demo-csi-proda' }, clusters: [{ name: 'other' }] } };
        d.environments.prod = { azure: { ...d.environments.production.azure, keyVault: { name: 'demo-csi-prod' }, clusters: [{ name: 'third' }] } };
        d.services['a-b'] = { platform: 'azure', environments: ['prod'], secrets: { s: { K: {} } } };
        d.services.b = { platform: 'azure', environments: ['prod-a'], secrets: { s: { K: {} } } };
      }),
      'services.b',
      'b',
      /would be named prod-a-b-secrets, like the one of prod service a-b in the same resource group/,
    );
  });

  test('more tags than a Key Vault secret carries', () => {
    expectProblem(
      withAzure((d) => (d.environments.production.azure.labels = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`t${i}`, 'x'])))),
      'services.other.secrets.creds.FOO_PASSWORD',
      16,
      /would carry 16 tags in environment production .* at most 15 are allowed/,
    );
  });
});

test('the SecretProviderClass validator can fail', () => {
  const bad = { apiVersion: 'secrets-store.csi.x-k8s.io/v1', kind: 'SecretProviderClass', metadata: { name: 'x' }, spec: { provider: 'azure', parameters: { objects: 5 }, secretObjects: [{ secretName: 'a', data: [{ objectName: 'o', key: 'k', extra: true }] }] } };
  const errors = validateSecretProviderClass(bad);
  expect(errors.join('\n')).toMatch(/parameters\/objects must be string/);
  expect(errors.join('\n')).toMatch(/unknown field "extra"/);
  expect(validateSecretProviderClass({ ...bad, apiVersion: 'secrets-store.csi.x-k8s.io/v1alpha1' }).join('\n')).toMatch(/apiVersion must be "secrets-store.csi.x-k8s.io\/v1"/);
});
