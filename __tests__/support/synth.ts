import { copyFileSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { synthesize } from '../../stacks/synthesize';
import { readStack } from '../../lib/terraform/stack-json';

export interface SynthResult {
  readonly root: string;
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Parsed cdk.tf.json by stack name. */
  readonly stacks: Record<string, any>;
  /** generated/ files: path relative to generated/ -> content. */
  readonly generated: Record<string, string>;
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Runs the app's synthesis on a declaration file in a fresh folder, as `npm run synth` does. */
export function synthFile(declaration: string, name = 'secrets.yaml'): SynthResult {
  const root = mkdtempSync(join(tmpdir(), 'synth-'));
  copyFileSync(declaration, join(root, name));
  return synthIn(root, name);
}

/**
 * The repository example with both manifest modes (support/example.ts), synthesized once for the whole test run (by the global setup) and read
 * by every test file that only reads it. Tests must not change the folder.
 */
export function exampleOutput(): SynthResult {
  const shared = process.env.SECRET_WIRING_EXAMPLE_OUTPUT;
  if (!shared) {
    const root = mkdtempSync(join(tmpdir(), 'synth-'));
    writeFileSync(join(root, 'secrets.yaml'), require('./example').exampleWithBothModes());
    return synthIn(root, 'secrets.yaml');
  }
  const { stdout, stderr, code } = JSON.parse(readFileSync(join(shared, 'result.json'), 'utf8'));
  return { ...readOutput(shared, code), root: shared, stdout, stderr };
}

function readOutput(root: string, code: number): Pick<SynthResult, 'code' | 'stacks' | 'generated'> {
  const stacks: Record<string, any> = {};
  const generated: Record<string, string> = {};
  if (code === 0) {
    const stacksDir = join(root, 'cdktf.out', 'stacks');
    // Each stack with its for_each data files put in place, as Terraform reads them.
    for (const s of readdirSync(stacksDir).sort()) stacks[s] = readStack(join(stacksDir, s));
    const genDir = join(root, 'generated');
    for (const f of listFiles(genDir)) generated[relative(genDir, f)] = readFileSync(f, 'utf8');
  }
  return { code, stacks, generated };
}

export function synthIn(root: string, name: string): SynthResult {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = synthesize({ declarationFile: name, root, log: (l) => stdout.push(l), error: (l) => stderr.push(l) });
  return { root, stdout, stderr, ...readOutput(root, code) };
}

export const EXAMPLE = join(__dirname, '..', '..', 'secrets.yaml');

/**
 * Each block's arguments in a collection of a synthesized stack (blocks file merged in), by key:
 * from the blocks' `//` comments, or, where `Testing.synth` dropped them, from names of the
 * readable form (`<collection>_<part>__<part>`).
 */
export function configs(stack: any, type: string, collection: string): Record<string, any> {
  const { resourceInstances } = require('../../lib/policy/inventory');
  const out: Record<string, any> = {};
  for (const r of resourceInstances(stack)) {
    if (r.type !== type) continue;
    if (r.collection !== undefined) {
      const { '//': _comment, ...config } = r.config;
      if (r.collection === collection && r.key !== undefined) out[r.key] = config;
    } else if (r.name.startsWith(`${collection}_`) && !r.name.includes('___')) {
      const key = r.name.slice(collection.length + 1).split('__').join('/');
      if (require('../../lib/terraform/block-names').blockName(collection, key) === r.name) out[key] = r.config;
    }
  }
  return out;
}

/** Synthesizes the repository example (both manifest modes) changed by `edit` (a parsed copy), in a fresh folder; it must succeed. */
export function synthExampleWith(edit: (d: any) => void): SynthResult {
  const { parse, stringify } = require('yaml');
  const root = mkdtempSync(join(tmpdir(), 'example-'));
  const d = parse(require('./example').exampleWithBothModes());
  edit(d);
  writeFileSync(join(root, 'secrets.yaml'), stringify(d));
  const r = synthIn(root, 'secrets.yaml');
  expect(r.stderr.filter((l) => /ERROR|problem/.test(l))).toEqual([]);
  expect(r.code).toBe(0);
  return r;
}

/**
 * Every object of the GitOps files of one environment and cloud, by `Kind/namespace/name` (GKE at
 * generated/<env>/, AKS under generated/<env>/azure/): the manifests, or the monitoring objects of
 * the folder's _monitoring/.
 */
export function gitopsObjects(generated: Record<string, string>, env: string, cloud: 'gcp' | 'azure', folder: 'manifests' | 'monitoring' = 'manifests'): Record<string, any> {
  const { parseAllDocuments } = require('yaml');
  const { objectKey } = require('../../lib/kubernetes/objects');
  const prefix = cloud === 'azure' ? `${env}/azure/` : `${env}/`;
  const monitoring = `${prefix}_monitoring/`;
  const objects: Record<string, any> = {};
  for (const [path, text] of Object.entries(generated)) {
    if (!path.startsWith(prefix) || (cloud === 'gcp' && path.startsWith(`${env}/azure/`))) continue;
    // The monitoring objects have a folder of their own (their own kustomization).
    if (path.startsWith(monitoring) !== (folder === 'monitoring')) continue;
    if (!path.endsWith('.yaml') || path.endsWith('kustomization.yaml')) continue;
    for (const doc of parseAllDocuments(text)) {
      const o = doc.toJS();
      objects[objectKey(o)] = o;
    }
  }
  return objects;
}
