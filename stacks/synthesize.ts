import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { DeclarationError, formatPath } from '../lib/declaration/problem';
import type { Model } from '../lib/declaration/model';
import { PolicyReport } from '../lib/policy/policy-aspect';
import { findingsJson, formatFindings } from '../lib/policy/format';
import { collectGarbage } from '../lib/util/collect-garbage';
import { LARGE_DECLARATION_KEYS, keyCount, synthesizeEnvironment, type EnvironmentResult } from './environment-synthesis';
import { loadModel } from './load-model';
import { readStack } from '../lib/terraform/stack-json';
import { OWNED_FILES, OutputError, SCRATCH_PREFIX, SWAP_JOURNAL, TRASH_PREFIX, acquireLock, planGeneratedSwap, repairOutput, swapOutputs } from './output-swap';
import { budgetFindings, budgetLines, formatBudgets, type BudgetLine } from '../lib/limits/budgets';

export { countResources, LARGE_DECLARATION_KEYS } from './environment-synthesis';

export interface SynthesizeOptions {
  /** Declaration file, relative to `root`. */
  readonly declarationFile: string;
  /** Folder that receives cdktf.out/ and generated/. @default - the working directory */
  readonly root?: string;
  /** Output folder chosen by the cdktf CLI (CDKTF_OUTDIR); written in place. @default - <root>/cdktf.out, replaced at the end */
  readonly cdktfOutdir?: string;
  /** Replace files a team keeps at paths the product writes (otherwise refused). @default false */
  readonly takeOver?: boolean;
  /** How long to wait for another run that holds the project's lock. @default 60000 */
  readonly lockWaitMs?: number;
  readonly log: (line: string) => void;
  readonly error: (line: string) => void;
}

export interface CheckOptions extends SynthesizeOptions {
  /** @default "text" */
  readonly format?: 'text' | 'json';
}

export const EXIT_OK = 0;
export const EXIT_INVALID_DECLARATION = 1;
export const EXIT_SYNTHESIS_FAILED = 2;
export const EXIT_POLICY_VIOLATIONS = 3;

export { OWNED_FILES };

/**
 * Deletes a folder without waiting for it: a detached `rm -rf` (on POSIX systems) outlives this
 * process, so a large replaced output costs the user no time. Elsewhere it is deleted at once.
 */
