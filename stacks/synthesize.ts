import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { App } from 'cdktf';
import { DeclarationError, formatPath } from '../lib/declaration/problem';
import { loadDeclarationFile } from '../lib/declaration/load';
import type { EnvironmentModel, Model } from '../lib/declaration/model';
import { PolicyReport } from '../lib/policy/policy-aspect';
import { unknownSuppressions } from '../lib/policy/suppressions';
import { findingsJson, formatFindings } from '../lib/policy/format';
import { accessJsonLines, buildAccessReport, renderAccessMarkdown } from '../lib/report/access-report';
import { buildEnvironment } from './app';
import { BLOCK_FILES_CONTEXT, writeBlockFiles } from '../lib/terraform/resource-blocks';
import type { ResourceInstance } from '../lib/policy/types';
import { collectGarbage } from '../lib/util/collect-garbage';

export interface SynthesizeOptions {
  /** Declaration file, relative to `root`. */
  readonly declarationFile: string;
  /** Folder that receives cdktf.out/ and generated/. @default - the working directory */
  readonly root?: string;
  /** Output folder chosen by the cdktf CLI (CDKTF_OUTDIR); written in place. @default - <root>/cdktf.out, replaced at the end */
  readonly cdktfOutdir?: string;
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

/** Counts the resource blocks and resource instances (for_each entries expanded) of one stack. */
export function countResources(instances: readonly ResourceInstance[]): { blocks: number; instances: number } {
  return { blocks: new Set(instances.map((i) => `${i.type}.${i.name}`)).size, instances: instances.length };
}

/** Lists, in each environment folder of generated/, the files the product wrote there. */
export const OWNED_FILES = '.secret-wiring-files';

function removeEmptyDirs(dir: string, stop: string): void {
  let d = dir;
  while (d.startsWith(stop) && d !== stop && existsSync(d) && readdirSync(d).length === 0) {
    rmSync(d, { recursive: true });
    d = dirname(d);
  }
}

/**
 * Replaces the product's files under generated/ and nothing else: files that other tools keep
 * there (a team's own built manifests, the identities files Azure stacks write when applied)
 * stay. The files of the last synthesis are known from each folder's OWNED_FILES list; the new
 * ones are moved in from `staged` (`<env>/<path>`).
 */
function replaceGenerated(generated: string, staged: string, next: Record<string, readonly string[]>, trash: string): void {
  if (existsSync(generated)) {
    for (const env of readdirSync(generated)) {
      const list = join(generated, env, OWNED_FILES);
      if (!existsSync(list)) continue;
      const made = new Set<string>();
      for (const rel of readFileSync(list, 'utf8').split('\n').filter(Boolean)) {
        const file = join(generated, env, rel);
        if (!file.startsWith(join(generated, env)) || !existsSync(file)) continue;
        // Moved aside (deleted later, off the critical path) rather than deleted here.
        const aside = join(trash, env, rel);
        if (!made.has(dirname(aside))) {
          mkdirSync(dirname(aside), { recursive: true });
          made.add(dirname(aside));
        }
        renameSync(file, aside);
        removeEmptyDirs(dirname(file), join(generated, env));
      }
      rmSync(list, { force: true });
      removeEmptyDirs(join(generated, env), generated);
    }
  }
  for (const [env, files] of Object.entries(next)) {
    for (const rel of files) {
      const target = join(generated, env, rel);
      mkdirSync(dirname(target), { recursive: true });
      renameSync(join(staged, env, rel), target);
    }
    writeFileSync(join(generated, env, OWNED_FILES), `${[...files].sort().join('\n')}\n`);
  }
}

/** Prefix of folders of replaced output waiting to be deleted. */
const TRASH_PREFIX = '.synth-trash-';

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

/** Bytes gathered before a write, when a file is given as lines. */
const WRITE_CHUNK = 1 << 20;

/**
 * Writes files (path -> content, or lines) under a folder. Lines are written in chunks of about a
 * megabyte, so a large file is never one string in memory and never one write per line.
 */
function stage(dir: string, files: Record<string, string | readonly string[]>): void {
  const made = new Set<string>();
  for (const [rel, content] of Object.entries(files)) {
    const file = join(dir, rel);
    const parent = dirname(file);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    if (typeof content === 'string') {
      writeFileSync(file, content);
      continue;
    }
    const fd = openSync(file, 'w');
    try {
      let chunk: string[] = [];
      let size = 0;
      for (const line of content) {
        chunk.push(line);
        size += line.length + 1;
        if (size >= WRITE_CHUNK) {
          writeSync(fd, `${chunk.join('\n')}\n`);
          chunk = [];
          size = 0;
        }
      }
      if (chunk.length > 0) writeSync(fd, `${chunk.join('\n')}\n`);
    } finally {
      closeSync(fd);
    }
  }
}

/** Reads and validates the declaration, suppressions included. */
function loadModel(file: string): Model {
  const model = loadDeclarationFile(file);
  const unknown = unknownSuppressions(model);
  if (unknown.length > 0) throw new DeclarationError(unknown, file);
  return model;
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
}

/** Declarations with at least this many keys collect garbage between phases (small ones gain nothing). */
export const LARGE_DECLARATION_KEYS = 2000;

function keyCount(model: Model): number {
  return model.services.reduce((n, s) => n + s.secrets.reduce((m, sec) => m + sec.keys.length, 0), 0);
}

/** JSON with object keys sorted at every level, indented: the form of cdktf's manifest.json. */
function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(sort(value), null, 2);
}

