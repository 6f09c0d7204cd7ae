/**
 * npm run convert -- gcloud: binding scripts (and runbooks' code blocks) into the declaration, read
 * as the shell would run them, never run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { convertGcloud } from '../lib/convert/gcloud';
import { braces, commandsOf } from '../lib/convert/shell';
import { synthIn } from './support/synth';

const FIXTURES = join(__dirname, 'fixtures', 'gcloud');
const CONVERT = join(__dirname, '..', 'dist', 'scripts', 'convert.js');
const run = existsSync(CONVERT) ? test : test.skip;
const read = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

test("the field report's bind_sa_to_secrets: followed through both functions; $PROJECT and $GCP_SA are never assigned, so nothing is guessed; and, as bash runs it, only the first secret is bound (SECRETS=$3)", () => {
  const { keys, findings } = convertGcloud('field-report.sh', read('field-report.sh'));
  expect(keys).toEqual([]);
  expect(findings).toEqual([
    // The script's own bug: the secrets array expands into $3 and $4, and the function keeps only $3.
    { file: 'field-report.sh', at: 31, level: 'warning', message: 'bind_sa_to_secrets is called with 4 arguments and reads only $1..$3: HUGA_TOKEN is not used, as the shell runs it' },
    {
      file: 'field-report.sh',
      at: 18,
      level: 'error',
      message: expect.stringMatching(/^the grant on HOGE_KEY to serviceAccount:\$\{GCP_SA\}@\$\{PROJECT\}\.iam\.gserviceaccount\.com uses \$GCP_SA, \$PROJECT, which the script does not assign: not converted/),
    },
  ]);
});

test('loops, brace expansion, quotes, continued lines, flags with = or a space; the Google service account linked to its Kubernetes service account by the workloadIdentityUser binding', () => {
  const { keys, findings } = convertGcloud('team-bindings.sh', read('team-bindings.sh'));
  expect(keys.map((k) => [k.service, k.remoteName, k.project, k.serviceAccount, k.googleServiceAccount ?? null])).toEqual([
    ['service-a', 'HOGE_KEY', 'karte-production', 'service-a-secrets', 'service-a-reader'],
    ['service-a', 'HUGA_TOKEN', 'karte-production', 'service-a-secrets', 'service-a-reader'],
    ['service-a', 'service-a_DB_USER', 'karte-production', 'service-a-secrets', 'service-a-reader'],
    ['service-a', 'service-a_DB_PASSWORD', 'karte-production', 'service-a-secrets', 'service-a-reader'],
    ['service-b', 'service-b_BAR_PASSWORD', 'karte-production', 'service-b-secrets', null],
  ]);
  const text = findings.map((f) => `#${f.at} ${f.level}: ${f.message}`);
  expect(text.some((t) => /^#23 note: role roles\/secretmanager\.secretVersionManager on secret HOGE_KEY ignored/.test(t))).toBe(true);
  expect(text.some((t) => /^#26 error: a project-wide roles\/secretmanager\.secretAccessor grant .* access to remove .* never converted/.test(t))).toBe(true);
  // The heredoc's text is not a command.
  expect(JSON.stringify(findings)).not.toContain('NOT_A_COMMAND');
});

test('a runbook\'s fenced code block with $ prompts; the Secret and key names a script cannot know are named by rule and reported', () => {
  const { keys, findings } = convertGcloud('runbook.md', read('runbook.md'));
  expect(keys.map((k) => [k.service, k.secret, k.key, k.remoteName, k.serviceAccount])).toEqual([['service-c', 'service-c-secrets', 'service-c_TOKEN', 'service-c_TOKEN', 'service-c-secrets']]);
  expect(findings).toEqual([expect.objectContaining({ level: 'note', message: expect.stringMatching(/Kubernetes Secret is named service-c-secrets .* review them/) })]);
});

test('a Google service account no workloadIdentityUser binding links is reported, not converted', () => {
  const { keys, findings } = convertGcloud('x.sh', 'gcloud secrets add-iam-policy-binding S1 --project p-123456 --member serviceAccount:lonely@p-123456.iam.gserviceaccount.com --role roles/secretmanager.secretAccessor\n');
  expect(keys).toEqual([]);
  expect(findings[0].message).toMatch(/no roles\/iam\.workloadIdentityUser binding in the input .* its service is unknown/);
});

test('the shell reader: brace ranges and lists, arrays, positional arguments, one-line functions', () => {
  expect(braces('s-{1..3}-{a,b}')).toEqual(['s-1-a', 's-1-b', 's-2-a', 's-2-b', 's-3-a', 's-3-b']);
  const cmds = commandsOf('A=(x y)\nf() { echo "$1" $2; }\nfor v in ${A[@]}; do f "$v" z; done\n');
  expect(cmds.map((c) => c.words.map((w) => w.text).join(' '))).toEqual(['echo x z', 'echo y z']);
});

run('the command line, merged --into a declaration of the older pattern: the grants and the account are imported, and it synthesizes', () => {
  const root = mkdtempSync(join(tmpdir(), 'convert-gcloud-'));
  const declaration = {
    environments: { production: { manifests: { terraform: true }, gcp: { project: 'karte-production', projectNumber: '210987654321', identity: 'googleServiceAccount', clusters: [{ name: 'admin', location: 'asia-northeast1' }] } } },
    services: {},
  };
  writeFileSync(join(root, 'base.yaml'), stringify(declaration));
  const script = read('team-bindings.sh').split('\n').slice(0, 15).join('\n');
  writeFileSync(join(root, 'a.sh'), script);
  const r = spawnSync(process.execPath, [CONVERT, 'gcloud', '--into', join(root, 'base.yaml'), join(root, 'a.sh')], { encoding: 'utf8' });
  expect([r.status, r.stderr.split('\n').filter((l) => / error: /.test(l))]).toEqual([0, []]);
  const merged = parse(r.stdout);
  expect(merged.services['service-a'].existing).toEqual({ googleServiceAccount: 'service-a-reader', accessGrants: true });
  writeFileSync(join(root, 'secrets.yaml'), r.stdout);
  const out = synthIn(root, 'secrets.yaml');
  expect(out.code).toBe(0);
  const imports = (out.stacks['production-gcp'].import ?? []).map((i: any) => i.id);
  expect(imports).toContain('projects/karte-production/secrets/HOGE_KEY roles/secretmanager.secretAccessor serviceAccount:service-a-reader@karte-production.iam.gserviceaccount.com');
  expect(imports).toContain('projects/karte-production/serviceAccounts/service-a-reader@karte-production.iam.gserviceaccount.com');
});