function removeLater(dir: string): void {
  if (process.platform === 'win32') {
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  try {
    spawn('rm', ['-rf', dir], { detached: true, stdio: 'ignore' }).unref();
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Synthesis {
  readonly model: Model;
  /** Each environment's stack names, in deploy order. */
  readonly envs: readonly { readonly environment: string; readonly stacks: readonly string[] }[];
  readonly policy: PolicyReport;
  /** Files per environment folder of generated/ (GitOps YAML and the access report), staged under `staged`. */
  readonly generated: Record<string, readonly string[]>;
  readonly staged: string;
  /** Resource blocks and instances of each stack, by stack name. */
  readonly counts: ReadonlyMap<string, { blocks: number; instances: number }>;
  /** Each environment's figures against the clouds' limits. */
  readonly budgets: readonly BudgetLine[];
}

/** JSON with object keys sorted at every level, indented: the form of cdktf's manifest.json. */
function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(sort(value), null, 2);
}

/**
 * Synthesizes every environment into `outdir`, one at a time: each gets an app of its own,
 * synthesized, checked, reported and written before the next is built, so that memory holds one
 * environment, not all of them. cdktf's manifest.json then lists the stacks of every environment.
 */
function run(model: Model, outdir: string, staged: string): Synthesis {
  const large = keyCount(model) >= LARGE_DECLARATION_KEYS;
  const policy = new PolicyReport();
  const results: EnvironmentResult[] = [];
  for (const environment of model.environments) {
    results.push(synthesizeEnvironment(model, environment, outdir, staged, policy));
    // Everything of that environment is garbage now: collect it before the next one grows.
    if (large) collectGarbage();
  }
  const manifest: { version?: string; stacks: Record<string, unknown> } = { stacks: {} };
  const envs: { environment: string; stacks: string[] }[] = [];
  const generated: Record<string, string[]> = {};
  const counts = new Map<string, { blocks: number; instances: number }>();
  for (const r of results) {
    manifest.version = r.manifest.version;
    Object.assign(manifest.stacks, r.manifest.stacks);
    for (const [name, c] of r.counts) counts.set(name, c);
    generated[r.environment] = r.files;
    envs.push({ environment: r.environment, stacks: r.stacks });
  }
  writeFileSync(join(outdir, 'manifest.json'), sortedJson(manifest));
  // Limits: a deploy past one fails (errors), controllers or plans past one are throttled (warnings).
  const budgets = budgetLines(results.map((r) => r.usage));
  policy.findings.push(...budgetFindings(budgets, model.suppressions));
  return { model, envs, policy, generated, staged, counts, budgets };
}

/** Loads the declaration and synthesizes it into a temporary folder; reports problems itself. */
function attempt(
  o: SynthesizeOptions,
  outdir: (tmp: string) => string,
  body: (s: Synthesis, tmp: string, file: string, root: string) => number,
  onInvalid?: (e: DeclarationError) => void,
  onFailure?: (message: string) => void,
): number {
  const root = resolve(o.root ?? process.cwd());
  const file = resolve(root, o.declarationFile);
  const fail = (message: string, code: number) => {
    if (onFailure) onFailure(message);
    else o.error(message);
    return code;
  };
  let model: Model;
  try {
    model = loadModel(file);
  } catch (e) {
    if (e instanceof DeclarationError) {
      if (onInvalid) onInvalid(e);
      else {
        o.error(e.message);
        o.error('Nothing was written.');
      }
      return EXIT_INVALID_DECLARATION;
    }
    return fail(`error: ${(e as Error).message}`, EXIT_SYNTHESIS_FAILED);
  }
  if (keyCount(model) >= LARGE_DECLARATION_KEYS) collectGarbage();
  // One run at a time; an interrupted swap is completed before anything else.
  let release: () => void;
  let tmp: string;
  try {
    release = acquireLock(root, o.lockWaitMs);
  } catch (e) {
    return fail(e instanceof OutputError ? e.message : `cannot write in ${root}: ${(e as Error).message}`, EXIT_SYNTHESIS_FAILED);
  }
  try {
    const repaired = repairOutput(root, removeLater);
    if (repaired) o.log(`Note: ${repaired}.`);
    tmp = mkdtempSync(join(root, SCRATCH_PREFIX));
  } catch (e) {
    release();
    const code = (e as NodeJS.ErrnoException).code;
    return fail(`cannot write in ${root}: ${code ?? (e as Error).message}. Nothing was written.`, EXIT_SYNTHESIS_FAILED);
  }
  try {
    return body(run(model, outdir(tmp), join(tmp, 'generated')), tmp, file, root);
  } catch (e) {
    if (e instanceof OutputError) return fail(`${e.message}\nNothing was written.`, EXIT_SYNTHESIS_FAILED);
    const journal = existsSync(join(root, SWAP_JOURNAL));
    return fail(
      journal
        ? `writing the output failed half way: ${(e as Error).message}. The next run (npm run synth) completes it before anything else.`
        : `synthesis failed: ${(e as Error).message}\nNothing was written.`,
      EXIT_SYNTHESIS_FAILED,
    );
  } finally {
    // A journal that references the scratch folder keeps it for the run that completes the swap.
    if (!existsSync(join(root, SWAP_JOURNAL))) rmSync(tmp, { recursive: true, force: true });
    release();
  }
}

function reportPolicy(o: SynthesizeOptions, policy: PolicyReport): void {
  if (policy.errors.length + policy.warnings.length === 0) return;
  o.error(`Policy: ${policy.errors.length} error${policy.errors.length === 1 ? '' : 's'}, ${policy.warnings.length} warning${policy.warnings.length === 1 ? '' : 's'}, ${policy.suppressed.length} suppressed`);
  // Grouped by rule, a few examples each (npm run check -- --format json lists every finding).
  for (const l of formatFindings(policy.findings)) o.error(`  ${l}`);
}

const synthOutdir = () => (tmp: string) => join(tmp, 'cdktf.out');

/**
 * Validates the declaration, synthesizes every environment and runs the rule pack. Writes nothing
 * unless all of it succeeds and no policy error stands. Returns the process exit code.
 */
export function synthesize(o: SynthesizeOptions): number {
  return attempt(o, synthOutdir(), writeOutput(o));
}

/** What a synthesis does with its result: report the policy, swap the output in, list what it wrote. */
function writeOutput(o: SynthesizeOptions): (s: Synthesis, tmp: string, file: string, root: string) => number {
  return ({ model, envs, policy, generated, staged, counts }, tmp, file, root) => {
      reportPolicy(o, policy);
      if (policy.errors.length > 0) {
        o.error('Nothing was written: fix the findings above, or suppress one in the declaration with its reason.');
        return EXIT_POLICY_VIOLATIONS;
      }
      // Every check before the first write: what the new generated/ holds, against the old one.
      for (const [env, files] of Object.entries(generated)) writeFileSync(join(staged, env, OWNED_FILES), `${[...files].sort().join('\n')}\n`);
      const next = new Set(Object.entries(generated).flatMap(([env, files]) => [...files, OWNED_FILES].map((f) => join(env, f))));
      const { carry, takenOver } = planGeneratedSwap(root, next, o.takeOver ?? false);
      // Everything is in place: swap the new output in. The replaced output goes aside, into a
      // folder deleted in the background.
      const trash = mkdtempSync(join(root, TRASH_PREFIX));
      const target = o.cdktfOutdir ? resolve(root, o.cdktfOutdir) : join(root, 'cdktf.out');
      mkdirSync(staged, { recursive: true });
      swapOutputs(root, { cdktf: { staged: join(tmp, 'cdktf.out'), target }, generated: staged, carry, trash });
      removeLater(trash);
      for (const t of takenOver) o.log(`Note: replaced generated/${t}, which the product had not written (--take-over).`);

      const finalOut = target;
      const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
      o.log(`Synthesized ${relative(root, file)} (${count(model.environments.length, 'environment')}, ${count(model.services.length, 'service')}):`);
      for (const env of envs) {
        for (const name of env.stacks) {
          const { blocks, instances } = counts.get(name) ?? { blocks: 0, instances: 0 };
          o.log(`  ${relative(root, join(finalOut, 'stacks', name))}/: ${count(blocks, 'resource block')}, ${count(instances, 'resource instance')}`);
        }
        const files = generated[env.environment];
        const roots = files
          .filter((p) => p.endsWith('kustomization.yaml') && !p.startsWith('azure/_base/'))
          .map((p) => `generated/${env.environment}/${p.replace(/\/?kustomization\.yaml$/, '')}`.replace(/\/$/, ''));
        o.log(`  generated/${env.environment}/: ${files.length} files (ACCESS.md${roots.length > 0 ? `; kubectl kustomize ${roots.join(', ')}` : ''})`);
      }
      return EXIT_OK;
  };
}

/**
 * Validates the declaration and runs the rule pack without writing anything (for pre-commit hooks
 * and CI). Exit codes: 0 no error (warnings allowed), 1 declaration problems, 2 failure, 3 policy
 * errors.
 */
export function check(o: CheckOptions): number {
  return attempt(
    o,
    (tmp) => join(tmp, 'cdktf.out'),
    ({ policy, budgets }) => {
      const code = policy.errors.length > 0 ? EXIT_POLICY_VIOLATIONS : EXIT_OK;
      if (o.format === 'json') {
        o.log(JSON.stringify({ ok: code === EXIT_OK, ...findingsJson(policy.findings, policy.notes), budgets }, null, 2));
      } else {
        o.log('Budgets (the limits and their sources: README, "Cloud limits"):');
        for (const l of formatBudgets(budgets)) o.log(`  ${l}`);
        reportPolicy(o, policy);
        o.log(code === EXIT_OK ? `OK: no policy error (${policy.warnings.length} warnings, ${policy.suppressed.length} suppressed)` : 'Policy errors: see above.');
      }
      return code;
    },
    o.format === 'json'
      ? (e) => {
          o.log(JSON.stringify({ ok: false, problems: e.problems.map((p) => ({ path: formatPath(p.path), line: p.line, value: p.value, rule: p.rule })) }, null, 2));
          o.error(e.message);
        }
      : undefined,
    // JSON mode: valid JSON on stdout whatever fails.
    o.format === 'json'
      ? (message) => {
          o.log(JSON.stringify({ ok: false, error: message }, null, 2));
          o.error(message);
        }
      : undefined,
  );
}

/** Writes only the access reports (generated/<env>/ACCESS.md and access.json). */
export function report(o: SynthesizeOptions): number {
  return attempt(
    o,
    (tmp) => join(tmp, 'cdktf.out'),
    ({ generated, staged }, _tmp, _file, root) => {
      for (const env of Object.keys(generated)) {
        const dir = join(root, 'generated', env);
        mkdirSync(dir, { recursive: true });
        for (const name of ['ACCESS.md', 'access.json']) renameSync(join(staged, env, name), join(dir, name));
        const list = join(dir, OWNED_FILES);
        const owned = new Set(existsSync(list) ? readFileSync(list, 'utf8').split('\n').filter(Boolean) : []);
        owned.add('ACCESS.md');
        owned.add('access.json');
        writeFileSync(list, `${[...owned].sort().join('\n')}\n`);
        o.log(`wrote generated/${env}/ACCESS.md and access.json`);
      }
      return EXIT_OK;
    },
  );
}

export interface AdoptOptions extends CheckOptions {
  /** The environment to list. */
  readonly environment: string;
}

/** What a stack's first plan brings in and what it creates, read from its synthesized configuration. */
export interface StackAdoption {
  readonly stack: string;
  /** Address and import id of every block with an import block. */
  readonly imports: readonly { readonly address: string; readonly id: string }[];
  /** Address of every resource block without one. */
  readonly creates: readonly string[];
}

/**
 * `npm run adopt -- --env NAME`: synthesizes the declaration in a scratch folder (writing nothing)
 * and prints, per stack of the environment in deploy order, what its plan imports (with each import
 * id) and what it creates. Exit 0, 1 for declaration problems, 2 for an unknown environment.
 */
export function adopt(o: AdoptOptions): number {
  return attempt(o, (tmp) => join(tmp, 'cdktf.out'), (s, tmp) => {
    const env = s.envs.find((e) => e.environment === o.environment);
    if (!env) {
      o.error(`unknown environment ${JSON.stringify(o.environment)}; the declaration has: ${s.envs.map((e) => e.environment).join(', ')}`);
      return EXIT_SYNTHESIS_FAILED;
    }
    const stacks: StackAdoption[] = env.stacks.map((stack) => stackAdoption(stack, join(tmp, 'cdktf.out', 'stacks', stack)));
    if (o.format === 'json') {
      o.log(JSON.stringify({ environment: o.environment, stacks }, null, 2));
      return EXIT_OK;
    }
    o.log(`Environment ${o.environment}: what the first plan of each stack imports and creates (in deploy order)`);
    for (const a of stacks) {
      o.log(`${a.stack}: ${a.imports.length} to import, ${a.creates.length} to create`);
      for (const i of a.imports) o.log(`  import ${i.address}  <-  ${/^\$\{.*\}$/.test(i.id) ? `the id ${i.id.slice(2, -1)} gives at plan time` : i.id}`);
      for (const c of a.creates) o.log(`  create ${c}`);
    }
    return EXIT_OK;
  });
}

function stackAdoption(stack: string, dir: string): StackAdoption {
  const json = readStack(dir);
  const imports = ((json.import ?? []) as { to: string; id: string }[]).map((i) => ({ address: i.to, id: i.id })).sort((a, b) => (a.address < b.address ? -1 : 1));
  const imported = new Set(imports.map((i) => i.address));
  const creates: string[] = [];
  for (const [type, byName] of Object.entries<Record<string, unknown>>(json.resource ?? {})) {
    for (const name of Object.keys(byName)) if (!imported.has(`${type}.${name}`)) creates.push(`${type}.${name}`);
  }
  return { stack, imports, creates: creates.sort() };
}
