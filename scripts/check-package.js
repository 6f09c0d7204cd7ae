#!/usr/bin/env node
'use strict';
/**
 * The package as another team gets it: packs the tarball, checks what it holds, installs it into a
 * fresh folder beside the newest constructs 10.x and the peer dependencies' newest versions in their
 * ranges, then compiles every example app of examples/apps against it with the pinned TypeScript,
 * runs each (app.synth() with the rule pack applied), plans their stacks with real Terraform (the
 * offline tfplan tool beside the project, at $TFPLAN or ../shared/tools/tfplan/tfplan), and runs
 * the package's command line (synth, check, report, adopt, convert) on an example declaration.
 * Any failure exits non-zero naming the step.
 *
 * Usage: node scripts/check-package.js [--keep]   (--keep leaves the scratch folder for a look)
 */
const { execFileSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** What the tarball may hold: the library, its types, the CLI, the schema, and the documents. */
const ALLOWED = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/, /^bin\/secret-wiring\.js$/, /^schema\/secrets\.schema\.json$/, /^dist\/(lib|stacks)\/.+\.(js|d\.ts)$/, /^dist\/main\.js$/, /^dist\/scripts\/(adopt|check|convert|identities|report|validate|validate-stacks)\.js$/];
/** What it must hold. */
const REQUIRED = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin/secret-wiring.js', 'schema/secrets.schema.json', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/main.js'];

function step(name, fn) {
  process.stdout.write(`check-package: ${name}\n`);
  try {
    return fn();
  } catch (e) {
    const out = [e.stdout, e.stderr].filter(Boolean).map(String).join('\n');
    process.stderr.write(`check-package: FAILED at "${name}": ${e.message.split('\n')[0]}\n${out.slice(-4000)}\n`);
    process.exit(1);
  }
}

function run(cmd, args, cwd, env = {}) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env }, maxBuffer: 64 * 1024 * 1024 });
}

