/// <reference path="./setup.ts" />
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The command line compiles only what changed, and never runs a stale build.
const { build, isFresh, STAMP } = require('../bin/secret-wiring.js');

function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'launcher-'));
  symlinkSync(join(__dirname, '..', 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { outDir: 'dist', rootDir: '.', module: 'commonjs', target: 'ES2022', incremental: true, tsBuildInfoFile: 'dist/.tsbuildinfo', types: [] }, include: ['main.ts', 'lib/**/*.ts'] }));
  mkdirSync(join(root, 'lib'));
  writeFileSync(join(root, 'main.ts'), "import { word } from './lib/word';\nconsole.log(word);\n");
  writeFileSync(join(root, 'lib', 'word.ts'), "export const word = 'one';\n");
  return root;
}
const quiet = () => undefined;

let root: string;
beforeAll(() => {
  root = project();
  expect(isFresh(root)).toBe(false);
  expect(build(root, 'tsconfig.json', quiet)).toBe(0);
});

test('GIVEN a fresh build WHEN nothing changed THEN it is fresh; WHEN a source is added or changed THEN it is stale until rebuilt, and the rebuild has the change', () => {
  expect(isFresh(root)).toBe(true);
  expect(JSON.parse(readFileSync(join(root, 'dist', STAMP), 'utf8'))).toEqual({ sources: expect.stringMatching(/^[0-9a-f]{64}$/), outputs: expect.stringMatching(/^[0-9a-f]{64}$/) });
  writeFileSync(join(root, 'lib', 'other.ts'), 'export const other = 1;\n');
  expect(isFresh(root)).toBe(false);
  writeFileSync(join(root, 'lib', 'word.ts'), "export const word = 'two';\n");
  expect(build(root, 'tsconfig.json', quiet)).toBe(0);
  expect(readFileSync(join(root, 'dist', 'lib', 'word.js'), 'utf8')).toContain("'two'");
  expect(isFresh(root)).toBe(true);
});

test('an output changed or removed by hand makes the build stale, and the rebuild restores it from scratch', () => {
  writeFileSync(join(root, 'dist', 'lib', 'word.js'), 'exports.word = "tampered";\n');
  expect(isFresh(root)).toBe(false);
  rmSync(join(root, 'dist', 'lib', 'other.js'));
  expect(isFresh(root)).toBe(false);
  expect(build(root, 'tsconfig.json', quiet)).toBe(0);
  expect(readFileSync(join(root, 'dist', 'lib', 'word.js'), 'utf8')).toContain("'two'");
  expect(readFileSync(join(root, 'dist', 'lib', 'other.js'), 'utf8')).toContain('other = 1');
  expect(isFresh(root)).toBe(true);
});
