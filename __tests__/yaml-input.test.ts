/**
 * The YAML a declaration is read from: merge keys work; custom tags and alias floods are refused;
 * one mistake is one problem.
 */
import { parseDeclarationText, MAX_ALIAS_COUNT } from '../lib/declaration/load';
import { DeclarationError } from '../lib/declaration/problem';

function problems(text: string): { line?: number; rule: string }[] {
  try {
    parseDeclarationText(text, 'secrets.yaml');
  } catch (e) {
    if (e instanceof DeclarationError) return e.problems.map((p) => ({ line: p.line, rule: p.rule }));
    throw e;
  }
  return [];
}

test('merge keys work as YAML 1.1 defined them', () => {
  const { data } = parseDeclarationText('defaults: &d { platform: azure, createNamespace: false }\nservices:\n  a:\n    <<: *d\n    namespace: a\n', 'secrets.yaml');
  expect(data).toEqual({ defaults: { platform: 'azure', createNamespace: false }, services: { a: { platform: 'azure', createNamespace: false, namespace: 'a' } } });
});

test('a custom tag is refused with its line, not read as a string', () => {
  expect(problems('services:\n  a:\n    token: !vault prod/db\n')).toEqual([{ line: 3, rule: expect.stringMatching(/^YAML: custom tags are not supported \(Unresolved tag: !vault\)/) }]);
});

test(`more than ${MAX_ALIAS_COUNT} aliases are refused, even of an empty mapping`, () => {
  const flood = `a: &x {}\nb: [${Array(20_000).fill('*x').join(', ')}]\n`;
  expect(problems(flood)).toEqual([{ line: undefined, rule: `YAML: 20000 aliases; a declaration uses at most ${MAX_ALIAS_COUNT}` }]);
  expect(problems(`a: &x {}\nb: [${Array(10).fill('*x').join(', ')}]\n`)).toEqual([]);
});

test.each([
  ['an unclosed flow sequence', 'a: [1, 2\n'],
  ['an unclosed quote', 'a: "open\nb: 1\n'],
  ['a repeated key', 'a: 1\na: 2\n'],
  ['a misindented mapping', 'a:\n  - b\n c: d\n'],
])('%s is one problem', (_what, text) => {
  const found = problems(text);
  expect(found).toHaveLength(1);
  expect(found[0].rule).toMatch(/^YAML: /);
});
