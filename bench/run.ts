/**
 * `npm run bench`: the product against a naive cdktf program, at growing sizes, as users wait for it.
 *
 * Synthesis. In a copy of the project (its own build, the repository's node_modules), for each size:
 * the main command exactly as the README gives it (`npm run synth`, which compiles only what
 * changed), the same run without any build or npm (`node dist/main.js`), and the naive program
 * (bench/naive.ts: the same resources, one construct each), alternately, several times. It prints
 * medians of wall time and peak memory (the largest process), the ratios, output sizes, and
 * resources per stack; and the time per secret at 10,000 against 1,000.
 *
 * Plans. With the offline tfplan tool (--tfplan PATH, $TFPLAN, or ../shared/tools/tfplan/tfplan), real
 * `terraform init/validate/plan/show` of one environment's cloud stacks, the product's and the naive
 * program's (one resource block per instance: the baseline), at each unsharded size; plan time per
 * instance at 10,000 against 1,000; and the plan of the shard stack that one service's change touches.
 *
 * Options: --sizes 1000,10000  --runs N (default 3)  --shards N (the largest size again in N shard
 * stacks; default 16, 0: not)  --no-plans  --skip-commands (do not time npm test and a cold synth).
 * Exits non-zero if a size fails to synthesize or plan; it judges no time.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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
const flag = (name: string) => process.argv.includes(`--${name}`);

interface Run {
  readonly seconds: number;
  readonly rssMb: number;
}

/**
 * Runs a command, returning its wall time and the peak resident memory of its largest Node.js
 * process (npm included); throws with its output when it fails.
 */
