import { loadDeclarationFile } from '../lib/declaration/load';
import { findKey } from '../lib/declaration/model';
import { EXAMPLE, configs, exampleOutput, type SynthResult, gitopsObjects } from './support/synth';

const full = loadDeclarationFile(EXAMPLE);
// The GKE half of the example: services that run on GCP.
const model = { ...full, services: full.services.filter((s) => s.platform === 'gcp') };
let out: SynthResult;

beforeAll(() => {
  out = exampleOutput();
  expect(out.stderr).toEqual([]);
  expect(out.code).toBe(0);
});

const ENVS = ['evaluation', 'production'] as const;

/** Every Kubernetes object a manifests stack applies to one cluster, by key. */
function terraformObjects(env: string, cluster: string): Record<string, any> {
  const stack = out.stacks[`${env}-gcp-manifests`];
  return Object.fromEntries(Object.entries(configs(stack, 'kubernetes_manifest', cluster)).map(([k, c]) => [k, c.manifest]));
}

const yamlObjects = (env: string) => gitopsObjects(out.generated, env, 'gcp');

describe.each(ENVS)('environment %s', (env) => {
  const stackOf = () => out.stacks[`${env}-gcp`];
  // Created and adopted secrets: two resources, one set of secret ids.
  const secretsOf = () => ({ ...configs(stackOf(), 'google_secret_manager_secret', 'secrets'), ...configs(stackOf(), 'google_secret_manager_secret', 'adopted_secrets') });
  const grantsOf = () => configs(stackOf(), 'google_secret_manager_secret_iam_member', 'secret_accessors');

  test('one stack for the cloud and one for the manifests, the second depending on the first', () => {
    expect(Object.keys(out.stacks)).toEqual(expect.arrayContaining([`${env}-gcp`, `${env}-gcp-manifests`]));
    const manifest = JSON.parse(require('node:fs').readFileSync(`${out.root}/cdktf.out/manifest.json`, 'utf8'));
    expect(manifest.stacks[`${env}-gcp-manifests`].dependencies).toEqual([`${env}-gcp`]);
  });

  test('one Secret Manager secret per declared remote secret, labelled, protected, named by the rule', () => {
    const expected: string[] = [];
    for (const s of model.services) {
      for (const sec of s.secrets) {
        for (const k of sec.keys) {
          if (k.source.kind !== 'own' || !k.environments.includes(env)) continue;
          expected.push(k.source.remoteName ?? `${s.name}_${k.key}`);
        }
      }
    }
    expect(Object.keys(secretsOf()).sort()).toEqual(expected.sort());
    for (const [id, s] of Object.entries(secretsOf())) {
      expect(s.secret_id).toBe(id);
      expect(s.labels).toEqual(expect.objectContaining({ 'managed-by': 'secret-wiring', environment: env, service: expect.stringMatching(/^service-[ab]$/) }));
    }
    const created = configs(stackOf(), 'google_secret_manager_secret', 'secrets');
    expect(Object.values<any>(created).every((s) => s.deletion_protection === true)).toBe(true);
    const adopted = configs(stackOf(), 'google_secret_manager_secret', 'adopted_secrets');
    expect(Object.values<any>(adopted).every((s) => s.deletion_protection === true && s.lifecycle.prevent_destroy === true)).toBe(true);
  });

  test('each accessor grant names one secret of the stack and one principal of a service that reads it', () => {
    const secrets = secretsOf();
    for (const [key, g] of Object.entries(grantsOf())) {
      const [service, secretId] = key.split('/');
      expect(secrets[secretId]).toBeDefined();
      expect(g.secret_id).toBe(secretId);
      const svc = model.services.find((s) => s.name === service)!;
      expect(g.member).toBe(
        `principal://iam.googleapis.com/projects/${model.environments.find((e) => e.name === env)!.gcp!.projectNumber}/locations/global/workloadIdentityPools/${model.environments.find((e) => e.name === env)!.gcp!.project}.svc.id.goog/subject/ns/${svc.namespace}/sa/${svc.serviceAccount}`,
      );
    }
    // Each grant waits for its own secret, and for nothing else.
    for (const [key, g] of Object.entries<any>(grantsOf())) {
      const secretId = key.split('/')[1];
      const collection = configs(stackOf(), 'google_secret_manager_secret', 'adopted_secrets')[secretId] ? 'adopted_secrets' : 'secrets';
      expect(g.role).toBe('roles/secretmanager.secretAccessor');
      expect(g.depends_on).toEqual([`google_secret_manager_secret.${collection}_${secretId}`]);
    }
  });

  test('cross-service reads exist only where a from declares them', () => {
    const secrets = secretsOf();
    const cross = Object.entries(grantsOf()).filter(([key]) => secrets[key.split('/')[1]].labels.service !== key.split('/')[0]);
    const declared = model.services.flatMap((s) =>
      s.secrets.flatMap((sec) =>
        sec.keys
          .filter((k) => k.source.kind === 'from' && k.environments.includes(env))
          .map((k) => {
            const src = k.source as { service: string; secret: string; key: string };
            const target = findKey(model, src.service, src.secret, src.key)!;
            return `${s.name}/${target.source.kind === 'own' ? (target.source.remoteName ?? `${src.service}_${src.key}`) : ''}`;
          }),
      ),
    );
    expect(cross.map(([key]) => key).sort()).toEqual(declared.sort());
    expect(cross.length).toBeGreaterThan(0);
  });

  test('no project-level IAM, no authoritative binding or policy, anywhere', () => {
    for (const stack of [out.stacks[`${env}-gcp`], out.stacks[`${env}-gcp-manifests`]]) {
      const types = Object.keys(stack.resource ?? {});
      expect(types.filter((t) => /_iam_(binding|policy)$|^google_project_iam|^google_organization_iam|^google_folder_iam/.test(t))).toEqual([]);
    }
  });

  test('External Secrets Operator is installed in every cluster, pinned, with probes and metrics on', () => {
    const releases = stackOf().resource.helm_release;
    const clusters = model.environments.find((e) => e.name === env)!.gcp!.clusters.map((c) => c.name);
    expect(Object.keys(releases).sort()).toEqual(clusters.map((c) => `external_secrets_${c}`).sort());
    for (const c of clusters) {
      const r = releases[`external_secrets_${c}`];
      expect(r).toEqual(expect.objectContaining({ chart: 'external-secrets', version: '2.9.0', repository: 'https://charts.external-secrets.io', namespace: 'external-secrets', provider: `helm.${c}` }));
      const values = require('yaml').parse(r.values[0]);
      expect(values.livenessProbe.enabled).toBe(true);
      expect(values.readinessProbe.enabled).toBe(true);
      expect(values.metrics.service.enabled).toBe(true);
      expect(values.installCRDs).toBe(true);
    }
  });

  test('every ExternalSecret key is a secret of this environment readable by its store identity', () => {
    const secrets = secretsOf();
    const grants = grantsOf();
    const objects = yamlObjects(env);
    const externalSecrets = Object.values(objects).filter((o) => o.kind === 'ExternalSecret');
    expect(externalSecrets.length).toBeGreaterThan(0);
    for (const es of externalSecrets) {
      const store = objects[`SecretStore/${es.metadata.namespace}/${es.spec.secretStoreRef.name}`];
      expect(store).toBeDefined();
      const ksa = store.spec.provider.gcpsm.auth.workloadIdentity.serviceAccountRef.name;
      expect(objects[`ServiceAccount/${es.metadata.namespace}/${ksa}`]).toBeDefined();
      const member = `principal://iam.googleapis.com/projects/${model.environments.find((e) => e.name === env)!.gcp!.projectNumber}/locations/global/workloadIdentityPools/${store.spec.provider.gcpsm.projectID}.svc.id.goog/subject/ns/${es.metadata.namespace}/sa/${ksa}`;
      for (const d of es.spec.data) {
        expect(secrets[d.remoteRef.key]).toBeDefined();
        expect(Object.values(grants).some((g) => g.secret_id === d.remoteRef.key && g.member === member)).toBe(true);
      }
      expect(es.spec.target).toEqual({ name: es.metadata.name, creationPolicy: 'Orphan', deletionPolicy: 'Retain' });
    }
  });

  test('the Terraform-managed manifests and the YAML files are the same objects, in every cluster', () => {
    const yaml = yamlObjects(env);
    for (const c of model.environments.find((e) => e.name === env)!.gcp!.clusters) {
      expect(terraformObjects(env, c.name)).toEqual(yaml);
    }
  });

  test('the SecretStore carries no cluster-specific field', () => {
    for (const o of Object.values(yamlObjects(env)).filter((x) => x.kind === 'SecretStore')) {
      expect(o.spec.provider.gcpsm.auth.workloadIdentity).toEqual({ serviceAccountRef: { name: expect.any(String) } });
    }
  });
});

