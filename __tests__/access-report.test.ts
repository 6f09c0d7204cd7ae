import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDeclarationFile } from '../lib/declaration/load';
import { planGcpEnvironment } from '../lib/plan/gcp-plan';
import { buildAccessReport, renderAccessMarkdown } from '../lib/report/access-report';
import { report, EXIT_OK } from '../stacks/synthesize';
import { EXAMPLE, exampleOutput, listFiles, synthExampleWith } from './support/synth';

const base = exampleOutput();

const synthWith = synthExampleWith;

const lines = (text: string) => new Set(text.split('\n').filter((l) => l.startsWith('- ')));

test('per remote secret: owner, readers and where it lands; per reading service, once, its namespace, service account, principal and clusters', () => {
  const r = JSON.parse(base.generated['evaluation/access.json']);
  const foo = r.secrets.find((s: any) => s.name === 'service-a_FOO_PASSWORD');
  expect(foo.owner).toBe('service-a');
  expect(foo.readers).toEqual([
    { service: 'service-a', via: 'own' },
    { service: 'service-b', via: 'from' },
  ]);
  expect(r.identities.find((i: any) => i.cloud === 'gcp' && i.service === 'service-b')).toEqual({
    cloud: 'gcp',
    service: 'service-b',
    namespace: 'service-b',
    serviceAccount: 'service-b-secrets',
    principal: 'principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/karte-evaluation.svc.id.goog/subject/ns/service-b/sa/service-b-secrets',
    clusters: ['admin', 'fixed-ip-jobs'],
    // A Workload Identity principal names no cluster: every cluster of the project can assume it.
    assumableBy: 'any pod running as service-b/service-b-secrets in any GKE cluster of project karte-evaluation with Workload Identity, declared here or not',
  });
  expect(r.identities.find((i: any) => i.cloud === 'azure' && i.service === 'demo').assumableBy).toBe(
    'pods running as demo/demo-secrets in clusters my-aks-key-vault-eval (one federated credential per cluster\'s OIDC issuer)',
  );
  expect(r.identities.map((i: any) => `${i.cloud}:${i.service}`)).toEqual(['azure:demo', 'azure:demo-batch', 'gcp:service-a', 'gcp:service-b']);
  expect(foo.deliveredTo.map((d: any) => `${d.namespace}/${d.kubernetesSecret}/${d.key}@${d.version}`)).toEqual(['service-a/secret-a/FOO_PASSWORD@latest', 'service-b/secret-b/FOO_PASSWORD@latest']);
  expect(r.shared).toEqual([expect.stringMatching(/^azure:demo-eso-secret-[0-9a-f]{4}\/demo-secret01$/), 'gcp:service-a_FOO_PASSWORD']);
  expect(r.services.find((s: any) => s.service === 'service-b').reads).toEqual([
    { secret: 'service-a_FOO_PASSWORD', cloud: 'gcp', owner: 'service-a' },
    { secret: 'service-b_BAR_PASSWORD', cloud: 'gcp', owner: 'service-b' },
  ]);
  const md = base.generated['evaluation/ACCESS.md'];
  expect(md).toContain("- service-b reads service-a's gcp:service-a_FOO_PASSWORD (from)");
  expect(md).toContain('- lands in demo/test-secret1 key k8s-secret-key1 (service demo, version latest)');
  expect(md).toContain('- read by service-b, through from');
  // Each identity is described once, not once per secret it reads.
  expect(md.split('\n').filter((l: string) => l.includes('principal principal://')).length).toBe(2);
  expect(md).toContain('- gcp service-a: principal principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/karte-evaluation.svc.id.goog/subject/ns/service-a/sa/service-a-secrets, assumable by any pod running as service-a/service-a-secrets in any GKE cluster of project karte-evaluation with Workload Identity, declared here or not; declared clusters admin, fixed-ip-jobs');
  expect(md).not.toContain('## Shared boundaries');
});