function measure(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const rssFile = join(mkdtempSync(join(tmpdir(), 'bench-rss-')), 'rss');
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env, NODE_OPTIONS: `--require ${HOOK}`, BENCH_RSS_FILE: rssFile, CHECKPOINT_DISABLE: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).slice(0, 2000)}`);
  const peaks = readFileSync(rssFile, 'utf8').split('\n').filter(Boolean).map(Number);
  return { seconds, rssMb: Math.max(...peaks) / 1024 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function bytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    total += st.isDirectory() ? bytes(p) : st.size;
  }
  return total;
}

const fmt = (n: number, d = 2) => n.toFixed(d);

/**
 * Waits until the output a run replaced has been deleted (the product deletes it in the background,
 * after the command returns): each measured run starts on a quiet machine, as a user's next run does.
 */
function settle(project: string): void {
  const started = Date.now();
  while (readdirSync(project).some((n) => n.startsWith('.synth-trash-')) && Date.now() - started < 30_000) spawnSync('sleep', ['0.2']);
}

/** A copy of the project (sources, configuration, the launcher) using the repository's node_modules. */
function projectCopy(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'bench-project-')), 'project');
  mkdirSync(dir);
  for (const name of ['package.json', 'tsconfig.json', 'cdktf.json', 'main.ts', 'bin', 'lib', 'stacks', 'scripts', 'examples', 'bench']) {
    cpSync(join(ROOT, name), join(dir, name), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** What the naive program declares: every resource the product synthesized, with the rest of each stack. */
function workList(stacksDir: string): WorkList {
  const work: WorkList = {};
  for (const name of readdirSync(stacksDir).sort()) {
    const json = readStack(join(stacksDir, name));
    const { resource, terraform: _t, provider: _p, '//': _c, moved: _m, ...rest } = json;
    // Resources of other kinds (a pause, a local file) go along as they are.
    const others = Object.fromEntries(Object.entries<Record<string, unknown>>(resource ?? {}).filter(([type]) => !NAIVE_TYPES.includes(type)));
    if (Object.keys(others).length > 0) rest.resource = others;
    work[name] = {
      items: resourceInstances(json)
        .filter((r) => NAIVE_TYPES.includes(r.type))
        .map((r) => ({ type: r.type, name: r.name, config: r.config as Record<string, unknown> })),
      rest,
    };
  }
  return work;
}

interface PlanFigure {
  readonly seconds: number;
  readonly instances: number;
  readonly summary: string;
}

/** One stack through tfplan (init, validate, plan, show), timed as a whole. */
function planStack(tool: string, stacksDir: string, stack: string, fixture: string): PlanFigure {
  const work = mkdtempSync(join(tmpdir(), 'bench-plan-'));
  const started = process.hrtime.bigint();
  const r = spawnSync(tool, [stacksDir, '--only', stack, '--work', work, '--data-fixture', fixture], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const results = existsSync(join(work, 'results.json')) ? JSON.parse(readFileSync(join(work, 'results.json'), 'utf8')) : [];
  const res = results[0];
  if (r.status !== 0 || !res || res.status !== 'PASS') throw new Error(`planning ${stack} failed:\n${r.stdout}${r.stderr}`);
  const plan = JSON.parse(readFileSync(res.planJson, 'utf8'));
  const instances = (plan.resource_changes ?? []).filter((c: { mode: string }) => c.mode === 'managed').length;
  rmSync(work, { recursive: true, force: true });
  return { seconds, instances, summary: res.plan };
}

function main(): number {
  const sizes = (arg('sizes') ?? '1000,10000').split(',').map(Number);
  const shardCount = Number(arg('shards') ?? 16);
  const runs = Number(arg('runs') ?? 3);
  const configs = [...sizes.map((size) => ({ size, shards: 0 })), ...(shardCount > 0 ? [{ size: Math.max(...sizes), shards: shardCount }] : [])];
  const tool = resolve(arg('tfplan') ?? process.env.TFPLAN ?? join(ROOT, '..', 'shared', 'tools', 'tfplan', 'tfplan'));
  const plans = !flag('no-plans') && existsSync(tool);
  console.log(`secret-wiring benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}`);
  console.log(`${runs} alternating runs per size and program; medians shown. Plans: ${plans ? `tfplan at ${tool}, one run each` : 'not measured (--no-plans, or no tfplan tool)'}.\n`);

  const project = projectCopy();
  // The first run of the main command in the copy compiles it: the cold start a fresh clone sees.
  writeFileSync(join(project, 'secrets.yaml'), readFileSync(join(ROOT, 'secrets.yaml')));
  const cold = measure('npm', ['run', 'synth'], project);
  console.log(`cold npm run synth (compiles first), the example: ${fmt(cold.seconds)} s\n`);
  const fixture = join(project, 'no-aks-addon.json');
  writeFileSync(fixture, JSON.stringify({ azurerm_kubernetes_cluster: { key_vault_secrets_provider: [] } }));

  const perSecret: Record<number, number> = {};
  const planPerInstance: Record<number, number> = {};
  const rows: string[] = [];
  const planRows: string[] = [];
  let failed = false;
  for (const { size, shards } of configs) {
    const label = shards > 0 ? `${size} (${shards} shards)` : `${size}`;
    writeFileSync(join(project, 'secrets.yaml'), stringify(benchDeclaration(size, 50, shards)));
    const naiveOut = join(project, 'naive.out');
    const main: Run[] = [];
    const nobuild: Run[] = [];
    const naive: Run[] = [];
    let work: WorkList = {};
    try {
      for (let i = 0; i < runs; i++) {
        settle(project);
        main.push(measure('npm', ['run', 'synth'], project));
        if (i === 0) {
          work = workList(join(project, 'cdktf.out', 'stacks'));
          writeFileSync(join(project, 'worklist.json'), JSON.stringify(work));
        }
        settle(project);
        nobuild.push(measure(process.execPath, [join(project, 'dist', 'main.js')], project));
        settle(project);
        rmSync(naiveOut, { recursive: true, force: true });
        naive.push(measure(process.execPath, [join(project, 'dist', 'bench', 'naive.js'), join(project, 'worklist.json'), naiveOut], project));
      }
    } catch (e) {
      console.log(`size ${label}: FAILED: ${(e as Error).message}`);
      failed = true;
      continue;
    }
    const m = { seconds: median(main.map((r) => r.seconds)), rssMb: median(main.map((r) => r.rssMb)) };
    const b = { seconds: median(nobuild.map((r) => r.seconds)), rssMb: median(nobuild.map((r) => r.rssMb)) };
    const n = { seconds: median(naive.map((r) => r.seconds)), rssMb: median(naive.map((r) => r.rssMb)) };
    if (shards === 0) perSecret[size] = m.seconds / size;
    const outBytes = bytes(join(project, 'cdktf.out')) + bytes(join(project, 'generated'));
    const total = Object.values(work).reduce((s, w) => s + w.items.length, 0);
    rows.push(
      `| ${label} | ${fmt(m.seconds)} s | ${fmt(b.seconds)} s | ${fmt(n.seconds)} s | ${fmt(m.seconds / n.seconds)} | ${fmt(b.seconds / n.seconds)} | ${fmt(m.seconds / b.seconds)} | ${fmt(m.rssMb, 0)} MB | ${fmt(n.rssMb, 0)} MB | ${fmt(m.rssMb / n.rssMb)} | ${fmt(outBytes / 1e6, 1)} MB | ${total} |`,
    );
    console.log(`size ${label} secrets per environment:`);
    console.log(`  npm run synth ${fmt(m.seconds)} s, ${fmt(m.rssMb, 0)} MB; node dist/main.js ${fmt(b.seconds)} s, ${fmt(b.rssMb, 0)} MB; naive ${fmt(n.seconds)} s, ${fmt(n.rssMb, 0)} MB`);
    console.log(`  ratios: main/naive time ${fmt(m.seconds / n.seconds)}, memory ${fmt(m.rssMb / n.rssMb)}; main/no-build ${fmt(m.seconds / b.seconds)}`);
    console.log(`  output ${fmt(outBytes / 1e6, 1)} MB; ${total} resource instances`);
    for (const [name, w] of Object.entries(work)) console.log(`    ${name}: ${w.items.length} resources`);

    if (!plans) continue;
    try {
      const stacks = join(project, 'cdktf.out', 'stacks');
      if (shards === 0) {
        // One environment's cloud stacks, the product's and the naive program's.
        let product = 0;
        let baseline = 0;
        let instances = 0;
        for (const stack of ['production-gcp', 'production-azure']) {
          const p = planStack(tool, stacks, stack, fixture);
          const q = planStack(tool, join(naiveOut, 'stacks'), stack, fixture);
          product += p.seconds;
          baseline += q.seconds;
          instances += p.instances;
          console.log(`  plan ${stack}: product ${fmt(p.seconds, 1)} s (${p.summary}); one block per instance, naive ${fmt(q.seconds, 1)} s (${q.summary})`);
        }
        planPerInstance[size] = product / instances;
        planRows.push(`| ${label}, production (gcp + azure) | ${instances} | ${fmt(product, 1)} s | ${fmt(baseline, 1)} s | ${fmt(product / baseline)} | ${fmt((1000 * product) / instances, 2)} ms |`);
      } else {
        // The shard a change to one service touches: svc-000's.
        const shard = readdirSync(stacks).find((s) => /^production-gcp-shard-\d+$/.test(s) && readFileSync(join(stacks, s, 'instances.tf.json'), 'utf8').includes('"svc-000_KEY_00000"'));
        if (!shard) throw new Error('no shard stack holds svc-000');
        const p = planStack(tool, stacks, shard, fixture);
        console.log(`  plan ${shard} (svc-000's shard): ${fmt(p.seconds, 1)} s (${p.summary})`);
        planRows.push(`| ${label}, ${shard} (one service's change) | ${p.instances} | ${fmt(p.seconds, 1)} s | | | ${fmt((1000 * p.seconds) / p.instances, 2)} ms |`);
      }
    } catch (e) {
      console.log(`plans at size ${label}: FAILED: ${(e as Error).message}`);
      failed = true;
    }
  }
  console.log('\n| secrets per env | npm run synth | node dist/main.js | naive | main/naive | no-build/naive | main/no-build | main RSS | naive RSS | memory ratio | output | resources |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
  const [small, large] = [Math.min(...sizes), Math.max(...sizes)];
  if (perSecret[small] && perSecret[large] && small !== large) console.log(`\ntime per secret at ${large} is ${fmt(perSecret[large] / perSecret[small])}x that at ${small}`);
  if (planRows.length > 0) {
    console.log('\n| plan (init + validate + plan + show) | instances | product | one block per instance (naive) | ratio | per instance |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const r of planRows) console.log(r);
    if (planPerInstance[small] && planPerInstance[large] && small !== large) console.log(`\nplan time per instance at ${large} is ${fmt(planPerInstance[large] / planPerInstance[small])}x that at ${small}`);
  }
  if (!flag('skip-commands')) {
    const started = process.hrtime.bigint();
    const r = spawnSync('npm', ['test', '--silent'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' }, maxBuffer: 64 << 20 });
    console.log(`\nnpm test: ${fmt(Number(process.hrtime.bigint() - started) / 1e9)} s${r.status === 0 ? '' : ' (FAILED)'}`);
    if (r.status !== 0) failed = true;
  }
  rmSync(resolve(project, '..'), { recursive: true, force: true });
  return failed ? 1 : 0;
}

process.exitCode = main();