/**
 * Synthesizes every stack into `outdir`, runs the rule pack, and renders the generated files, one
 * environment at a time: each environment gets an app of its own, synthesized, checked, reported
 * and written before the next is built, so that memory holds one environment, not all of them.
 * cdktf's manifest.json lists the stacks of every environment.
 */
function run(model: Model, outdir: string, staged: string): Synthesis {
  const large = keyCount(model) >= LARGE_DECLARATION_KEYS;
  const policy = new PolicyReport();
  const generated: Record<string, string[]> = {};
  const counts = new Map<string, { blocks: number; instances: number }>();
  const envs: { environment: string; stacks: string[] }[] = [];
  const manifest: { version?: string; stacks: Record<string, unknown> } = { stacks: {} };
  for (const environment of model.environments) {
    const done = synthesizeEnvironment(model, environment, outdir, staged, policy);
    manifest.version = done.manifest.version;
    Object.assign(manifest.stacks, done.manifest.stacks);
    for (const [name, c] of done.counts) counts.set(name, c);
    generated[environment.name] = done.files;
    envs.push({ environment: environment.name, stacks: done.stacks });
    // Everything of that environment is garbage now: collect it before the next one grows.
    if (large) collectGarbage();
  }
  writeFileSync(join(outdir, 'manifest.json'), sortedJson(manifest));
  return { model, envs, policy, generated, staged, counts };
}

/**
 * One environment: its own app, synthesized into `outdir` and checked by the rule pack, its access
 * report and GitOps files staged. Returns what the caller keeps; the rest is garbage on return.
 */
function synthesizeEnvironment(
  model: Model,
  environment: EnvironmentModel,
  outdir: string,
  staged: string,
  policy: PolicyReport,
): { stacks: string[]; files: string[]; counts: Map<string, { blocks: number; instances: number }>; manifest: { version: string; stacks: Record<string, unknown> } } {
  const app = new App({ outdir, stackTraces: false, context: { [BLOCK_FILES_CONTEXT]: true } });
  const env = buildEnvironment(app, model, environment, { policy });
  app.synth();
  writeBlockFiles(app, outdir);
  // The blocks are written: what only they needed is garbage before the report grows the heap.
  if (keyCount(model) >= LARGE_DECLARATION_KEYS) collectGarbage();
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { version: string; stacks: Record<string, unknown> };
  const names = env.stacks.map((s) => s.node.id);
  const counts = new Map(names.map((name) => [name, countResources(policy.instances.get(name) ?? [])]));
  // A cloud's view: the instances of its base stack and, in a sharded environment, every shard's,
  // as the rule pack saw them.
  const cloudJson = (cloud: 'gcp' | 'azure') =>
    names.filter((n) => n.startsWith(`${env.environment}-${cloud}`) && !n.endsWith('-manifests')).flatMap((n) => policy.instances.get(n) ?? []);
  const report = buildAccessReport({
    environment: env.environment,
    gcp: env.gcp && { instances: cloudJson('gcp'), objects: env.gcp.objects, clusters: env.gcp.clusters.map((c) => c.name), projectNumber: env.gcp.projectNumber },
    azure: env.azure && { instances: cloudJson('azure'), objects: env.azure.objects, clusters: env.azure.clusters.map((c) => c.name), vault: env.azure.keyVault.name },
    suppressions: model.suppressions,
    notes: policy.notes.filter((n) => names.includes(n.stack)),
  });
  policy.instances.clear();
  // Written as soon as rendered, so that a large environment's files are never all in memory.
  const files = { 'ACCESS.md': renderAccessMarkdown(report), 'access.json': accessJsonLines(report) };
  stage(join(staged, env.environment), files);
  const gitops = env.gitops?.() ?? {};
  stage(join(staged, env.environment), gitops);
  return { stacks: names, files: [...Object.keys(files), ...Object.keys(gitops)].sort(), counts, manifest };
}

