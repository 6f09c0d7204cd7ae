/**
 * `npm run bench`: synthesizes declarations of growing size with the product as a user runs it
 * (`node dist/main.js` with SECRETS_FILE), and with a naive cdktf program that declares the same
 * resources one construct each, alternately, several times; prints medians of wall time and peak
 * memory, their ratios, output sizes, and resources and manifests per environment and per stack.
 * Then times the README's test command and a cold `npm run synth`.
 *
 * Options: --sizes 100,1000,10000  --runs N (runs per size and program; default 3)
 *          --shards N (also run the largest size with N shard stacks per environment; default 8, 0: not)
 *          --skip-commands (do not time npm test and npm run synth)
 * Exits non-zero if a size fails to synthesize; it does not judge the times.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { resourceInstances } from '../lib/policy/inventory';
import { readStack } from '../lib/terraform/stack-json';
import { benchDeclaration } from './declaration';
import { NAIVE_TYPES, type WorkList } from './naive';

const ROOT = resolve(__dirname, '..', '..');
const HOOK = join(ROOT, 'bench', 'rss-hook.js');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Run {
  readonly seconds: number;
  readonly rssMb: number;
}

/** Runs a node program, returning wall time and peak RSS; throws with its stderr when it fails. */
function measure(args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const rssFile = join(mkdtempSync(join(tmpdir(), 'bench-rss-')), 'rss');
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', HOOK, ...args], { cwd, env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile, CHECKPOINT_DISABLE: '1' }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).slice(0, 2000)}`);
  return { seconds, rssMb: Number(readFileSync(rssFile, 'utf8')) / 1024 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function bytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    total += st.isDirectory() ? bytes(p) : st.size;
  }
  return total;
}

function timeCommand(cmd: string, args: string[]): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' }, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout).slice(-2000)}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const fmt = (n: number, d = 2) => n.toFixed(d);

function main(): number {
  const sizes = (arg('sizes') ?? '100,1000,10000').split(',').map(Number);
  const shardCount = Number(arg('shards') ?? 8);
  // Every size unsharded, then the largest once more split into shard stacks.
  const configs = [...sizes.map((size) => ({ size, shards: 0 })), ...(shardCount > 0 ? [{ size: Math.max(...sizes), shards: shardCount }] : [])];
  const runs = Number(arg('runs') ?? 3);
  console.log(`secret-wiring benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}`);
  console.log(`${runs} alternating runs per size and program; medians shown.\n`);
  const perSecret: Record<number, number> = {};
  let failed = false;
  const rows: string[] = [];
  for (const { size, shards } of configs) {
    const label = shards > 0 ? `${size} (${shards} shards)` : `${size}`;
    const dir = mkdtempSync(join(tmpdir(), `bench-${size}-`));
    writeFileSync(join(dir, 'secrets.yaml'), stringify(benchDeclaration(size, 50, shards)));
    const product: Run[] = [];
    const naive: Run[] = [];
    let work: WorkList = {};
    try {
      for (let i = 0; i < runs; i++) {
        rmSync(join(dir, 'cdktf.out'), { recursive: true, force: true });
        product.push(measure([join(ROOT, 'dist', 'main.js')], dir, { SECRETS_FILE: 'secrets.yaml' }));
        if (i === 0) {
          // The naive program declares what the product synthesized, resource by resource.
          const stacks = join(dir, 'cdktf.out', 'stacks');
          work = {};
          for (const name of readdirSync(stacks).sort()) {
            const json = readStack(join(stacks, name));
            work[name] = resourceInstances(json)
              .filter((r) => NAIVE_TYPES.includes(r.type))
              .map((r) => ({ type: r.type, config: r.config as Record<string, unknown> }));
          }
          writeFileSync(join(dir, 'worklist.json'), JSON.stringify(work));
        }
        naive.push(measure([join(ROOT, 'dist', 'bench', 'naive.js'), join(dir, 'worklist.json'), join(dir, 'naive.out')], dir));
      }
    } catch (e) {
      console.log(`size ${label}: FAILED: ${(e as Error).message}`);
      failed = true;
      continue;
    }
    const p = { seconds: median(product.map((r) => r.seconds)), rssMb: median(product.map((r) => r.rssMb)) };
    const n = { seconds: median(naive.map((r) => r.seconds)), rssMb: median(naive.map((r) => r.rssMb)) };
    if (shards === 0) perSecret[size] = p.seconds / size;
    const outBytes = bytes(join(dir, 'cdktf.out')) + bytes(join(dir, 'generated'));
    const total = Object.values(work).reduce((s, xs) => s + xs.length, 0);
    rows.push(
      `| ${label} | ${fmt(p.seconds)} s | ${fmt(p.rssMb, 0)} MB | ${fmt(n.seconds)} s | ${fmt(n.rssMb, 0)} MB | ${fmt(p.seconds / n.seconds)} | ${fmt(p.rssMb / n.rssMb)} | ${fmt(outBytes / 1e6, 1)} MB | ${total} |`,
    );
    console.log(`size ${label} secrets per environment:`);
    console.log(`  product ${fmt(p.seconds)} s, ${fmt(p.rssMb, 0)} MB peak RSS; naive ${fmt(n.seconds)} s, ${fmt(n.rssMb, 0)} MB; ratio time ${fmt(p.seconds / n.seconds)}, memory ${fmt(p.rssMb / n.rssMb)}`);
    console.log(`  output ${fmt(outBytes / 1e6, 1)} MB; ${total} resource instances`);
    for (const env of ['evaluation', 'production']) {
      const stacks = Object.keys(work).filter((s) => s.startsWith(`${env}-`));
      const resources = stacks.filter((s) => !s.endsWith('-manifests')).reduce((s, k) => s + work[k].length, 0);
      const manifests = stacks.filter((s) => s.endsWith('-manifests')).reduce((s, k) => s + work[k].filter((r) => r.type === 'kubernetes_manifest').length, 0);
      console.log(`  ${env}: ${resources} cloud resources, ${manifests} kubernetes_manifest instances`);
    }
    for (const [name, items] of Object.entries(work)) console.log(`    ${name}: ${items.length} resources`);
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('\n| secrets per env | product time | product RSS | naive time | naive RSS | time ratio | memory ratio | output | resources |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
  if (perSecret[1000] && perSecret[10000]) console.log(`\ngrowth: time per secret at 10,000 is ${fmt(perSecret[10000] / perSecret[1000])}x that at 1,000`);

  if (!process.argv.includes('--skip-commands')) {
    rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
    console.log(`\ncold npm run synth (build included): ${fmt(timeCommand('npm', ['run', '--silent', 'synth']))} s`);
    console.log(`npm test: ${fmt(timeCommand('npm', ['test', '--silent']))} s`);
  }
  return failed ? 1 : 0;
}

process.exitCode = main();
