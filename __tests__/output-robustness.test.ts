/**
 * The output folders under hostile conditions: runs killed at any moment, two runs at once, links
 * and lists pointing out of the project, a team's files at the product's paths, failures in JSON
 * mode. The compiled command line (dist/main.js) runs as a user runs it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { EXAMPLE, listFiles, synthIn } from './support/synth';
import { LOCK_FILE, OWNED_FILES, SWAP_JOURNAL } from '../stacks/output-swap';
import { check, EXIT_POLICY_VIOLATIONS, EXIT_SYNTHESIS_FAILED, synthesize } from '../stacks/synthesize';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const built = existsSync(MAIN);
const run = built ? test : test.skip;

/** The example, and the example without service-b: two declarations whose outputs differ. */
const declarationA = readFileSync(EXAMPLE, 'utf8');
const declarationB = (() => {
  const d = parse(declarationA);
  delete d.services['service-b'];
  return stringify(d);
})();

function project(text = declarationA): string {
  const root = mkdtempSync(join(tmpdir(), 'robust-'));
  writeFileSync(join(root, 'secrets.yaml'), text);
  return root;
}

/** Every file of a folder, relative, with its content (symbolic links as their target). */
function tree(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const f of listFiles(dir)) out[relative(dir, f)] = lstatSync(f).isSymbolicLink() ? `-> ${require('node:fs').readlinkSync(f)}` : readFileSync(f, 'utf8');
  return out;
}

/** The output of a declaration, synthesized in a folder of its own. */
function reference(text: string): { cdktf: Record<string, string>; generated: Record<string, string> } {
  const root = project(text);
  expect(synthIn(root, 'secrets.yaml').code).toBe(0);
  return { cdktf: tree(join(root, 'cdktf.out')), generated: tree(join(root, 'generated')) };
}

function cli(root: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [MAIN, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env } });
}

const scratch = (root: string) => readdirSync(root).filter((n) => n.startsWith('.synth-') && !n.startsWith('.synth-trash-'));

let A: ReturnType<typeof reference>;
let B: ReturnType<typeof reference>;
beforeAll(() => {
  A = reference(declarationA);
  B = reference(declarationB);
  expect(A.generated).not.toEqual(B.generated);
});

