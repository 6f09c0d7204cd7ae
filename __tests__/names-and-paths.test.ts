/**
 * Every name Kubernetes accepts synthesizes; names Kubernetes refuses, and names that would land in
 * the product's own folders, are refused in the declaration.
 */
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { stringify } from 'yaml';
import { formatPath } from '../lib/declaration/problem';
import { declarationWith, problemsOf } from './support/fixtures';
import { synthIn, type SynthResult } from './support/synth';

function synth(d: unknown): SynthResult {
  const root = mkdtempSync(join(tmpdir(), 'names-'));
  writeFileSync(join(root, 'secrets.yaml'), stringify(d));
  return synthIn(root, 'secrets.yaml');
}

const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test('a Kubernetes Secret and a service account of 253 characters synthesize, each in a file of its own', () => {
  const long = (c: string) => `${c}${'a'.repeat(251)}${c}`;
  const d = declarationWith((x) => {
    x.services['service-a'].serviceAccount = long('s');
    x.services['service-a'].secrets[long('k')] = { FOO: {} };
    x.services['service-a'].secrets[`${long('k').slice(0, 252)}z`] = { BAR: {} };
  });
  const r = synth(d);
  expect(r.stderr.filter((l) => /ERROR|problem|ENAMETOOLONG/.test(l))).toEqual([]);
  expect(r.code).toBe(0);
  const files = Object.keys(r.generated).filter((f) => f.startsWith('evaluation/service-a/'));
  for (const f of files) expect([f, Buffer.byteLength(f.split('/').pop()!) <= 255]).toEqual([f, true]);
  // Two names that share their first characters still get two files.
  expect(files.filter((f) => f.includes('externalsecret-kaaaa')).length).toBe(2);
});

test.each([['.'], ['..'], ['..data']])('a Secret key %j is refused, naming the rule', (key) => {
  const d = declarationWith((x) => (x.services['service-a'].secrets['secret-a'][key] = {}));
  const p = problemsOf(d).filter((q) => formatPath(q.path).endsWith(`[${JSON.stringify(key)}]`));
  expect(p.map((q) => q.rule)).toEqual([expect.stringMatching(/is not "\." and does not start with "\.\."/)]);
});

test('a GKE namespace named azure, where the environment has AKS GitOps files, is refused', () => {
  const d = declarationWith((x) => {
    x.services['service-a'].namespace = 'azure';
    x.environments.evaluation.azure = { tenantId: '00000000-0000-0000-0000-000000000000', subscriptionId: '00000000-0000-0000-0000-000000000000', location: 'japaneast', resourceGroup: 'rg', clusters: [{ name: 'aks' }] };
    x.services.demo = { platform: 'azure', environments: ['evaluation'], secrets: { s: { K: {} } } };
  });
  expect(problemsOf(d).filter((p) => formatPath(p.path) === 'services.service-a.namespace').map((p) => p.rule)).toEqual([expect.stringMatching(/generated\/<env>\/azure\/ holds the AKS files/)]);
});

(hasKubectl ? test : test.skip)('AKS clusters named base or monitoring get overlays of their own, apart from the shared base and the monitoring folder', () => {
  const d = declarationWith((x) => {
    delete x.environments.production;
    x.environments.evaluation.azure = {
      tenantId: '00000000-0000-0000-0000-000000000000',
      subscriptionId: '00000000-0000-0000-0000-000000000000',
      location: 'japaneast',
      resourceGroup: 'rg',
      identity: 'aksAddonIdentity',
      layout: 'environmentVault',
      keyVault: { name: 'kv-names-test' },
      clusters: [{ name: 'base' }, { name: 'monitoring' }],
    };
    x.services.demo = { platform: 'azure', environments: ['evaluation'], secrets: { s: { K: {} } } };
    for (const s of Object.values<any>(x.services)) if (s.platform !== 'azure') s.environments = ['evaluation'];
  });
  const r = synth(d);
  expect(r.stderr.filter((l) => /ERROR|problem/.test(l))).toEqual([]);
  expect(r.code).toBe(0);
  const azure = Object.keys(r.generated).filter((f) => f.startsWith('evaluation/azure/'));
  expect(azure).toContain('evaluation/azure/_base/kustomization.yaml');
  expect(azure).toContain('evaluation/azure/base/kustomization.yaml');
  expect(azure).toContain('evaluation/azure/monitoring/kustomization.yaml');
  for (const c of ['base', 'monitoring']) {
    const dir = join(r.root, 'generated', 'evaluation', 'azure', c);
    writeFileSync(join(dir, 'identities.env'), 'aks-addon=11111111-1111-1111-1111-111111111111\n');
    const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
    expect(out).toContain('kind: SecretProviderClass');
    expect(out).toContain('11111111-1111-1111-1111-111111111111');
  }
});
