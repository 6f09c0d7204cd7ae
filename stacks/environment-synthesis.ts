/**
 * Synthesizing one environment: its own cdktf app, synthesized and checked by the rule pack, its
 * blocks files written, its access report and GitOps files staged. Used by the synthesis in this
 * process and by the worker processes that synthesize environments side by side.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App } from 'cdktf';
import type { EnvironmentModel, Model } from '../lib/declaration/model';
import type { PolicyReport } from '../lib/policy/policy-aspect';
import type { ResourceInstance } from '../lib/policy/types';
import { accessJsonLines, buildAccessReport, renderAccessMarkdown, type SharedBoundary } from '../lib/report/access-report';
import { sharedNamespaces } from '../lib/declaration/checks/shared-namespaces';
import { BLOCK_FILES_CONTEXT, writeBlockFiles } from '../lib/terraform/resource-blocks';
import { collectGarbage } from '../lib/util/collect-garbage';
import { buildEnvironment } from './app';
import { environmentUsage, type EnvironmentUsage } from '../lib/limits/usage';

/** Declarations with at least this many keys collect garbage between phases (small ones gain nothing). */
export const LARGE_DECLARATION_KEYS = 2000;

export function keyCount(model: Model): number {
  return model.services.reduce((n, s) => n + s.secrets.reduce((m, sec) => m + sec.keys.length, 0), 0);
}

/** Counts the resource blocks and resource instances (for_each entries expanded) of one stack. */
export function countResources(instances: readonly ResourceInstance[]): { blocks: number; instances: number } {
  return { blocks: new Set(instances.map((i) => `${i.type}.${i.name}`)).size, instances: instances.length };
}

/** The namespaces that several services of an environment share, as declared with sharedNamespace. */
function sharedBoundaries(model: Model, environment: string): SharedBoundary[] {
  return [...sharedNamespaces(model)]
    .filter(([key]) => key.split('|')[1] === environment)
    .map(([key, services]) => ({
      cloud: key.split('|')[0] as 'gcp' | 'azure',
      namespace: key.split('|')[2],
      services: services.map((s) => s.name),
      reasons: services.map((s) => `${s.name}: ${s.sharedNamespace ?? '(no reason)'}`),
    }));
}

/** What one environment's synthesis leaves: plain data, the same from a worker process. */
export interface EnvironmentResult {
  readonly environment: string;
  /** Stack names, in deploy order. */
  readonly stacks: string[];
  /** Files staged under `<staged>/<environment>/`, sorted. */
  readonly files: string[];
  /** Resource blocks and instances, by stack name. */
  readonly counts: [string, { blocks: number; instances: number }][];
  /** cdktf's manifest.json of the environment's app. */
  readonly manifest: { version: string; stacks: Record<string, unknown> };
  /** What the environment creates and how often its controllers call the clouds, for its budgets. */
  readonly usage: EnvironmentUsage;
}

/** Bytes gathered before a write, when a file is given as lines. */
const WRITE_CHUNK = 1 << 20;

/**
 * Writes files (path -> content, or lines) under a folder. Lines are written in chunks of about a
 * megabyte, so a large file is never one string in memory and never one write per line.
 */
export function stage(dir: string, files: Record<string, string | readonly string[]>): void {
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

/**
 * One environment: its own app, synthesized into `outdir` and checked by the rule pack, its access
 * report and GitOps files staged. Returns what the caller keeps; the rest is garbage on return.
 */
export function synthesizeEnvironment(model: Model, environment: EnvironmentModel, outdir: string, staged: string, policy: PolicyReport): EnvironmentResult {
  const app = new App({ outdir, stackTraces: false, context: { [BLOCK_FILES_CONTEXT]: true } });
  const env = buildEnvironment(app, model, environment, { policy });
  app.synth();
  writeBlockFiles(app, outdir);
  // The blocks are written: what only they needed is garbage before the report grows the heap.
  if (keyCount(model) >= LARGE_DECLARATION_KEYS) collectGarbage();
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { version: string; stacks: Record<string, unknown> };
  const names = env.stacks.map((s) => s.node.id);
  const counts = names.map((name): [string, { blocks: number; instances: number }] => [name, countResources(policy.instances.get(name) ?? [])]);
  // A cloud's view: the instances of its base stack and, in a sharded environment, every shard's,
  // as the rule pack saw them.
  const cloudJson = (cloud: 'gcp' | 'azure') =>
    names.filter((n) => n.startsWith(`${env.environment}-${cloud}`) && !n.endsWith('-manifests')).flatMap((n) => policy.instances.get(n) ?? []);
  const report = buildAccessReport({
    environment: env.environment,
    gcp: env.gcp && { instances: cloudJson('gcp'), objects: env.gcp.objects, clusters: env.gcp.clusters.map((c) => c.name), projectNumber: env.gcp.projectNumber, project: env.gcp.project },
    azure: env.azure && { instances: cloudJson('azure'), objects: env.azure.objects, clusters: env.azure.clusters.map((c) => c.name), vault: env.azure.keyVault.name },
    suppressions: model.suppressions,
    notes: policy.notes.filter((n) => names.includes(n.stack)),
    sharedBoundaries: sharedBoundaries(model, environment.name),
  });
  policy.instances.clear();
  // Written as soon as rendered, so that a large environment's files are never all in memory.
  const files = { 'ACCESS.md': renderAccessMarkdown(report), 'access.json': accessJsonLines(report) };
  stage(join(staged, env.environment), files);
  const gitops = env.gitops?.() ?? {};
  stage(join(staged, env.environment), gitops);
  const usage = environmentUsage(model, environment, { gcp: env.gcp, azure: env.azure });
  return { environment: env.environment, stacks: names, files: [...Object.keys(files), ...Object.keys(gitops)].sort(), counts, manifest, usage };
}
