/**
 * npm run convert -- kes: kubernetes-external-secrets manifests into the declaration, with every
 * thing it could not convert reported by file and document.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { convertKes } from '../lib/convert/kes';
import { EXAMPLE, gitopsObjects, synthIn } from './support/synth';

const CONVERT = join(__dirname, '..', 'dist', 'scripts', 'convert.js');
const FIXTURES = join(__dirname, 'fixtures', 'kes');
const GCP = join(FIXTURES, 'gcp-services.yaml');
const HOSTILE = join(FIXTURES, 'hostile.yaml');
const run = existsSync(CONVERT) ? test : test.skip;

function cli(args: string[]) {
  return spawnSync(process.execPath, [CONVERT, ...args], { encoding: 'utf8' });
}

test('GCP manifests: Secret, key, remote secret, version (numbers as strings, latest dropped), property, and resource names parsed', () => {
  const { keys, findings } = convertKes('gcp.yaml', readFileSync(GCP, 'utf8'));
  expect(findings.filter((f) => f.level === 'error')).toEqual([]);
  expect(keys.map((k) => [k.service, k.secret, k.key, k.remoteName, k.version ?? null, k.property ?? null])).toEqual([
    ['service-a', 'hello-service', 'password', 'hello-service-password', '1', null],
    ['service-a', 'hello-service', 'db-user', 'hello-service-config', null, 'user'],
    ['service-a', 'hello-service', 'db-password', 'hello-service-config', null, 'password'],
    ['service-a', 'api-keys', 'HOGE_API_KEY', 'hoge-api-key', '3', null],
    ['service-a', 'api-keys', 'HUGA_TOKEN', 'huga-token', null, null],
    ['service-b', 'worker-secrets', 'password', 'hello-service-password', null, null],
    ['service-b', 'worker-secrets', 'config', 'hello-service-config', null, null],
    ['service-b', 'worker-secrets', 'db-user', 'hello-service-config', null, 'user'],
  ]);
  expect(findings.map((f) => `${f.at} ${f.level}`)).toEqual(['2 note', '3 note']);
});

test('what has no equivalent is reported per document, and the rest still converted', () => {
  const { keys, findings } = convertKes('hostile.yaml', readFileSync(HOSTILE, 'utf8'));
  const lines = findings.map((f) => `#${f.at} ${f.level}: ${f.message}`);
  for (const expected of [
    /^#1 error: from-vault: backendType "vault" has no equivalent here/,
    /^#2 error: typo: backendType "gcpSecretManager" is not a backend; did you mean gcpSecretsManager\?/,
    /^#3 warning: early-example: gcpProjectId is not a field of the released KES CRD \(projectId is\)/,
    /^#3 error: early-example: dataFrom .* has no equivalent here/,
    /^#3 error: early-example: data\[0\] has no key/,
    /^#3 error: early-example: data\[1\]: path\/recursive .* has no equivalent here/,
    /^#3 error: early-example: ELSEWHERE: secret elsewhere is in project other-project, not the manifest's karte-production/,
    /^#4 error: hello-keyvault-service: template key url is a lodash template/,
    /^#4 error: hello-keyvault-service: password: remote name "hello-service\/credentials": a Key Vault secret name is 1-127 letters, digits or hyphens/,
    /^#5 warning: ignored: v1 ConfigMap/,
  ]) {
    expect([String(expected), lines.some((l) => expected.test(l))]).toEqual([String(expected), true]);
  }
  // Never a secret id built from a resource name, never a half-translated entry.
  expect(keys.map((k) => `${k.secret}/${k.key}=${k.remoteName}`)).toEqual(['early-example/GOOD=good-one', 'hello-keyvault-service/credentials=hello-service-credentials']);
});

run('the command line: the declaration on stdout, one finding a line on stderr, exit 1 when anything was rejected, 2 for usage', () => {
  const ok = cli(['kes', GCP]);
  expect(ok.status).toBe(0);
  expect(parse(ok.stdout).services['service-a'].secrets['hello-service']['db-user']).toEqual({ remoteName: 'hello-service-config', property: 'user' });
  expect(parse(ok.stdout).environments).toEqual({ production: { gcp: { project: 'karte-production' } } });
  const bad = cli(['kes', HOSTILE]);
  expect(bad.status).toBe(1);
  for (const line of bad.stderr.trim().split('\n')) expect(line).toMatch(/^[^:]+(#\d+)?: (error|warning|note): /);
  expect(parse(bad.stdout).services['service-c'].secrets['early-example']).toEqual({ GOOD: { remoteName: 'good-one' } });
  expect(cli(['kes']).status).toBe(2);
  expect(cli(['kes', '/nonexistent.yaml']).status).toBe(2);
  expect(cli(['helm', GCP]).status).toBe(2);
  expect(cli(['kes', '--bogus', GCP]).status).toBe(2);
});

run('round trip: converted --into the example and synthesized, the ExternalSecrets read what the KES manifests read', () => {
  const root = mkdtempSync(join(tmpdir(), 'convert-'));
  const r = cli(['kes', '--into', EXAMPLE, '--env', 'production', GCP]);
  expect([r.status, r.stderr.split('\n').filter((l) => / error: /.test(l))]).toEqual([0, []]);
  writeFileSync(join(root, 'secrets.yaml'), r.stdout);
  const out = synthIn(root, 'secrets.yaml');
  expect(out.stderr.filter((l) => /ERROR|problem/.test(l))).toEqual([]);
  expect(out.code).toBe(0);
  const objects = gitopsObjects(out.generated, 'production', 'gcp');
  for (const doc of parseAllDocuments(readFileSync(GCP, 'utf8'))) {
    const kes = doc.toJS();
    const es = objects[`ExternalSecret/${kes.metadata.namespace}/${kes.metadata.name}`];
    expect([kes.metadata.name, es !== undefined]).toEqual([kes.metadata.name, true]);
    const want: Record<string, unknown> = {};
    for (const d of kes.spec.data) {
      const m = /^projects\/[^/]+\/secrets\/([^/]+)\/versions\/(.+)$/.exec(d.key);
      const version = m ? m[2] : d.version === undefined || d.version === 'latest' ? undefined : String(d.version);
      want[d.name] = { key: m ? m[1] : d.key, ...(version ? { version } : {}), ...(d.property ? { property: d.property } : {}) };
    }
    for (const [k, v] of Object.entries<string>(kes.spec.template?.stringData ?? {})) {
      const t = /JSON\.parse\(data\.(\w+)\)\.(\w+)/.exec(v)!;
      const src = kes.spec.data.find((d: any) => d.name === t[1]);
      want[k] = { key: src.key, property: t[2] };
    }
    const got = Object.fromEntries(es.spec.data.map((d: any) => [d.secretKey, d.remoteRef]));
    expect([kes.metadata.name, got]).toEqual([kes.metadata.name, want]);
  }
});
