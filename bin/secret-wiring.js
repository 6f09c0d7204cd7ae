#!/usr/bin/env node
'use strict';
/**
 * The product's command line: `secret-wiring <command> [args]` (npm run synth, check, report, ...).
 *
 * In a checkout, the TypeScript is compiled only when it changed: the build records a fingerprint of
 * every compiled source (the files tsconfig.json includes, and tsconfig.json itself) and of every
 * JavaScript file it produced. A command runs at once when both still match; otherwise it compiles
 * first (from scratch when an output was changed or removed), so a stale build never runs. In an
 * installed package (no sources), the shipped build runs as it is.
 */
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = resolve(__dirname, '..');

/** Command -> compiled entry point under the output folder. */
const COMMANDS = {
  synth: 'main.js',
  check: 'scripts/check.js',
  adopt: 'scripts/adopt.js',
  convert: 'scripts/convert.js',
  report: 'scripts/report.js',
  identities: 'scripts/identities.js',
  validate: 'scripts/validate.js',
  schema: 'scripts/write-schema.js',
  bench: 'bench/run.js',
};

/** File of the build's fingerprint, in the output folder. */
const STAMP = '.build-fingerprint';

function walk(dir, keep, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, keep, out);
    else if (keep(name)) out.push(p);
  }
  return out;
}

/** The sources a tsconfig compiles: its `include` entries (`dir/**\/*.ts` or files), sorted. */
function sourcesOf(root, tsconfig) {
  const config = JSON.parse(readFileSync(join(root, tsconfig), 'utf8'));
  const files = [join(root, tsconfig)];
  for (const pattern of config.include ?? []) {
    const m = /^(.*?)\/\*\*\/\*\.ts$/.exec(pattern);
    if (m) walk(join(root, m[1]), (n) => n.endsWith('.ts') && !n.endsWith('.d.ts'), files);
    else if (existsSync(join(root, pattern))) files.push(join(root, pattern));
  }
  return { files: [...new Set(files)].sort(), outDir: join(root, config.compilerOptions?.outDir ?? 'dist') };
}

function digest(root, files) {
  const h = createHash('sha256');
  for (const f of files) h.update(`${relative(root, f)}\0`).update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

/** The fingerprint of the sources and of the JavaScript the build produced from them. */
function fingerprint(root, tsconfig = 'tsconfig.json') {
  const { files, outDir } = sourcesOf(root, tsconfig);
  const outputs = walk(outDir, (n) => n.endsWith('.js'), []).filter((f) => !relative(outDir, f).startsWith('__tests__'));
  return { sources: digest(root, files), outputs: digest(outDir, outputs), outDir };
}

/** Whether the build in the output folder was made from the current sources and is untouched. */
function isFresh(root, tsconfig = 'tsconfig.json') {
  const now = fingerprint(root, tsconfig);
  const file = join(now.outDir, STAMP);
  if (!existsSync(file)) return false;
  try {
    const was = JSON.parse(readFileSync(file, 'utf8'));
    return was.sources === now.sources && was.outputs === now.outputs;
  } catch {
    return false;
  }
}

/**
 * Compiles with tsc and records the fingerprint. Unless the outputs are exactly those of the last
 * recorded build, tsc starts from scratch: its incremental state cannot see outputs that were
 * changed or removed by hand.
 */
function build(root, tsconfig = 'tsconfig.json', log = (line) => process.stderr.write(`${line}\n`)) {
  const now = fingerprint(root, tsconfig);
  const outDir = now.outDir;
  let was;
  try {
    was = JSON.parse(readFileSync(join(outDir, STAMP), 'utf8'));
  } catch {
    was = undefined;
  }
  rmSync(join(outDir, STAMP), { force: true });
  if (!was || was.outputs !== now.outputs) {
    const config = JSON.parse(readFileSync(join(root, tsconfig), 'utf8'));
    rmSync(join(root, config.compilerOptions?.tsBuildInfoFile ?? join(outDir, '.tsbuildinfo')), { force: true });
  }
  log(`secret-wiring: compiling the TypeScript (${was ? 'the sources changed since the last build' : 'no recorded build'})`);
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, tsconfig)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) return r.status ?? 2;
  const { sources, outputs } = fingerprint(root, tsconfig);
  writeFileSync(join(outDir, STAMP), `${JSON.stringify({ sources, outputs })}\n`);
  return 0;
}

/** Builds when needed; returns the output folder, or an exit code when the build failed. */
function ensureBuilt(root) {
  if (!isClone(root)) return join(root, 'dist'); // an installed package: shipped build
  if (isFresh(root)) return sourcesOf(root, 'tsconfig.json').outDir;
  const code = build(root);
  return code === 0 ? sourcesOf(root, 'tsconfig.json').outDir : code;
}

/** Whether this is a clone (sources to build) rather than an installed package (its shipped build). */
const isClone = (root) => existsSync(join(root, 'tsconfig.json'));

/** The commands this copy can run: all of them in a clone; in the package, those it ships. */
function available(root) {
  if (isClone(root)) return ['build', ...Object.keys(COMMANDS)];
  return Object.keys(COMMANDS).filter((c) => existsSync(join(root, 'dist', COMMANDS[c])));
}

function main(argv) {
  const [command, ...args] = argv;
  const commands = available(ROOT);
  const known = command === 'build' || Object.prototype.hasOwnProperty.call(COMMANDS, command ?? '');
  if (known && !commands.includes(command)) {
    process.stderr.write(`secret-wiring: ${command} is a command of the repository (a clone), not of the installed package; the package has ${commands.join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  if (command === 'build') {
    process.exitCode = build(ROOT);
    return;
  }
  if (!known) {
    process.stderr.write(`usage: secret-wiring <${commands.join('|')}> [args]\n`);
    process.exitCode = 2;
    return;
  }
  const out = ensureBuilt(ROOT);
  if (typeof out === 'number') {
    process.exitCode = out;
    return;
  }
  // The command runs in this process, with its own arguments.
  const entry = join(out, COMMANDS[command]);
  process.argv = [process.argv[0], entry, ...args];
  require(entry);
}

if (require.main === module) main(process.argv.slice(2));

module.exports = { fingerprint, isFresh, build, sourcesOf, COMMANDS, STAMP };
