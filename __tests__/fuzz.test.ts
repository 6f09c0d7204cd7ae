import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DeclarationError } from '../lib/declaration/problem';
import { loadDeclarationFile, parseDeclaration } from '../lib/declaration/load';
import { EXAMPLE } from './support/synth';

describe('hostile and broken input never crashes the program', () => {
  const example = readFileSync(EXAMPLE, 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));

  /** Loads a declaration text: a model, or a DeclarationError; any other outcome fails the test. */
  function outcome(text: string | Buffer, i: number): 'ok' | 'refused' {
    const file = join(dir, `f${i}.yaml`);
    writeFileSync(file, text);
    try {
      loadDeclarationFile(file);
      return 'ok';
    } catch (e) {
      if (e instanceof DeclarationError) {
        expect(e.problems.length).toBeGreaterThan(0);
        return 'refused';
      }
      throw new Error(`input ${i} crashed the loader: ${(e as Error).stack}\n---\n${text}`);
    }
  }

  test('mutated example declarations are either valid or refused with problems', () => {
    const lines = example.split('\n');
    const mutation = fc.oneof(
      fc.record({ op: fc.constant('delete'), at: fc.nat() }),
      fc.record({ op: fc.constant('duplicate'), at: fc.nat() }),
      fc.record({ op: fc.constant('indent'), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
      fc.record({ op: fc.constant('replace'), at: fc.nat(), text: fc.string({ maxLength: 12 }) }),
      fc.record({ op: fc.constant('swap'), at: fc.nat(), with: fc.nat() }),
      fc.record({ op: fc.constant('bytes'), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    );
    let i = 0;
    const seen = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ops) => {
        let ls = [...lines];
        let bytes: Buffer | undefined;
        for (const m of ops as any[]) {
          if (bytes) break;
          const at = m.at % ls.length;
          if (m.op === 'delete') ls.splice(at, 1);
          if (m.op === 'duplicate') ls.splice(at, 0, ls[at]);
          if (m.op === 'indent') ls[at] = m.by > 0 ? ' '.repeat(m.by) + ls[at] : ls[at].slice(-m.by);
          if (m.op === 'replace') ls[at] = ls[at].slice(0, ls[at].length / 2) + m.text;
          if (m.op === 'swap') [ls[at], ls[m.with % ls.length]] = [ls[m.with % ls.length], ls[at]];
          if (m.op === 'bytes') {
            const text = Buffer.from(ls.join('\n'));
            bytes = Buffer.concat([text.subarray(0, at), Buffer.from(m.bytes), text.subarray(at)]);
            ls = [];
          }
        }
        seen[outcome(bytes ?? ls.join('\n'), i++)] += 1;
      }),
      { numRuns: 150, seed: 11 },
    );
    // The mutations exercise both outcomes.
    expect(seen.ok).toBeGreaterThan(5);
    expect(seen.refused).toBeGreaterThan(40);
  });

  test('arbitrary values anywhere in the declaration object are refused with problems, never a crash', () => {
    const base = loadDeclarationFile(EXAMPLE) && JSON.parse(JSON.stringify(require('yaml').parse(example)));
    const paths: string[][] = [];
    const walk = (o: any, p: string[]) => {
      paths.push(p);
      if (o && typeof o === 'object' && !Array.isArray(o)) for (const [k, v] of Object.entries(o)) walk(v, [...p, k]);
    };
    walk(base, []);
    fc.assert(
      fc.property(fc.nat(), fc.anything(), (pick, value) => {
        const d = JSON.parse(JSON.stringify(base));
        const p = paths[pick % paths.length];
        if (p.length === 0) return;
        let node = d;
        for (const seg of p.slice(0, -1)) node = node[seg];
        node[p[p.length - 1]] = value;
        try {
          parseDeclaration(d);
        } catch (e) {
          if (!(e instanceof DeclarationError)) throw e;
          expect(e.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400, seed: 5 },
    );
  });

  test('a multi-megabyte file of junk is refused quickly with one clear problem', () => {
    const junk = Buffer.alloc(4 * 1024 * 1024, 'a: [');
    const started = Date.now();
    expect(outcome(junk, 9999)).toBe('refused');
    expect(Date.now() - started).toBeLessThan(20000);
  });
});