test('the pinned version reaches the ExternalSecret', () => {
  const es = out.generated['evaluation/service-a/externalsecret-secret-a.yaml'];
  expect(require('yaml').parse(es).spec.data).toContainEqual({ secretKey: 'API_TOKEN', remoteRef: { key: 'hoge-token', version: '1' } });
});

test('the adopted secret is imported, never destroyed, and its replication is left as it was made', () => {
  expect(out.stacks['evaluation-gcp'].import).toEqual([{ to: 'google_secret_manager_secret.adopted_secrets_hoge-token', id: 'projects/karte-evaluation/secrets/hoge-token' }]);
  const all = configs(out.stacks['production-gcp'], 'google_secret_manager_secret', 'adopted_secrets');
  expect(Object.keys(all)).toEqual(['hoge-token']);
  const adopted = all['hoge-token'];
  expect(adopted.lifecycle.prevent_destroy).toBe(true);
  // A hand-made secret usually has automatic replication; production declares user-managed
  // replication, which would otherwise replace the secret (and lose its versions) on import.
  expect(adopted.lifecycle.ignore_changes).toEqual(expect.arrayContaining(['replication', 'rotation', 'topics', 'version_aliases', 'version_destroy_ttl']));
  expect(Object.keys(configs(out.stacks['production-gcp'], 'google_secret_manager_secret', 'secrets'))).not.toContain('hoge-token');
});