test('a new from shows in the diff as exactly one new access line', () => {
  const after = synthWith((d) => (d.services['service-b'].secrets['secret-b'].API_TOKEN = { from: 'service-a/secret-a/API_TOKEN' }));
  const before = lines(base.generated['production/ACCESS.md'].split('## Secrets')[0]);
  const now = lines(after.generated['production/ACCESS.md'].split('## Secrets')[0]);
  expect([...now].filter((l) => !before.has(l))).toEqual(["- service-b reads service-a's gcp:hoge-token (from)"]);
  expect([...before].filter((l) => !now.has(l))).toEqual([]);
});

test('the report reads the synthesized grants, not the declaration: a grant added to the stack appears', () => {
  const model = loadDeclarationFile(EXAMPLE);
  const plan = planGcpEnvironment(model, model.environments.find((e) => e.name === 'evaluation')!);
  const stack = JSON.parse(JSON.stringify(base.stacks['evaluation-gcp']));
  stack.resource.google_secret_manager_secret_iam_member.extra = { secret_id: 'service-b_BAR_PASSWORD', role: 'roles/secretmanager.secretAccessor', member: 'user:someone@example.com' };
  const r = buildAccessReport({ environment: 'evaluation', gcp: { stack, objects: plan.objects, clusters: ['admin'], projectNumber: plan.projectNumber }, suppressions: [] });
  const bar = r.secrets.find((s) => s.name === 'service-b_BAR_PASSWORD')!;
  expect(bar.readers).toEqual([{ service: '(undeclared)', via: 'grant', principal: 'user:someone@example.com' }, { service: 'service-b', via: 'own' }]);
  expect(renderAccessMarkdown(r)).toContain("- (undeclared) reads service-b's gcp:service-b_BAR_PASSWORD (a grant no declaration made)");
});

test('the report is stable: reordering the declaration changes no byte', () => {
  const reordered = synthWith((d) => {
    d.services = Object.fromEntries(Object.entries(d.services).reverse());
    d.environments = Object.fromEntries(Object.entries(d.environments).reverse());
  });
  for (const env of ['evaluation', 'production']) {
    expect(reordered.generated[`${env}/ACCESS.md`]).toBe(base.generated[`${env}/ACCESS.md`]);
    expect(reordered.generated[`${env}/access.json`]).toBe(base.generated[`${env}/access.json`]);
  }
});

test('npm run report writes the access reports and nothing else', () => {
  const root = mkdtempSync(join(tmpdir(), 'report-'));
  writeFileSync(join(root, 'secrets.yaml'), readFileSync(EXAMPLE, 'utf8'));
  expect(report({ declarationFile: 'secrets.yaml', root, log: () => undefined, error: () => undefined })).toBe(EXIT_OK);
  expect(listFiles(root).map((f) => f.slice(root.length + 1)).sort()).toEqual([
    'generated/evaluation/.secret-wiring-files',
    'generated/evaluation/ACCESS.md',
    'generated/evaluation/access.json',
    'generated/production/.secret-wiring-files',
    'generated/production/ACCESS.md',
    'generated/production/access.json',
    'secrets.yaml',
  ]);
  expect(readFileSync(join(root, 'generated', 'production', 'ACCESS.md'), 'utf8')).toBe(base.generated['production/ACCESS.md']);
  expect(readdirSync(root).sort()).toEqual(['generated', 'secrets.yaml']);
});

test('services that share a namespace by declaration are reported as one boundary, with their reasons', () => {
  const r = synthWith((d) => {
    d.services['service-b'].namespace = 'service-a';
    d.services['service-a'].sharedNamespace = { reason: 'one team owns both and reviews them together' };
    d.services['service-b'].sharedNamespace = { reason: 'batch jobs of service-a, same owners' };
  });
  const json = JSON.parse(r.generated['evaluation/access.json']);
  expect(json.sharedBoundaries).toEqual([
    { cloud: 'gcp', namespace: 'service-a', services: ['service-a', 'service-b'], reasons: ['service-a: one team owns both and reviews them together', 'service-b: batch jobs of service-a, same owners'] },
  ]);
  expect(r.generated['evaluation/ACCESS.md']).toContain(
    '## Shared boundaries\n\nWhoever may create an ExternalSecret in one of these namespaces can use every SecretStore in it.\n\n- gcp namespace service-a: service-a, service-b (service-a: one team owns both and reviews them together; service-b: batch jobs of service-a, same owners)',
  );
});