/** Loads the declaration and synthesizes it into a temporary folder; reports problems itself. */
function attempt(
  o: SynthesizeOptions,
  outdir: (tmp: string) => string,
  body: (s: Synthesis, tmp: string, file: string, root: string) => number,
  onInvalid?: (e: DeclarationError) => void,
): number {
  const root = resolve(o.root ?? process.cwd());
  const file = resolve(root, o.declarationFile);
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
    o.error(`error: ${(e as Error).message}`);
    return EXIT_SYNTHESIS_FAILED;
  }
  if (keyCount(model) >= LARGE_DECLARATION_KEYS) collectGarbage();
  const tmp = mkdtempSync(join(root, '.synth-'));
  try {
    return body(run(model, outdir(tmp), join(tmp, 'generated')), tmp, file, root);
  } catch (e) {
    o.error(`synthesis failed: ${(e as Error).message}`);
    o.error('Nothing was written.');
    return EXIT_SYNTHESIS_FAILED;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function reportPolicy(o: SynthesizeOptions, policy: PolicyReport): void {
  if (policy.errors.length + policy.warnings.length === 0) return;
  o.error(`Policy: ${policy.errors.length} error${policy.errors.length === 1 ? '' : 's'}, ${policy.warnings.length} warning${policy.warnings.length === 1 ? '' : 's'}, ${policy.suppressed.length} suppressed`);
  // Grouped by rule, a few examples each (npm run check -- --format json lists every finding).
  for (const l of formatFindings(policy.findings)) o.error(`  ${l}`);
}

/**
 * Validates the declaration, synthesizes every environment and runs the rule pack. Writes nothing
 * unless all of it succeeds and no policy error stands. Returns the process exit code.
 */
export function synthesize(o: SynthesizeOptions): number {
  return attempt(
    o,
    (tmp) => (o.cdktfOutdir ? resolve(o.cdktfOutdir) : join(tmp, 'cdktf.out')),
    ({ model, envs, policy, generated, staged, counts }, tmp, file, root) => {
      reportPolicy(o, policy);
      if (policy.errors.length > 0) {
        o.error('Nothing was written: fix the findings above, or suppress one in the declaration with its reason.');
        return EXIT_POLICY_VIOLATIONS;
      }
      // Everything is in place: swap the new output in. The replaced output goes aside, into a
      // folder deleted in the background (as are any such folders an earlier run left).
      const trash = mkdtempSync(join(root, TRASH_PREFIX));
      for (const name of readdirSync(root)) if (name.startsWith(TRASH_PREFIX) && join(root, name) !== trash) removeLater(join(root, name));
      const outdir = o.cdktfOutdir ? resolve(o.cdktfOutdir) : join(tmp, 'cdktf.out');
      if (!o.cdktfOutdir) {
        if (existsSync(join(root, 'cdktf.out'))) renameSync(join(root, 'cdktf.out'), join(trash, 'cdktf.out'));
        renameSync(outdir, join(root, 'cdktf.out'));
      }
      replaceGenerated(join(root, 'generated'), staged, generated, join(trash, 'generated'));
      removeLater(trash);

      const finalOut = o.cdktfOutdir ? resolve(o.cdktfOutdir) : join(root, 'cdktf.out');
      const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
      o.log(`Synthesized ${relative(root, file)} (${count(model.environments.length, 'environment')}, ${count(model.services.length, 'service')}):`);
      for (const env of envs) {
        for (const name of env.stacks) {
          const { blocks, instances } = counts.get(name) ?? { blocks: 0, instances: 0 };
          o.log(`  ${relative(root, join(finalOut, 'stacks', name))}/: ${count(blocks, 'resource block')}, ${count(instances, 'resource instance')}`);
        }
        const files = generated[env.environment];
        const roots = files
          .filter((p) => p.endsWith('kustomization.yaml') && !p.startsWith('azure/base/'))
          .map((p) => `generated/${env.environment}/${p.replace(/\/?kustomization\.yaml$/, '')}`.replace(/\/$/, ''));
        o.log(`  generated/${env.environment}/: ${files.length} files (ACCESS.md${roots.length > 0 ? `; kubectl kustomize ${roots.join(', ')}` : ''})`);
      }
      return EXIT_OK;
    },
  );
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
    ({ policy }) => {
      const code = policy.errors.length > 0 ? EXIT_POLICY_VIOLATIONS : EXIT_OK;
      if (o.format === 'json') {
        o.log(JSON.stringify({ ok: code === EXIT_OK, ...findingsJson(policy.findings, policy.notes) }, null, 2));
      } else {
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
