import { Testing } from 'cdktf';
import { validateDeclaration } from '../lib/declaration/load';
import { benchDeclaration } from '../bench/declaration';
import { naiveApp } from '../bench/naive';

test('the benchmark declarations are valid, sized as asked, with from sharing, on both clouds', () => {
  for (const [size, shards] of [[100, 0], [1000, 8]] as const) {
    const model = validateDeclaration(benchDeclaration(size, 50, shards));
    expect(model.services).toHaveLength(50);
    expect(model.environments.map((e) => e.name)).toEqual(['evaluation', 'production']);
    const owned = model.services.flatMap((s) => s.secrets.flatMap((x) => x.keys.filter((k) => k.source.kind === 'own')));
    expect(owned).toHaveLength(size);
    expect(model.services.some((s) => s.secrets.some((x) => x.keys.some((k) => k.source.kind === 'from')))).toBe(true);
    expect(new Set(model.services.map((s) => s.platform))).toEqual(new Set(['gcp', 'azure']));
    expect(model.environments[0].shards === undefined).toBe(shards === 0);
  }
});

test('the naive baseline declares one construct per work item, with the real provider classes', () => {
  const app = naiveApp(
    {
      s: [
        { type: 'google_secret_manager_secret', config: { project: 'p', secret_id: 'a', replication: { auto: {} }, labels: { service: 'x' } } },
        { type: 'google_secret_manager_secret_iam_member', config: { project: 'p', secret_id: 'a', role: 'roles/secretmanager.secretAccessor', member: 'user:a@example.com' } },
      ],
    },
    Testing.app().outdir,
  );
  const stack = app.node.findChild('s') as any;
  const json = JSON.parse(Testing.synth(stack));
  expect(Object.values<any>(json.resource.google_secret_manager_secret)[0]).toEqual(expect.objectContaining({ secret_id: 'a', labels: { service: 'x' }, replication: { auto: {} } }));
  expect(Object.keys(json.resource.google_secret_manager_secret_iam_member)).toHaveLength(1);
});

test('npm run bench runs end to end at a tiny size and prints its figures', () => {
  const { spawnSync } = require('node:child_process');
  const { join } = require('node:path');
  const r = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'bench', 'run.js'), '--sizes', '50', '--runs', '1', '--shards', '0', '--skip-commands'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/\| 50 \| [0-9.]+ s \| \d+ MB \| [0-9.]+ s \| \d+ MB \| [0-9.]+ \| [0-9.]+ \|/);
  expect(r.stdout).toMatch(/evaluation-gcp: \d+ resources/);
});
