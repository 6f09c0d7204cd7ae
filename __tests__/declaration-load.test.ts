import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DeclarationError } from '../lib/declaration/problem';
import { MAX_DECLARATION_BYTES, loadDeclarationFile } from '../lib/declaration/load';
import { baseDeclaration } from './support/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'declaration-'));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function errorOf(path: string): DeclarationError {
  try {
    loadDeclarationFile(path);
  } catch (e) {
    if (e instanceof DeclarationError) return e;
    throw e;
  }
  throw new Error('expected a DeclarationError');
}

describe('loading a declaration file', () => {
  test('GIVEN the repository example WHEN loaded THEN both environments and both services resolve', () => {
    const model = loadDeclarationFile(join(__dirname, '..', 'secrets.yaml'));
    expect(model.environments.map((e) => e.name)).toEqual(['evaluation', 'production']);
    expect(model.services.map((s) => [s.name, s.platform])).toEqual([
      ['demo', 'azure'],
      ['demo-batch', 'azure'],
      ['service-a', 'gcp'],
      ['service-b', 'gcp'],
    ]);
  });

  test('problems carry the line of the offending value', () => {
    const text = stringify(baseDeclaration()).replace('project: demo-production', 'project: Demo_Production');
    const e = errorOf(file('line.yaml', text));
    const expected = text.split('\n').findIndex((l) => l.includes('Demo_Production')) + 1;
    expect(e.problems).toEqual([expect.objectContaining({ path: ['environments', 'production', 'gcp', 'project'], line: expected })]);
    expect(e.message).toContain(`environments.production.gcp.project (line ${expected}): "Demo_Production"`);
    expect(e.message).toContain(join(dir, 'line.yaml'));
  });

  test('duplicate keys are refused', () => {
    const e = errorOf(file('dup.yaml', 'environments:\n  a: {}\n  a: {}\nservices: {}\n'));
    expect(e.message).toMatch(/line 3.*a mapping repeats a key/);
  });

  test('an alias bomb is refused without expanding it', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    lines.push('environments: *l', 'services: {}');
    const e = errorOf(file('bomb.yaml', lines.join('\n')));
    expect(e.message).toMatch(/aliases may expand at most/);
  });

  test('deep nesting is refused', () => {
    const e = errorOf(file('deep.yaml', `environments: ${'['.repeat(200)}${']'.repeat(200)}\nservices: {}\n`));
    expect(e.message).toMatch(/nesting deeper than 64 levels/);
  });

  test('bytes that are not UTF-8 are refused', () => {
    const e = errorOf(file('latin1.yaml', Buffer.from([0x65, 0x6e, 0x76, 0x3a, 0x20, 0xe9, 0x0a])));
    expect(e.message).toMatch(/must be UTF-8 text/);
  });

  test('a file over the size limit is refused before it is parsed', () => {
    const e = errorOf(file('big.yaml', `# ${'x'.repeat(MAX_DECLARATION_BYTES)}\n`));
    expect(e.message).toMatch(/a declaration file is at most 8388608 bytes/);
  });

  test('a missing file is reported by name', () => {
    const e = errorOf(join(dir, 'absent.yaml'));
    expect(e.message).toMatch(/absent\.yaml.*cannot read the declaration file \(ENOENT\)/);
  });

  test('YAML that is not a mapping is reported as a type problem', () => {
    const e = errorOf(file('list.yaml', '- a\n- b\n'));
    expect(e.message).toMatch(/\(root\).*must be a mapping, not a list/);
  });
});

describe('hostile YAML', () => {
  test('a tagged binary value is refused with one problem', () => {
    const e = errorOf(file('binary.yaml', 'environments:\n  a: !!binary aGVsbG8=\nservices: {}\n'));
    expect(e.problems).toHaveLength(1);
    expect(e.message).toMatch(/environments\.a \(line 2\).*only mappings, lists, strings, numbers, booleans and null/);
  });

  test('nesting deep enough to overflow a recursive parser is reported as nesting', () => {
    const e = errorOf(file('deeper.yaml', `environments: ${'['.repeat(20000)}${']'.repeat(20000)}\nservices: {}\n`));
    expect(e.message).toMatch(/nesting deeper than 64 levels/);
    expect(e.message).not.toMatch(/call stack/);
  });

  test('several YAML documents in one file', () => {
    const e = errorOf(file('multi.yaml', 'environments: {}\n---\nservices: {}\n'));
    expect(e.message).toMatch(/line 2.*a declaration is one YAML document/);
  });

  test('a folder instead of a file', () => {
    const e = errorOf(dir);
    expect(e.message).toMatch(/cannot read the declaration file \(not a regular file\)/);
  });
});

describe('the fast path for plain YAML', () => {
  const { plainDeclarationData, parseDeclarationText } = require('../lib/declaration/load');

  test('gives the same data as the careful parser for every declaration of the repository', () => {
    const dir = join(__dirname, '..', 'examples', 'declarations');
    const files = [join(__dirname, '..', 'secrets.yaml'), ...require('node:fs').readdirSync(dir).map((f: string) => join(dir, f))];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const plain = plainDeclarationData(text);
      expect([f, plain]).toEqual([f, parseDeclarationText(text, f).data]);
    }
  });

  test('gives the same data as the careful parser, or declines, for arbitrary YAML', () => {
    const scalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('yes', 'no', '0o17', '0x1F', '1_000', '.inf', '~', '<<', 'True', '2001-12-14', '"quoted"', 'a: b', '- x'));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 6 }), tie('node'), { maxKeys: 3 })),
    })).node;
    fc.assert(
      fc.property(value, fc.constantFrom('block', 'flow'), (v, style) => {
        const text = stringify(v, { collectionStyle: style });
        const plain = plainDeclarationData(text);
        if (plain === undefined) return;
        expect(plain).toEqual(parseDeclarationText(text, 'x.yaml').data);
      }),
      { numRuns: 400 },
    );
  });

  test('declines what only the careful parser may read: aliases, tags, repeated keys, several documents', () => {
    for (const text of ['a: &x 1\nb: *x\n', 'a: !!binary aGk=\n', 'a: !vault x\n', 'a: 1\na: 2\n', 'a: 1\n---\nb: 2\n', '', `${'['.repeat(70)}${']'.repeat(70)}`]) {
      expect([text.slice(0, 20), plainDeclarationData(text)]).toEqual([text.slice(0, 20), undefined]);
    }
  });
});
