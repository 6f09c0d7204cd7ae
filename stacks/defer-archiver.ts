/**
 * cdktf requires `archiver` (to zip the folders of `TerraformAsset`s, which the product never uses)
 * as soon as cdktf itself is loaded: about 170 ms of every run. Imported first by the command
 * line, this puts a stand-in in its place in Node's module cache that loads the real module the
 * first time cdktf calls it. Nothing happens where cdktf's copy of archiver cannot be found.
 */
import { dirname } from 'node:path';

/** The path of the archiver cdktf requires, or undefined where there is none. */
function archiverPath(): string | undefined {
  try {
    return require.resolve('archiver', { paths: [dirname(require.resolve('cdktf'))] });
  } catch {
    return undefined;
  }
}

/** Installs the stand-in unless archiver is loaded already; returns whether it did. */
export function deferArchiver(): boolean {
  const path = archiverPath();
  if (path === undefined || require.cache[path]) return false;
  const load = (): (...args: unknown[]) => unknown => {
    delete require.cache[path];
    return require(path);
  };
  const standIn = function (this: unknown, ...args: unknown[]): unknown {
    return load().apply(this, args);
  };
  require.cache[path] = { id: path, filename: path, loaded: true, exports: standIn, children: [], paths: [] } as unknown as NodeJS.Module;
  return true;
}

deferArchiver();
