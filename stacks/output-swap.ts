/**
 * How the product replaces its output folders (cdktf.out/ and generated/) without ever leaving a
 * mixture: one run at a time (a lock file), every check before the first write, then a swap
 * recorded in a journal so that a run killed at any moment is completed by the next one, before
 * anything else. Nothing is written, deleted or followed outside the output folders.
 */
import { cpSync, linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';

/** Lists, in each environment folder of generated/, the files the product wrote there. */
export const OWNED_FILES = '.secret-wiring-files';
/** The swap in progress, in the project folder; present only while a swap runs (or was killed). */
export const SWAP_JOURNAL = '.secret-wiring-swap.json';
/** Held by the run that writes the project's output. */
export const LOCK_FILE = '.secret-wiring.lock';
/** Prefix of a run's scratch folder, and of folders of replaced output waiting to be deleted. */
export const SCRATCH_PREFIX = '.synth-';
export const TRASH_PREFIX = '.synth-trash-';

/** A problem found before anything was written: one line for the user. */
export class OutputError extends Error {}

interface Journal {
  readonly version: 1;
  /** Where the replaced output goes. */
  readonly trash: string;
  /** Each folder: the new one, where it goes, and the name of the old one in the trash. */
  readonly swaps: readonly { readonly staged: string; readonly target: string; readonly name: string; readonly copy?: boolean }[];
  /** Entries of the old generated/ that are not the product's, carried into the new one. */
  readonly carry: readonly string[];
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the project's lock, waiting up to `waitMs` for another run to finish; a lock whose process
 * is gone is taken over. Returns the function that releases it. Throws an OutputError naming the
 * other process when it does not finish in time.
 */
export function acquireLock(root: string, waitMs = 60_000): () => void {
  const path = join(root, LOCK_FILE);
  const me = `${process.pid}\n${hostname()}\n${new Date().toISOString()}\n`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      // Written whole, then linked into place: a lock file is never seen empty, even by the run
      // after one killed while taking it (link fails if the lock exists).
      const mine = `${path}.${process.pid}`;
      writeFileSync(mine, me);
      try {
        linkSync(mine, path);
      } finally {
        rmSync(mine, { force: true });
      }
      return () => {
        try {
          if (readFileSync(path, 'utf8') === me) rmSync(path, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new OutputError(`cannot take the lock ${path}: ${code ?? (e as Error).message}`);
    }
    let holder = '';
    try {
      holder = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // released in between
      throw new OutputError(`cannot read the lock ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; remove it if no other run is writing this project's output`);
    }
    const [pid, host, started] = holder.split('\n');
    const sameHost = host === hostname();
    // A lock of an earlier version, written in two steps, may be empty: stale once it is old.
    const incomplete = !(Number(pid) > 0) && Date.now() - statSync(path).mtimeMs > 5_000;
    if (incomplete || (sameHost && !(Number(pid) > 0 && alive(Number(pid))))) {
      rmSync(path, { force: true }); // its process is gone
      continue;
    }
    if (Date.now() >= deadline) {
      throw new OutputError(
        `another run (process ${pid} on ${host}, started ${started}) is writing this project's output and holds ${path}; waited ${Math.round(waitMs / 1000)}s. Run again when it is done, or delete the file if that process no longer runs.`,
      );
    }
    sleep(200);
  }
}

function writeJournal(root: string, j: Journal): void {
  const path = join(root, SWAP_JOURNAL);
  writeFileSync(`${path}.tmp`, JSON.stringify(j));
  renameSync(`${path}.tmp`, path);
}

/** Moves a folder into place, or copies it where a rename cannot (another file system). */
function place(staged: string, target: string, copy: boolean | undefined): void {
  if (copy) {
    cpSync(staged, target, { recursive: true });
    rmSync(staged, { recursive: true, force: true });
    return;
  }
  renameSync(staged, target);
}

/** Runs (or finishes) a recorded swap; every step can run again. */
function runJournal(root: string, j: Journal): void {
  mkdirSync(j.trash, { recursive: true });
  for (const s of j.swaps) {
    if (!exists(s.staged)) continue; // done
    const old = join(j.trash, s.name);
    if (exists(s.target) && !exists(old)) renameSync(s.target, old);
    else if (exists(s.target)) rmSync(s.target, { recursive: true, force: true });
    place(s.staged, s.target, s.copy);
  }
  const generated = join(root, 'generated');
  const oldGenerated = join(j.trash, 'generated');
  for (const rel of j.carry) {
    const from = join(oldGenerated, rel);
    const to = join(generated, rel);
    if (!exists(from) || exists(to)) continue;
    mkdirSync(dirname(to), { recursive: true });
    renameSync(from, to);
  }
  rmSync(join(root, SWAP_JOURNAL), { force: true });
}

/**
 * Completes a swap a killed run left (its journal), then removes the scratch folders of runs that
 * are gone. Call with the lock held. Returns what was repaired, for the user, or undefined.
 */
export function repairOutput(root: string, removeLater: (dir: string) => void): string | undefined {
  const path = join(root, SWAP_JOURNAL);
  let repaired: string | undefined;
  if (exists(path)) {
    const j = JSON.parse(readFileSync(path, 'utf8')) as Journal;
    runJournal(root, j);
    repaired = `completed the output swap an interrupted run left (${j.swaps.map((s) => relative(root, s.target) || s.target).join(', ')})`;
  }
  for (const name of readdirSync(root)) {
    if (name.startsWith(SCRATCH_PREFIX)) removeLater(join(root, name));
    // A lock written by a run killed before it linked it into place.
    if (name.startsWith(`${LOCK_FILE}.`) && /^[0-9]+$/.test(name.slice(LOCK_FILE.length + 1)) && !alive(Number(name.slice(LOCK_FILE.length + 1)))) rmSync(join(root, name), { force: true });
  }
  return repaired;
}

/** Entries under a folder, relative: files, symbolic links (never followed) and empty folders. */
function entriesUnder(dir: string, rel = ''): string[] {
  const out: string[] = [];
  const here = readdirSync(join(dir, rel), { withFileTypes: true });
  if (here.length === 0 && rel !== '') out.push(rel);
  for (const e of here) {
    const path = rel === '' ? e.name : join(rel, e.name);
    if (e.isDirectory()) out.push(...entriesUnder(dir, path));
    else out.push(path);
  }
  return out;
}

/** A path from an owned-files list, kept only if it stays inside its folder. */
function safeRelative(rel: string): string | undefined {
  if (rel === '' || isAbsolute(rel) || normalize(rel) !== rel || rel.split(sep).includes('..') || rel.includes('\0')) return undefined;
  return rel;
}

export interface GeneratedSwap {
  /** Entries of the old generated/ to carry into the new one. */
  readonly carry: readonly string[];
  /** Files a team kept at a path the product now writes, taken over (with takeOver). */
  readonly takenOver: readonly string[];
}

/**
 * Checks the old generated/ against the new tree (`next`: every file of it, relative to
 * generated/) before anything is written, and lists what of the old one to carry over: everything
 * the product did not write (as its owned-files lists say). Throws an OutputError when generated/
 * is not a real folder, or when a file the product did not write is at a path it now writes
 * (unless `takeOver`).
 */
export function planGeneratedSwap(root: string, next: ReadonlySet<string>, takeOver: boolean): GeneratedSwap {
  const generated = join(root, 'generated');
  if (!exists(generated)) return { carry: [], takenOver: [] };
  const stat = lstatSync(generated);
  if (stat.isSymbolicLink() || !stat.isDirectory()) {
    throw new OutputError(`generated/ is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}: the product writes only into a real folder inside the project; move it away and synthesize again`);
  }
  const owned = new Set<string>();
  for (const env of readdirSync(generated, { withFileTypes: true })) {
    if (!env.isDirectory()) continue;
    const list = join(generated, env.name, OWNED_FILES);
    if (!exists(list) || !lstatSync(list).isFile()) continue;
    owned.add(join(env.name, OWNED_FILES));
    for (const rel of readFileSync(list, 'utf8').split('\n')) {
      const safe = safeRelative(rel);
      if (safe) owned.add(join(env.name, safe));
    }
  }
  const nextDirs = new Set<string>();
  for (const f of next) for (let d = dirname(f); d !== '.'; d = dirname(d)) nextDirs.add(d);
  const carry: string[] = [];
  const conflicts: string[] = [];
  for (const rel of entriesUnder(generated)) {
    if (owned.has(rel)) continue;
    // A team's entry where the product writes a file, or where it needs a folder.
    const clash = next.has(rel) || nextDirs.has(rel) || [...ancestors(rel)].some((a) => next.has(a));
    if (clash) conflicts.push(rel);
    else carry.push(rel);
  }
  if (conflicts.length > 0 && !takeOver) {
    throw new OutputError(
      `generated/ holds ${conflicts.length === 1 ? 'a file' : `${conflicts.length} files`} the product did not write at ${conflicts.length === 1 ? 'a path' : 'paths'} it writes: ${conflicts
        .slice(0, 5)
        .map((c) => `generated/${c}`)
        .join(', ')}${conflicts.length > 5 ? ', ...' : ''}. Move ${conflicts.length === 1 ? 'it' : 'them'} away, or synthesize with --take-over to replace ${conflicts.length === 1 ? 'it' : 'them'}.`,
    );
  }
  return { carry, takenOver: conflicts };
}

function* ancestors(rel: string): Iterable<string> {
  for (let d = dirname(rel); d !== '.'; d = dirname(d)) yield d;
}

/**
 * Replaces the output folders: the new cdktf.out (unless undefined) and the new generated/, each
 * staged whole, are moved into place and the old ones aside into `trash`; then what the old
 * generated/ held that the product did not write is moved into the new one. Recorded in a journal
 * first, so that a run killed half way is completed by the next.
 */
export function swapOutputs(
  root: string,
  o: { readonly cdktf?: { readonly staged: string; readonly target: string }; readonly generated: string; readonly carry: readonly string[]; readonly trash: string },
): void {
  const swaps: Journal['swaps'][number][] = [];
  if (o.cdktf) {
    // Another file system (CDKTF_OUTDIR elsewhere) cannot take a rename: the folder is copied there.
    const copy = !o.cdktf.target.startsWith(`${root}${sep}`);
    swaps.push({ staged: o.cdktf.staged, target: o.cdktf.target, name: 'cdktf.out', copy });
  }
  swaps.push({ staged: o.generated, target: join(root, 'generated'), name: 'generated' });
  const j: Journal = { version: 1, trash: o.trash, swaps, carry: o.carry };
  writeJournal(root, j);
  runJournal(root, j);
}
