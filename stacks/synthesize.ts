import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { App } from 'cdktf';
import { DeclarationError } from '../lib/declaration/problem';
import { loadDeclarationFile } from '../lib/declaration/load';
import { buildApp } from './app';
import { IDENTITIES_FILE } from '../lib/kubernetes/gitops-yaml';

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

/**
 * Carries the identities files that the Azure stacks wrote when applied (client ids Azure assigned)
 * from the previous generated/ into the new one, wherever the new one still has their folder.
 */
function keepIdentities(previous: string, next: string): void {
  if (!existsSync(previous)) return;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === IDENTITIES_FILE) {
        const target = join(next, relative(previous, p));
        if (existsSync(dirname(target))) copyFileSync(p, target);
      }
    }
  };
  walk(previous);
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
    const genTmp = join(tmp, 'generated');
    mkdirSync(genTmp);
    for (const env of envs) {
      for (const [path, content] of Object.entries(env.gitops ?? {})) {
        const target = join(genTmp, env.environment, path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, content);
      }
    }
    keepIdentities(join(root, 'generated'), genTmp);
    // Everything is in place: swap the new output in.
    if (!o.cdktfOutdir) {
      rmSync(join(root, 'cdktf.out'), { recursive: true, force: true });
      renameSync(outdir, join(root, 'cdktf.out'));
    }
    rmSync(join(root, 'generated'), { recursive: true, force: true });
    renameSync(genTmp, join(root, 'generated'));

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
        o.log(`  generated/${env.environment}/: ${Object.keys(env.gitops).length} files (kubectl kustomize generated/${env.environment})`);
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
