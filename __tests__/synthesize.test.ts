import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { EXIT_INVALID_DECLARATION, EXIT_OK } from '../stacks/synthesize';
import { parseDeclaration } from '../lib/declaration/load';
import { EXAMPLE, listFiles, synthIn } from './support/synth';
import { declarationWith } from './support/fixtures';

const MAIN = join(__dirname, '..', 'dist', 'main.js');

function freshRoot(): string {
  return mkdtempSync(join(tmpdir(), 'synth-cli-'));
}

describe('synthesis as a command', () => {
  test('GIVEN an invalid declaration WHEN synthesized THEN exit 1, every problem listed, nothing written', () => {
    const root = freshRoot();
    writeFileSync(
      join(root, 'secrets.yaml'),
      stringify(
        declarationWith((d) => {
          d.services['service-a'].namespace = 'Bad_Namespace';
          d.environments.evaluation.gcp.labels = { team: 'UPPER' };
        }),
      ),
    );
    const r = synthIn(root, 'secrets.yaml');
    expect(r.code).toBe(EXIT_INVALID_DECLARATION);
    expect(r.stderr.join('\n')).toMatch(/2 problems/);
    expect(r.stderr.join('\n')).toMatch(/services\.service-a\.namespace \(line \d+\): "Bad_Namespace": a Kubernetes namespace is a DNS-1123 label/);
    expect(r.stderr.join('\n')).toMatch(/environments\.evaluation\.gcp\.labels\.team \(line \d+\): "UPPER": a GCP label value/);
    expect(readdirSync(root)).toEqual(['secrets.yaml']);
  });

  test('GIVEN earlier output WHEN a later declaration is invalid THEN the earlier output is untouched', () => {
    const root = freshRoot();
    copyFileSync(EXAMPLE, join(root, 'secrets.yaml'));
    expect(synthIn(root, 'secrets.yaml').code).toBe(EXIT_OK);
    const before = listFiles(root).map((f) => [f, readFileSync(f, 'utf8')]);
    writeFileSync(join(root, 'secrets.yaml'), 'environments: {}\nservices: {}\n');
    expect(synthIn(root, 'secrets.yaml').code).toBe(EXIT_INVALID_DECLARATION);
    writeFileSync(join(root, 'secrets.yaml'), readFileSync(EXAMPLE, 'utf8'));
    expect(listFiles(root).map((f) => [f, readFileSync(f, 'utf8')])).toEqual(before);
  });

  test('GIVEN a valid declaration WHEN synthesized twice THEN the output is byte-identical', () => {
    const a = freshRoot();
    const b = freshRoot();
    copyFileSync(EXAMPLE, join(a, 'secrets.yaml'));
    copyFileSync(EXAMPLE, join(b, 'secrets.yaml'));
    const ra = synthIn(a, 'secrets.yaml');
    const rb = synthIn(b, 'secrets.yaml');
    expect(ra.code).toBe(0);
    expect(JSON.stringify(ra.stacks)).toBe(JSON.stringify(rb.stacks));
    expect(ra.generated).toEqual(rb.generated);
    // The example gives production GitOps files (the default) and evaluation the Terraform stacks.
    expect(existsSync(join(a, 'generated', 'production', 'kustomization.yaml'))).toBe(true);
    expect(existsSync(join(a, 'generated', 'evaluation', 'kustomization.yaml'))).toBe(false);
    expect(Object.keys(ra.stacks).filter((n) => n.endsWith('-manifests')).sort()).toEqual(['evaluation-azure-manifests', 'evaluation-gcp-manifests']);
    expect(ra.stdout.join('\n')).toMatch(/cdktf\.out\/stacks\/evaluation-gcp\/: \d+ resource blocks/);
  });

  test('an environment that turns the Terraform mode off gets no manifests stack, one that turns GitOps off gets no YAML', () => {
    const root = freshRoot();
    writeFileSync(
      join(root, 'secrets.yaml'),
      stringify(
        declarationWith((d) => {
          d.environments.evaluation.manifests = { terraform: false };
          d.environments.production.manifests = { terraform: true, gitops: false };
        }),
      ),
    );
    const r = synthIn(root, 'secrets.yaml');
    expect(r.code).toBe(0);
    expect(Object.keys(r.stacks).sort()).toEqual(['evaluation-gcp', 'production-gcp', 'production-gcp-manifests']);
    // production writes only its access report.
    expect(Object.keys(r.generated).filter((p) => p.startsWith('production/')).sort()).toEqual(['production/.secret-wiring-files', 'production/ACCESS.md', 'production/access.json']);
    expect(Object.keys(r.generated)).toContain('evaluation/kustomization.yaml');
  });

  test('one owner per object: a declaration that says nothing gets GitOps files and no manifests stack; terraform: true alone gets the stack and no files', () => {
    const plain = declarationWith((d) => {
      delete d.environments.evaluation.manifests;
      d.environments.production.manifests = { terraform: true };
    });
    const model = parseDeclaration(plain);
    expect(model.environments.map((e) => [e.name, e.manifests])).toEqual([
      ['evaluation', { terraform: false, gitops: true }],
      ['production', { terraform: true, gitops: false }],
    ]);
    const root = freshRoot();
    writeFileSync(join(root, 'secrets.yaml'), stringify(plain));
    const r = synthIn(root, 'secrets.yaml');
    expect(r.code).toBe(0);
    expect(Object.keys(r.stacks).sort()).toEqual(['evaluation-gcp', 'production-gcp', 'production-gcp-manifests']);
    expect(Object.keys(r.generated)).toContain('evaluation/kustomization.yaml');
    expect(Object.keys(r.generated).filter((p) => p.startsWith('production/') && p.endsWith('.yaml'))).toEqual([]);
    // Both ways only when declared, for a transition.
    expect(parseDeclaration(declarationWith((d) => (d.environments.evaluation.manifests = { terraform: true, gitops: true }))).environments[0].manifests).toEqual({ terraform: true, gitops: true });
  });
});

describe('the compiled app (npm run synth)', () => {
  const built = existsSync(MAIN);

  (built ? test : test.skip)('SECRETS_FILE names another declaration; exit codes are 0 and 1', () => {
    const root = freshRoot();
    mkdirSync(join(root, 'decl'));
    writeFileSync(join(root, 'decl', 'other.yaml'), stringify(declarationWith((d) => delete d.environments.production && delete d.services['service-a'].secrets['secret-a'].DEBUG_KEY.environments)));
    const ok = spawnSync(process.execPath, [MAIN], { cwd: root, env: { ...process.env, SECRETS_FILE: 'decl/other.yaml' }, encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/Synthesized decl\/other\.yaml \(1 environment, 2 services\)/);
    expect(readdirSync(join(root, 'cdktf.out', 'stacks')).sort()).toEqual(['evaluation-gcp']);

    writeFileSync(join(root, 'decl', 'bad.yaml'), 'environments: {}\nservices: []\n');
    const bad = spawnSync(process.execPath, [MAIN], { cwd: root, env: { ...process.env, SECRETS_FILE: 'decl/bad.yaml' }, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/environments \(line 1\): \{\}: must have at least 1 entry/);
    expect(bad.stderr).toMatch(/services \(line 2\): \[\]: must be a mapping, not a list/);
    expect(bad.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
  });
});

