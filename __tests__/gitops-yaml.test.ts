import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadDeclarationFile } from '../lib/declaration/load';
import { planGcpEnvironment } from '../lib/plan/gcp-plan';
import { objectFile, renderGitOps } from '../lib/kubernetes/gitops-yaml';
import { objectKey } from '../lib/kubernetes/objects';
import { EXAMPLE } from './support/synth';

const model = loadDeclarationFile(EXAMPLE);
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

describe.each(model.environments.map((e) => e.name))('GitOps YAML of %s', (env) => {
  const plan = planGcpEnvironment(model, model.environments.find((e) => e.name === env)!);
  const files = renderGitOps(plan.objects);

  test('one file per object, listed by the kustomization', () => {
    const kustomization = parse(files['kustomization.yaml']);
    expect(kustomization.kind).toBe('Kustomization');
    expect(kustomization.resources).toEqual(plan.objects.map(objectFile));
    expect(Object.keys(files).sort()).toEqual(['kustomization.yaml', ...plan.objects.map(objectFile)].sort());
  });

  (hasKubectl ? test : test.skip)('kubectl kustomize builds exactly the plan objects', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kustomize-'));
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const built = Object.fromEntries(parseAllDocuments(r.stdout).map((d) => d.toJS()).map((o) => [objectKey(o), o]));
    expect(built).toEqual(Object.fromEntries(plan.objects.map((o) => [objectKey(o), JSON.parse(JSON.stringify(o))])));
  });
});
