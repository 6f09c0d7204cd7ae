import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { App } from 'cdktf';
import { DeclarationError } from '../lib/declaration/problem';
import { loadDeclarationFile } from '../lib/declaration/load';
import { buildApp } from './app';

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

export const EXIT_OK = 0;
export const EXIT_INVALID_DECLARATION = 1;
export const EXIT_SYNTHESIS_FAILED = 2;

/** Counts Terraform resource blocks and their instances (for_each entries) in one stack. */
export function countResources(stackJson: { resource?: Record<string, Record<string, { for_each?: unknown }>> }): { blocks: number; instances: number } {
  let blocks = 0;
  let instances = 0;
  for (const byName of Object.values(stackJson.resource ?? {})) {
    for (const r of Object.values(byName)) {
      blocks += 1;
      instances += r.for_each && typeof r.for_each === 'object' ? Object.keys(r.for_each).length : 1;
    }
  }
  return { blocks, instances };
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
 * stay. The files of the last synthesis are known from each folder's OWNED_FILES list.
 */
function replaceGenerated(generated: string, next: Record<string, Record<string, string>>): void {
  if (existsSync(generated)) {
    for (const env of readdirSync(generated)) {
      const list = join(generated, env, OWNED_FILES);
      if (!existsSync(list)) continue;
      for (const rel of readFileSync(list, 'utf8').split('\n').filter(Boolean)) {
        const file = join(generated, env, rel);
        if (!file.startsWith(join(generated, env))) continue;
        rmSync(file, { force: true });
        removeEmptyDirs(dirname(file), join(generated, env));
      }
      rmSync(list, { force: true });
      removeEmptyDirs(join(generated, env), generated);
    }
  }
  for (const [env, files] of Object.entries(next)) {
    for (const [rel, content] of Object.entries(files)) {
      const target = join(generated, env, rel);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    writeFileSync(join(generated, env, OWNED_FILES), `${Object.keys(files).sort().join('\n')}\n`);
  }
}

/**
 * Validates the declaration and synthesizes every environment. Writes nothing unless all of it
 * succeeds. Returns the process exit code.
 */
export function synthesize(o: SynthesizeOptions): number {
  const root = resolve(o.root ?? process.cwd());
  const file = resolve(root, o.declarationFile);
  let model;
  try {
    model = loadDeclarationFile(file);
  } catch (e) {
    if (e instanceof DeclarationError) {
      o.error(e.message);
      o.error('Nothing was written.');
      return EXIT_INVALID_DECLARATION;
    }
    o.error(`error: ${(e as Error).message}`);
    return EXIT_SYNTHESIS_FAILED;
  }

  const tmp = mkdtempSync(join(root, '.synth-'));
  try {
    const outdir = o.cdktfOutdir ? resolve(o.cdktfOutdir) : join(tmp, 'cdktf.out');
    const app = new App({ outdir, stackTraces: false });
    const envs = buildApp(app, model);
    app.synth();
    const gitops: Record<string, Record<string, string>> = {};
    for (const env of envs) if (env.gitops) gitops[env.environment] = env.gitops;
    // Everything is in place: swap the new output in.
    if (!o.cdktfOutdir) {
      rmSync(join(root, 'cdktf.out'), { recursive: true, force: true });
      renameSync(outdir, join(root, 'cdktf.out'));
    }
    replaceGenerated(join(root, 'generated'), gitops);

    const finalOut = o.cdktfOutdir ? resolve(o.cdktfOutdir) : join(root, 'cdktf.out');
    o.log(`Synthesized ${relative(root, file)} (${model.environments.length} environments, ${model.services.length} services):`);
    for (const env of envs) {
      for (const stack of env.stacks) {
        const name = stack.node.id;
        const json = JSON.parse(readFileSync(join(finalOut, 'stacks', name, 'cdk.tf.json'), 'utf8'));
        const { blocks, instances } = countResources(json);
        o.log(`  ${relative(root, join(finalOut, 'stacks', name, 'cdk.tf.json'))}: ${blocks} resource blocks, ${instances} resource instances`);
      }
      if (env.gitops) {
        const roots = Object.keys(env.gitops)
          .filter((p) => p.endsWith('kustomization.yaml') && !p.startsWith('azure/base/'))
          .map((p) => `generated/${env.environment}/${p.replace(/\/?kustomization\.yaml$/, '')}`.replace(/\/$/, ''));
        o.log(`  generated/${env.environment}/: ${Object.keys(env.gitops).length} files (kubectl kustomize ${roots.join(', ')})`);
      }
    }
    return EXIT_OK;
  } catch (e) {
    o.error(`synthesis failed: ${(e as Error).message}`);
    o.error('Nothing was written.');
    return EXIT_SYNTHESIS_FAILED;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
