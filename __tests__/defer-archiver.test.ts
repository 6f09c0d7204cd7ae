/// <reference path="./setup.ts" />
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// Node's own module cache is what the stand-in works on (Jest has a registry of its own): run the
// compiled module in a plain Node process.
const dist = join(__dirname, '..', 'dist', 'stacks', 'defer-archiver.js');

function node(script: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['-e', script], { cwd: join(__dirname, '..'), encoding: 'utf8' });
}

test('GIVEN the stand-in WHEN cdktf loads THEN archiver is not loaded; WHEN cdktf zips THEN the real archiver does it', () => {
  const r = node(`
    require(${JSON.stringify(dist)});
    const path = require.resolve('archiver', { paths: [require('path').dirname(require.resolve('cdktf'))] });
    require('cdktf');
    const standIn = require.cache[path].exports;
    const loaded = Object.keys(require.cache).filter((p) => p.includes('/archiver/') && p !== path).length;
    const archive = standIn('zip', { zlib: { level: 9 } });
    console.log(JSON.stringify({ loadedBefore: loaded, pipe: typeof archive.pipe, finalize: typeof archive.finalize, realNow: require.cache[path].exports !== standIn }));
  `);
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ loadedBefore: 0, pipe: 'function', finalize: 'function', realNow: true });
});

test('without the stand-in, loading cdktf loads archiver (what the stand-in saves)', () => {
  const r = node(`
    const path = require.resolve('archiver', { paths: [require('path').dirname(require.resolve('cdktf'))] });
    require('cdktf');
    console.log(JSON.stringify({ loaded: Boolean(require.cache[path]) && typeof require.cache[path].exports.create === 'function' }));
  `);
  expect(JSON.parse(r.stdout)).toEqual({ loaded: true });
});
