import { Testing } from 'cdktf';
import { parseDeclaration } from '../lib/declaration/load';
import { benchDeclaration } from '../bench/declaration';
import { naiveApp } from '../bench/naive';

test('the benchmark declarations are valid, sized as asked, with from sharing, on both clouds', () => {
  for (const [size, shards] of [[100, 0], [1000, 8]] as const) {
    const model = parseDeclaration(benchDeclaration(size, 50, shards));
    expect(model.services).toHaveLength(50);
    expect(model.environments.map((e) => e.name)).toEqual(['evaluation', 'production']);
    const owned = model.services.flatMap((s) => s.secrets.flatMap((x) => x.keys.filter((k) => k.source.kind === 'own')));
    expect(owned).toHaveLength(size);
    expect(model.services.some((s) => s.secrets.some((x) => x.keys.some((k) => k.source.kind === 'from')))).toBe(true);
    expect(new Set(model.services.map((s) => s.platform))).toEqual(new Set(['gcp', 'azure']));
    expect(model.environments[0].shards === undefined).toBe(shards === 0);
  }
});

test('the naive baseline declares one construct per work item, with the real provider classes, the same names, dependencies and the rest of the stack', () => {
  const app = naiveApp(
    {
      s: {
        items: [
          { type: 'google_secret_manager_secret', name: 'secrets_a', config: { project: 'p', secret_id: 'a', replication: { auto: {} }, labels: { service: 'x' } } },
          {
            type: 'google_secret_manager_secret_iam_member',
            name: 'secret_accessors_x__a',
            config: { project: 'p', secret_id: 'a', role: 'roles/secretmanager.secretAccessor', member: 'user:a@example.com', depends_on: ['google_secret_manager_secret.secrets_a'] },
          },
        ],
        rest: { variable: { v: { type: 'string' } } },
      },
    },
    Testing.app().outdir,
  );
  const stack = app.node.findChild('s') as any;
  const json = JSON.parse(Testing.synth(stack));
  expect(json.resource.google_secret_manager_secret.secrets_a).toEqual(expect.objectContaining({ secret_id: 'a', labels: { service: 'x' }, replication: { auto: {} } }));
  expect(json.resource.google_secret_manager_secret_iam_member.secret_accessors_x__a.depends_on).toEqual(['google_secret_manager_secret.secrets_a']);
  expect(json.variable.v).toEqual({ type: 'string' });
});

test('npm run bench runs end to end at a tiny size and prints its figures', () => {
  const { spawnSync } = require('node:child_process');
  const { join } = require('node:path');
  const r = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'bench', 'run.js'), '--sizes', '50', '--runs', '1', '--shards', '0', '--skip-commands', '--no-plans'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/\| 50 \| [0-9.]+ s \| [0-9.]+ s \| [0-9.]+ s \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| \d+ MB \| \d+ MB \| [0-9.]+ \| [0-9.]+ MB \| \d+ \|/);
  expect(r.stdout).toMatch(/evaluation-gcp: \d+ resources/);
  expect(r.stdout).toMatch(/cold npm run synth \(compiles first\), the example: [0-9.]+ s/);
});