describe('a synthesis killed at any moment', () => {
  run('SIGKILL: each folder is the previous output or the new one (or a journal the next run completes), and the next run leaves exactly its own files', async () => {
    // How long a run takes here, to spread the kills over all of it.
    const t0 = Date.now();
    const timing = project();
    expect(cli(timing).status).toBe(0);
    const duration = Date.now() - t0;
    // Spread over a run as long as the timing one, and one run left to finish (Infinity): a loaded
    // machine runs slower than the timing run, and the kills must still cover the end.
    const moments = [...Array.from({ length: 10 }, (_, i) => Math.round((duration * (i + 1)) / 9)), Infinity];
    let sawJournal = 0;
    let sawNew = 0;
    for (const ms of moments) {
      const root = project(declarationA);
      expect(cli(root).status).toBe(0);
      writeFileSync(join(root, 'secrets.yaml'), declarationB);
      const child = spawn(process.execPath, [MAIN], { cwd: root, stdio: 'ignore', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
      const exited = new Promise((r) => child.on('exit', r));
      if (ms !== Infinity) {
        await new Promise((r) => setTimeout(r, ms));
        child.kill('SIGKILL');
      }
      await exited;
      if (existsSync(join(root, SWAP_JOURNAL))) sawJournal++;
      else {
        const cdktf = tree(join(root, 'cdktf.out'));
        const generated = tree(join(root, 'generated'));
        expect([ms, 'cdktf.out', [A.cdktf, B.cdktf].some((t) => JSON.stringify(t) === JSON.stringify(cdktf))]).toEqual([ms, 'cdktf.out', true]);
        expect([ms, 'generated', [A.generated, B.generated].some((t) => JSON.stringify(t) === JSON.stringify(generated))]).toEqual([ms, 'generated', true]);
        if (JSON.stringify(generated) === JSON.stringify(B.generated)) sawNew++;
      }
      // The next run repairs what is left and leaves exactly its own output.
      const next = cli(root);
      expect([ms, next.status, next.stderr]).toEqual([ms, 0, '']);
      expect(tree(join(root, 'cdktf.out'))).toEqual(B.cdktf);
      expect(tree(join(root, 'generated'))).toEqual(B.generated);
      expect(existsSync(join(root, SWAP_JOURNAL))).toBe(false);
      expect(existsSync(join(root, LOCK_FILE))).toBe(false);
    }
    // The kills hit before, during and after the swap.
    expect(sawNew + sawJournal).toBeGreaterThan(0);
  }, 180_000);

  run('SIGINT and SIGTERM: the run ends cleanly with the signal\'s code, its scratch folders gone, each folder previous or new', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const root = project(declarationA);
      expect(cli(root).status).toBe(0);
      writeFileSync(join(root, 'secrets.yaml'), declarationB);
      const child = spawn(process.execPath, [MAIN], { cwd: root, stdio: 'ignore', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
      let done = false;
      const exited = new Promise<number | null>((r) =>
        child.on('exit', (c) => {
          done = true;
          r(c);
        }),
      );
      // The signal while the run writes (it holds the lock), whatever the machine's load.
      for (let waited = 0; !done && !existsSync(join(root, LOCK_FILE)) && waited < 20_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      const finishedFirst = done;
      if (!finishedFirst) child.kill(signal);
      const code = await exited;
      expect([signal, code]).toEqual([signal, finishedFirst ? 0 : signal === 'SIGINT' ? 130 : 143]);
      expect(scratch(root)).toEqual([]);
      expect(existsSync(join(root, SWAP_JOURNAL))).toBe(false);
      const generated = JSON.stringify(tree(join(root, 'generated')));
      expect([JSON.stringify(A.generated), JSON.stringify(B.generated)]).toContain(generated);
    }
  }, 60_000);
});

describe('one run at a time', () => {
  run('two syntheses started together in one folder: both succeed, one after the other, and the folder holds exactly one declaration\'s output', async () => {
    const root = project(declarationA);
    const other = join(root, 'b.yaml');
    writeFileSync(other, declarationB);
    const start = (env: NodeJS.ProcessEnv) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [MAIN], { cwd: root, env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env } });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('exit', (code) => resolve({ code, out }));
      });
    const [a, b] = await Promise.all([start({}), start({ SECRETS_FILE: 'b.yaml' })]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const generated = JSON.stringify(tree(join(root, 'generated')));
    expect([JSON.stringify(A.generated), JSON.stringify(B.generated)]).toContain(generated);
    const cdktf = tree(join(root, 'cdktf.out'));
    expect(JSON.stringify(cdktf) === JSON.stringify(A.cdktf) ? generated === JSON.stringify(A.generated) : generated === JSON.stringify(B.generated)).toBe(true);
  }, 60_000);

  run('a run that finds the lock of a live process waits, then refuses naming it; nothing is written', () => {
    const root = project();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(root, LOCK_FILE), `${sleeper.pid}\n${require('node:os').hostname()}\n2026-12-02T00:00:00.000Z\n`);
      const out: string[] = [];
      const code = synthesize({ declarationFile: 'secrets.yaml', root, lockWaitMs: 500, log: (l) => out.push(l), error: (l) => out.push(l) });
      expect(code).toBe(EXIT_SYNTHESIS_FAILED);
      expect(out.join('\n')).toMatch(new RegExp(`another run \\(process ${sleeper.pid} on .+, started 2026-12-02T00:00:00.000Z\\) is writing this project's output`));
      expect(existsSync(join(root, 'cdktf.out'))).toBe(false);
      expect(existsSync(join(root, 'generated'))).toBe(false);
    } finally {
      sleeper.kill();
    }
  });

  test('the lock of a process that is gone is taken over', () => {
    const root = project();
    writeFileSync(join(root, LOCK_FILE), `999999\n${require('node:os').hostname()}\n2026-12-02T00:00:00.000Z\n`);
    expect(synthIn(root, 'secrets.yaml').code).toBe(0);
    expect(existsSync(join(root, LOCK_FILE))).toBe(false);
  });
});