test('the namespaces applied by Terraform are never destroyed by it', () => {
  for (const env of ENVS) {
    for (const c of ['admin', 'fixed-ip-jobs']) {
      const objects = Object.values<any>(configs(out.stacks[`${env}-gcp-manifests`], 'kubernetes_manifest', c));
      const namespaces = objects.filter((o) => o.manifest.kind === 'Namespace');
      expect(namespaces.length).toBeGreaterThan(0);
      for (const n of namespaces) expect(n.lifecycle).toEqual({ prevent_destroy: true });
      // Every other object waits for its own namespace when the stack creates it, for nothing else.
      for (const o of objects.filter((x) => x.manifest.kind !== 'Namespace')) {
        const ns = namespaces.find((n) => n.manifest.metadata.name === o.manifest.metadata.namespace);
        expect(o.depends_on).toEqual(ns ? [`kubernetes_manifest.${c}_Namespace__${o.manifest.metadata.namespace}`] : undefined);
        expect(o.lifecycle).toBeUndefined();
      }
    }
  }
});

test('DEBUG_KEY exists in evaluation only', () => {
  expect(Object.keys(configs(out.stacks['evaluation-gcp'], 'google_secret_manager_secret', 'secrets'))).toContain('service-a_DEBUG_KEY');
  expect(Object.keys(configs(out.stacks['production-gcp'], 'google_secret_manager_secret', 'secrets'))).not.toContain('service-a_DEBUG_KEY');
});

test('replication: automatic by default, user-managed where the declaration names locations', () => {
  const replications = (env: string) => Object.values<any>(out.stacks[`${env}-gcp`].resource.google_secret_manager_secret).map((s) => s.replication);
  expect(new Set(replications('evaluation').map((r) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify({ auto: {} })]));
  expect(new Set(replications('production').map((r) => JSON.stringify(r)))).toEqual(
    new Set([JSON.stringify({ user_managed: { replicas: [{ location: 'asia-northeast1' }, { location: 'asia-northeast2' }] } })]),
  );
});

test('state: local by default, GCS where the declaration names a bucket', () => {
  expect(out.stacks['evaluation-gcp'].terraform.backend).toEqual({ local: { path: '../../../terraform.evaluation-gcp.tfstate' } });
  expect(out.stacks['production-gcp'].terraform.backend).toEqual({ gcs: { bucket: 'karte-production-tfstate', prefix: 'secret-wiring/production-gcp' } });
  expect(out.stacks['production-gcp-manifests'].terraform.backend).toEqual({ gcs: { bucket: 'karte-production-tfstate', prefix: 'secret-wiring/production-gcp-manifests' } });
});

test('no secret value and no value-carrying attribute anywhere in the output', () => {
  const everything = JSON.stringify(out.stacks) + Object.values(out.generated).join('\n');
  expect(everything).not.toMatch(/secret_data|secret_data_wo|google_secret_manager_secret_version|"stringData"|"kind":"Secret"/);
  for (const text of Object.values(out.generated)) expect(text).not.toMatch(/^kind: Secret$/m);
});