const scratch = mkdtempSync(join(tmpdir(), 'secret-wiring-package-'));
const keep = process.argv.includes('--keep');
try {
  const packed = step('npm pack', () => JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch], ROOT))[0]);
  const files = packed.files.map((f) => f.path);
  step('tarball contents', () => {
    const extra = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
    const missing = REQUIRED.filter((f) => !files.includes(f));
    // Every compiled file comes from a source of the repository (no leftover of a deleted one).
    const orphans = files.filter((f) => f.startsWith('dist/') && !existsSync(join(ROOT, f.replace(/^dist\//, '').replace(/\.d\.ts$|\.js$/, '.ts'))));
    if (extra.length > 0 || missing.length > 0 || orphans.length > 0) {
      throw new Error(`unexpected: ${extra.join(', ') || 'none'}; missing: ${missing.join(', ') || 'none'}; without a source: ${orphans.join(', ') || 'none'}`);
    }
    process.stdout.write(`  ${files.length} files, ${packed.size} bytes packed\n`);
  });

  const app = join(scratch, 'consumer');
  mkdirSync(app);
  const peers = pkg.peerDependencies;
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'consumer',
        private: true,
        dependencies: { 'secret-wiring': `file:${join(scratch, packed.filename)}`, ...peers, constructs: '^10' },
        devDependencies: { typescript: pkg.devDependencies.typescript, '@types/node': pkg.devDependencies['@types/node'] },
      },
      null,
      2,
    ),
  );
  step('npm install (tarball, newest constructs 10.x, peers in range)', () => run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], app));
  step('one copy of each peer', () => {
    const copies = (dir, name, out = []) => {
      if (!existsSync(dir)) return out;
      for (const entry of readdirSync(dir)) {
        const p = join(dir, entry);
        if (entry === name.split('/').pop() && p.endsWith(join('node_modules', name))) out.push(p);
        if (entry === 'node_modules' || entry.startsWith('@') || existsSync(join(p, 'node_modules'))) copies(entry === 'node_modules' || entry.startsWith('@') ? p : join(p, 'node_modules'), name, out);
      }
      return out;
    };
    for (const name of Object.keys(peers)) {
      const found = copies(join(app, 'node_modules'), name);
      if (found.length !== 1) throw new Error(`${name}: ${found.length} copies (${found.join(', ')})`);
    }
    const constructs = JSON.parse(readFileSync(join(app, 'node_modules', 'constructs', 'package.json'), 'utf8')).version;
    process.stdout.write(`  constructs ${constructs}, cdktf ${JSON.parse(readFileSync(join(app, 'node_modules', 'cdktf', 'package.json'), 'utf8')).version}\n`);
  });

  const examples = readdirSync(join(ROOT, 'examples', 'apps')).filter((d) => existsSync(join(ROOT, 'examples', 'apps', d, 'main.ts'))).sort();
  for (const e of examples) cpSync(join(ROOT, 'examples', 'apps', e), join(app, 'src', e), { recursive: true });
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', moduleResolution: 'node', strict: true, esModuleInterop: true, types: ['node'], outDir: 'dist', rootDir: 'src' }, include: ['src/**/*.ts'] }),
  );
  step('tsc over the example apps', () => run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], app));
  for (const e of examples) {
    step(`${e}: app.synth() with the rule pack`, () => {
      const out = join(app, 'out', e);
      mkdirSync(out, { recursive: true });
      run(process.execPath, [join(app, 'dist', e, 'main.js')], app, { CDKTF_OUTDIR: out });
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      const stacks = Object.keys(manifest.stacks);
      if (stacks.length === 0) throw new Error('no stack synthesized');
      for (const s of stacks) if (!existsSync(join(out, manifest.stacks[s].synthesizedStackPath))) throw new Error(`${s}: no ${manifest.stacks[s].synthesizedStackPath}`);
      process.stdout.write(`  ${stacks.join(', ')}\n`);
    });
  }

  // Real Terraform on what the apps synthesized, when the offline tfplan tool is beside the project.
  const tool = process.env.TFPLAN || join(ROOT, '..', 'shared', 'tools', 'tfplan', 'tfplan');
  if (existsSync(tool)) {
    step('terraform init, validate and plan of the apps\' stacks (tfplan)', () => {
      const stacks = join(scratch, 'stacks');
      for (const e of examples) {
        const out = join(app, 'out', e, 'stacks');
        for (const s of readdirSync(out)) cpSync(join(out, s), join(stacks, `${e}--${s}`), { recursive: true });
      }
      const printed = run(tool, [stacks, '--work', join(scratch, 'tfplan')], app);
      process.stdout.write(printed.split('\n').filter((l) => / (PASS|FAIL) /.test(l)).map((l) => `  ${l}\n`).join(''));
    });
  } else {
    process.stdout.write(`check-package: no tfplan tool at ${tool}: Terraform not run on the apps' stacks\n`);
  }

  const cli = join(scratch, 'cli');
  mkdirSync(cli);
  cpSync(join(ROOT, 'examples', 'declarations', 'aks-vault-per-service.yaml'), join(cli, 'secrets.yaml'));
  const bin = join(app, 'node_modules', '.bin', 'secret-wiring');
  step('secret-wiring synth', () => {
    run(bin, ['synth'], cli);
    for (const p of ['cdktf.out/manifest.json', 'generated']) if (!existsSync(join(cli, p))) throw new Error(`no ${p}`);
  });
  step('secret-wiring check', () => run(bin, ['check'], cli));
  step('secret-wiring report', () => {
    run(bin, ['report'], cli);
    if (!readFileSync(join(cli, 'generated', 'production', 'ACCESS.md'), 'utf8').includes('payments')) throw new Error('no access report written');
  });
  step('secret-wiring adopt', () => run(bin, ['adopt', '--env', 'staging'], cli));
  step('secret-wiring convert', () => {
    writeFileSync(join(cli, 'kes.yaml'), readFileSync(join(ROOT, '__tests__', 'fixtures', 'kes', 'gcp-services.yaml'), 'utf8'));
    run(bin, ['convert', 'kes', 'kes.yaml'], cli);
  });
  step('commands of a clone are refused by the package, naming what it has', () => {
    for (const command of ['build', 'schema', 'bench', 'nonsense']) {
      let failed;
      try {
        run(bin, [command], cli);
      } catch (e) {
        failed = e;
      }
      if (!failed || failed.status !== 2 || /\n\s+at /.test(String(failed.stderr))) throw new Error(`${command}: exit ${failed?.status}, ${String(failed?.stderr ?? '').slice(0, 300)}`);
      if (!String(failed.stderr).includes('synth')) throw new Error(`${command}: the message lists no command: ${failed.stderr}`);
    }
  });
  process.stdout.write('check-package: ok\n');
} finally {
  if (keep) process.stdout.write(`check-package: kept ${scratch}\n`);
  else rmSync(scratch, { recursive: true, force: true });
}