describe('contained: nothing outside the output folders is written, deleted or followed', () => {
  test('generated/ as a link out of the project is refused, and what it points to stays', () => {
    const root = project();
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    writeFileSync(join(outside, 'keep.yaml'), 'kind: Keep\n');
    symlinkSync(outside, join(root, 'generated'));
    const r = synthIn(root, 'secrets.yaml');
    expect(r.code).toBe(EXIT_SYNTHESIS_FAILED);
    expect(r.stderr.join('\n')).toMatch(/generated\/ is a symbolic link: the product writes only into a real folder inside the project[\s\S]*Nothing was written\./);
    expect(readdirSync(outside)).toEqual(['keep.yaml']);
    expect(existsSync(join(root, 'cdktf.out'))).toBe(false);
  });

  test('a link at a path the product writes, pointing out of the project, is refused; nothing is written through it', () => {
    const root = project();
    expect(synthIn(root, 'secrets.yaml').code).toBe(0);
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    writeFileSync(join(outside, 'keep.yaml'), 'kind: Keep\n');
    rmSync(join(root, 'generated', 'production', 'service-a'), { recursive: true });
    symlinkSync(outside, join(root, 'generated', 'production', 'service-a'));
    const r = synthIn(root, 'secrets.yaml');
    expect(r.code).toBe(EXIT_SYNTHESIS_FAILED);
    expect(r.stderr.join('\n')).toMatch(/generated\/production\/service-a[\s\S]*Nothing was written\./);
    expect(readdirSync(outside)).toEqual(['keep.yaml']);
    expect(lstatSync(join(root, 'generated', 'production', 'service-a')).isSymbolicLink()).toBe(true);
  });

  test('an owned-files list naming paths out of its folder deletes nothing there', () => {
    const root = project();
    expect(synthIn(root, 'secrets.yaml').code).toBe(0);
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    writeFileSync(join(outside, 'precious.txt'), 'mine\n');
    writeFileSync(join(root, 'keep-me.txt'), 'project file\n');
    const list = join(root, 'generated', 'production', OWNED_FILES);
    writeFileSync(list, `${readFileSync(list, 'utf8')}../../keep-me.txt\n${join(outside, 'precious.txt')}\n../../../${relative('/', outside)}/precious.txt\n`);
    expect(synthIn(root, 'secrets.yaml').code).toBe(0);
    expect(readFileSync(join(outside, 'precious.txt'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(root, 'keep-me.txt'), 'utf8')).toBe('project file\n');
  });
});

describe("a team's files at the product's paths", () => {
  test('are never replaced silently: refused naming them, nothing written; --take-over replaces them', () => {
    const root = project();
    mkdirSync(join(root, 'generated', 'production'), { recursive: true });
    writeFileSync(join(root, 'generated', 'production', 'kustomization.yaml'), '# ours\nresources: [app.yaml]\n');
    const r = synthIn(root, 'secrets.yaml');
    expect(r.code).toBe(EXIT_SYNTHESIS_FAILED);
    expect(r.stderr.join('\n')).toMatch(/generated\/ holds a file the product did not write at a path it writes: generated\/production\/kustomization\.yaml\. Move it away, or synthesize with --take-over/);
    expect(readFileSync(join(root, 'generated', 'production', 'kustomization.yaml'), 'utf8')).toBe('# ours\nresources: [app.yaml]\n');
    expect(existsSync(join(root, 'cdktf.out'))).toBe(false);
    const out: string[] = [];
    const code = synthesize({ declarationFile: 'secrets.yaml', root, takeOver: true, log: (l) => out.push(l), error: (l) => out.push(l) });
    expect(code).toBe(0);
    expect(out).toContain('Note: replaced generated/production/kustomization.yaml, which the product had not written (--take-over).');
    expect(readFileSync(join(root, 'generated', 'production', 'kustomization.yaml'), 'utf8')).toMatch(/^# Generated by secret-wiring|resources:/);
  });

  test('a file where the product needs a folder (generated/<env>) is refused before anything is written, and the message says so', () => {
    const root = project();
    expect(synthIn(root, 'secrets.yaml').code).toBe(0);
    const before = tree(join(root, 'cdktf.out'));
    rmSync(join(root, 'generated', 'production'), { recursive: true });
    writeFileSync(join(root, 'generated', 'production'), 'a file\n');
    const r = synthIn(root, 'secrets.yaml');
    expect(r.code).toBe(EXIT_SYNTHESIS_FAILED);
    expect(r.stderr.join('\n')).toMatch(/generated\/production[\s\S]*Nothing was written\./);
    expect(tree(join(root, 'cdktf.out'))).toEqual(before);
    expect(readFileSync(join(root, 'generated', 'production'), 'utf8')).toBe('a file\n');
  });
});

describe('honest messages, no stack trace', () => {
  test('CDKTF_OUTDIR with a policy error: nothing is written there either', () => {
    const root = project(
      stringify(
        (() => {
          const d = parse(declarationA);
          d.services['service-a'].secrets['secret-a'].FOO_PASSWORD.deletionProtection = false;
          return d;
        })(),
      ),
    );
    const outdir = join(root, 'elsewhere');
    const out: string[] = [];
    const code = synthesize({ declarationFile: 'secrets.yaml', root, cdktfOutdir: outdir, log: (l) => out.push(l), error: (l) => out.push(l) });
    expect(code).toBe(EXIT_POLICY_VIOLATIONS);
    expect(out.join('\n')).toMatch(/Nothing was written/);
    expect(existsSync(outdir)).toBe(false);
  });

  test('a lock that cannot be read: one line, exit 2, no stack trace; JSON mode prints JSON', () => {
    const root = project();
    mkdirSync(join(root, LOCK_FILE));
    const out: string[] = [];
    const err: string[] = [];
    const code = check({ declarationFile: 'secrets.yaml', root, format: 'json', log: (l) => out.push(l), error: (l) => err.push(l) });
    expect(code).toBe(EXIT_SYNTHESIS_FAILED);
    expect(JSON.parse(out.join('\n'))).toEqual({ ok: false, error: expect.stringMatching(/^cannot read the lock .*: EISDIR; remove it/) });
    expect(err.join('\n')).not.toMatch(/\n\s+at /);
  });

  run('the command line: an unknown argument is a usage error', () => {
    const root = project();
    const r = cli(root, ['--force']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('unknown argument --force; usage: secret-wiring synth [--take-over]\n');
  });
});

describe('an interrupted swap is completed by the next run, before anything else', () => {
  test.each([
    ['after the journal, before any rename', 0],
    ['after the old cdktf.out went aside', 1],
    ['after the new cdktf.out moved in', 2],
    ['after the old generated/ went aside', 3],
    ['after the new generated/ moved in, before the team files were carried over', 4],
  ])('killed %s', (_moment, steps) => {
    const root = project(declarationA);
    expect(synthIn(root, 'secrets.yaml').code).toBe(0);
    writeFileSync(join(root, 'generated', 'production', 'team.yaml'), 'kind: Team\n');
    // What a run of declaration B stages, then a swap cut after `steps` renames.
    const staging = project(declarationB);
    expect(synthIn(staging, 'secrets.yaml').code).toBe(0);
    const tmp = mkdtempSync(join(root, '.synth-'));
    require('node:fs').renameSync(join(staging, 'cdktf.out'), join(tmp, 'cdktf.out'));
    require('node:fs').renameSync(join(staging, 'generated'), join(tmp, 'generated'));
    const trash = mkdtempSync(join(root, '.synth-trash-'));
    const journal = {
      version: 1,
      trash,
      swaps: [
        { staged: join(tmp, 'cdktf.out'), target: join(root, 'cdktf.out'), name: 'cdktf.out' },
        { staged: join(tmp, 'generated'), target: join(root, 'generated'), name: 'generated' },
      ],
      carry: ['production/team.yaml'],
    };
    writeFileSync(join(root, SWAP_JOURNAL), JSON.stringify(journal));
    const { renameSync } = require('node:fs');
    const cut = [
      () => renameSync(join(root, 'cdktf.out'), join(trash, 'cdktf.out')),
      () => renameSync(join(tmp, 'cdktf.out'), join(root, 'cdktf.out')),
      () => renameSync(join(root, 'generated'), join(trash, 'generated')),
      () => renameSync(join(tmp, 'generated'), join(root, 'generated')),
    ];
    for (const step of cut.slice(0, steps)) step();
    // The next run, whatever it is (here a check, which writes nothing else), completes the swap first.
    const out: string[] = [];
    expect(check({ declarationFile: 'secrets.yaml', root, log: (l) => out.push(l), error: (l) => out.push(l) })).toBe(0);
    expect(out[0]).toMatch(/^Note: completed the output swap an interrupted run left \(cdktf\.out, generated\)\.$/);
    expect(existsSync(join(root, SWAP_JOURNAL))).toBe(false);
    expect(tree(join(root, 'cdktf.out'))).toEqual(B.cdktf);
    expect(tree(join(root, 'generated'))).toEqual({ ...B.generated, 'production/team.yaml': 'kind: Team\n' });
  });
});
