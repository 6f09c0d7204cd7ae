/**
 * What `npm run validate [-- STACK ...]` does: real `terraform init -backend=false` and `terraform validate` on
 * every synthesized stack (cdktf.out/stacks, or CDKTF_OUTDIR/stacks), with the real providers, for a
 * team's own pipeline after `npm run synth`. Needs `terraform` (1.11 or later) and the provider
 * registry (or the mirror the user's Terraform CLI configuration names).
 *
 * The user's Terraform CLI configuration is honoured as it is (TF_CLI_CONFIG_FILE, ~/.terraformrc,
 * provider mirrors, credentials, TF_PLUGIN_CACHE_DIR). Only when neither the environment nor that
 * file chooses a plugin cache, providers are cached in .terraform-plugin-cache/ so that each
 * provider is downloaded once for all stacks.
 *
 * Exit codes: 0 every stack is valid; 1 a stack is not (each diagnostic listed); 2 nothing to
 * validate, or terraform is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';

export const EXIT_VALID = 0;
export const EXIT_INVALID = 1;
export const EXIT_CANNOT_VALIDATE = 2;

interface Diagnostic {
  readonly severity: string;
  readonly summary: string;
  readonly detail?: string;
  readonly range?: { readonly filename: string; readonly start: { readonly line: number } };
}

export interface ValidateOptions {
  /** Folder the command runs in (the project). */
  readonly root: string;
  /** Stack names to validate. @default - every stack */
  readonly only?: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
  readonly error: (line: string) => void;
}

/** The CLI configuration file Terraform reads, as it chooses it. */
function cliConfigFile(env: NodeJS.ProcessEnv): string | undefined {
  if (env.TF_CLI_CONFIG_FILE) return env.TF_CLI_CONFIG_FILE;
  const home = env.HOME ?? homedir();
  return join(home, '.terraformrc');
}

/** Whether the user chose a plugin cache (environment or CLI configuration). */
function choosesPluginCache(env: NodeJS.ProcessEnv): boolean {
  if (env.TF_PLUGIN_CACHE_DIR) return true;
  const file = cliConfigFile(env);
  return file !== undefined && existsSync(file) && /^\s*plugin_cache_dir\s*=/m.test(readFileSync(file, 'utf8'));
}

function describe(d: Diagnostic): string {
  const where = d.range ? `${d.range.filename}:${d.range.start.line}: ` : '';
  return `${d.severity === 'error' ? 'Error' : 'Warning'}: ${where}${d.summary}${d.detail ? ` -- ${d.detail.replace(/\s+/g, ' ')}` : ''}`;
}

/** Runs init and validate on each stack; returns the exit code. */
export function validateStacks(o: ValidateOptions): number {
  const outdir = resolve(o.root, o.env.CDKTF_OUTDIR ?? 'cdktf.out');
  const stacksDir = join(outdir, 'stacks');
  const all = existsSync(stacksDir) ? readdirSync(stacksDir).filter((n) => existsSync(join(stacksDir, n, 'cdk.tf.json'))).sort() : [];
  if (all.length === 0) {
    o.error(`validate: no synthesized stacks in ${relative(o.root, stacksDir) || stacksDir}: run npm run synth first`);
    return EXIT_CANNOT_VALIDATE;
  }
  const unknown = (o.only ?? []).filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    o.error(`validate: no stack named ${unknown.join(', ')} (the stacks are ${all.join(', ')})`);
    return EXIT_CANNOT_VALIDATE;
  }
  const terraform = o.env.TERRAFORM ?? 'terraform';
  const version = spawnSync(terraform, ['version'], { env: o.env, encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    o.error(`validate: cannot run ${terraform} (${version.error?.message ?? version.stderr.trim()}): install Terraform 1.11 or later, or set TERRAFORM`);
    return EXIT_CANNOT_VALIDATE;
  }
  const env: NodeJS.ProcessEnv = { ...o.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  if (!choosesPluginCache(o.env)) {
    env.TF_PLUGIN_CACHE_DIR = join(o.root, '.terraform-plugin-cache');
    mkdirSync(env.TF_PLUGIN_CACHE_DIR, { recursive: true });
    o.log('validate: providers are cached in .terraform-plugin-cache/ (set TF_PLUGIN_CACHE_DIR or plugin_cache_dir to choose another place)');
  }
  let failed = 0;
  for (const name of o.only && o.only.length > 0 ? [...o.only].sort() : all) {
    const dir = join(stacksDir, name);
    const init = spawnSync(terraform, ['init', '-backend=false', '-input=false', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
    if (init.status !== 0) {
      failed++;
      o.error(`${name}: FAILED at terraform init`);
      for (const line of `${init.stdout}\n${init.stderr}`.split('\n').filter((l) => /Error|error/.test(l))) o.error(`    ${line.replace(/^[│╷╵ ]+/, '')}`);
      continue;
    }
    const r = spawnSync(terraform, ['validate', '-json', '-no-color'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    let result: { valid?: boolean; diagnostics?: Diagnostic[] } = {};
    try {
      result = JSON.parse(r.stdout);
    } catch {
      result = { valid: false, diagnostics: [{ severity: 'error', summary: `terraform validate printed no JSON (exit ${r.status})`, detail: r.stderr }] };
    }
    const diagnostics = result.diagnostics ?? [];
    if (result.valid && r.status === 0) {
      o.log(`${name}: valid${diagnostics.length > 0 ? ` (${diagnostics.length} warning${diagnostics.length === 1 ? '' : 's'})` : ''}`);
      for (const d of diagnostics) o.log(`    ${describe(d)}`);
    } else {
      failed++;
      o.error(`${name}: INVALID`);
      for (const d of diagnostics) o.error(`    ${describe(d)}`);
    }
  }
  const total = o.only && o.only.length > 0 ? o.only.length : all.length;
  o.log(`validate: ${total - failed} of ${total} stacks valid`);
  return failed > 0 ? EXIT_INVALID : EXIT_VALID;
}
