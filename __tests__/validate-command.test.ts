/// <reference path="./setup.ts" />
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CANNOT_VALIDATE, EXIT_INVALID, EXIT_VALID, validateStacks } from '../scripts/validate-stacks';

/**
 * A stand-in `terraform` that records each call (arguments, folder, the CLI configuration and plugin
 * cache it was given) and answers validate with the JSON held in the stack folder's answer.json.
 */
function fakeTerraform(dir: string): string {
  const bin = join(dir, 'terraform');
  writeFileSync(
    bin,
    `#!/bin/sh
echo "$(basename "$PWD") $* cli=\${TF_CLI_CONFIG_FILE:-none} cache=\${TF_PLUGIN_CACHE_DIR:-none}" >> ${join(dir, 'calls.log')}
case "$1" in
  version) echo "Terraform v1.11.4";;
  init) [ -f no-init ] && { echo "Error: Failed to query available provider packages" >&2; exit 1; }; echo "Terraform has been successfully initialized!";;
  validate) cat answer.json; grep -q '"valid": true' answer.json;;
esac
`,
  );
  chmodSync(bin, 0o755);
  return bin;
}

function project(stacks: Record<string, { valid: boolean; diagnostics?: unknown[]; noInit?: boolean }>): string {
  const root = mkdtempSync(join(tmpdir(), 'validate-'));
  for (const [name, answer] of Object.entries(stacks)) {
    const dir = join(root, 'cdktf.out', 'stacks', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cdk.tf.json'), '{}');
    writeFileSync(join(dir, 'answer.json'), JSON.stringify({ valid: answer.valid, diagnostics: answer.diagnostics ?? [] }, null, 1));
    if (answer.noInit) writeFileSync(join(dir, 'no-init'), '');
  }
  return root;
}

function run(root: string, env: NodeJS.ProcessEnv, only?: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = validateStacks({ root, only, env: { PATH: process.env.PATH, HOME: root, ...env }, log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out, err, calls: (() => { try { return readFileSync(join(root, 'calls.log'), 'utf8').trim().split('\n'); } catch { return []; } })() };
}

test('every stack is initialized without its backend and validated, with the user CLI configuration untouched', () => {
  const root = project({ 'dev-gcp': { valid: true }, 'dev-gcp-manifests': { valid: true } });
  const r = run(root, { TERRAFORM: fakeTerraform(root), TF_CLI_CONFIG_FILE: '/etc/team/terraform.rc', TF_PLUGIN_CACHE_DIR: '/var/cache/tf' });
  expect(r.code).toBe(EXIT_VALID);
  expect(r.calls.filter((c) => !c.includes(' version '))).toEqual([
    'dev-gcp init -backend=false -input=false -no-color cli=/etc/team/terraform.rc cache=/var/cache/tf',
    'dev-gcp validate -json -no-color cli=/etc/team/terraform.rc cache=/var/cache/tf',
    'dev-gcp-manifests init -backend=false -input=false -no-color cli=/etc/team/terraform.rc cache=/var/cache/tf',
    'dev-gcp-manifests validate -json -no-color cli=/etc/team/terraform.rc cache=/var/cache/tf',
  ]);
  expect(r.out).toEqual(['dev-gcp: valid', 'dev-gcp-manifests: valid', 'validate: 2 of 2 stacks valid']);
});

test('a plugin cache is chosen only when neither the environment nor the CLI configuration chooses one', () => {
  const root = project({ 'dev-gcp': { valid: true } });
  const terraform = fakeTerraform(root);
  expect(run(root, { TERRAFORM: terraform }).calls.at(-1)).toBe(`dev-gcp validate -json -no-color cli=none cache=${join(root, '.terraform-plugin-cache')}`);
  const rc = join(root, 'team.rc');
  writeFileSync(rc, 'plugin_cache_dir = "/opt/tf-cache"\n');
  expect(run(root, { TERRAFORM: terraform, TF_CLI_CONFIG_FILE: rc }).calls.at(-1)).toBe(`dev-gcp validate -json -no-color cli=${rc} cache=none`);
  writeFileSync(join(root, '.terraformrc'), 'plugin_cache_dir = "/home/me/.tf-cache"\n');
  expect(run(root, { TERRAFORM: terraform }).calls.at(-1)).toBe('dev-gcp validate -json -no-color cli=none cache=none');
});

test('an invalid stack fails the command with each diagnostic, and the other stacks are still validated', () => {
  const root = project({
    'a-gcp': { valid: false, diagnostics: [{ severity: 'error', summary: 'Unsupported argument', detail: 'An argument named "secret_idd" is not expected here.', range: { filename: 'instances.tf.json', start: { line: 12 } } }] },
    'b-gcp': { valid: true },
    'c-gcp': { valid: true, noInit: true },
  });
  const r = run(root, { TERRAFORM: fakeTerraform(root) });
  expect(r.code).toBe(EXIT_INVALID);
  expect(r.err).toEqual([
    'a-gcp: INVALID',
    '    Error: instances.tf.json:12: Unsupported argument -- An argument named "secret_idd" is not expected here.',
    'c-gcp: FAILED at terraform init',
    '    Error: Failed to query available provider packages',
  ]);
  expect(r.out).toContain('b-gcp: valid');
  expect(r.out.at(-1)).toBe('validate: 1 of 3 stacks valid');
});

test('nothing synthesized, an unknown stack, or no terraform: exit 2 with a message saying what to do', () => {
  const empty = mkdtempSync(join(tmpdir(), 'validate-'));
  expect(run(empty, {})).toEqual(expect.objectContaining({ code: EXIT_CANNOT_VALIDATE, err: ['validate: no synthesized stacks in cdktf.out/stacks: run npm run synth first'] }));
  const root = project({ 'dev-gcp': { valid: true } });
  expect(run(root, { TERRAFORM: fakeTerraform(root) }, ['prod-gcp']).err).toEqual(['validate: no stack named prod-gcp (the stacks are dev-gcp)']);
  const missing = run(root, { TERRAFORM: join(root, 'no-such-terraform') });
  expect(missing.code).toBe(EXIT_CANNOT_VALIDATE);
  expect(missing.err[0]).toMatch(/^validate: cannot run .*no-such-terraform .*install Terraform 1\.11 or later, or set TERRAFORM$/);
});
