import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

// The API reference (npm run docs) is generated from the doc comments: every optional field of an
// exported props, options, settings or spec interface says what happens when it is left out.
const ROOT = join(__dirname, '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.ts') && !n.endsWith('.d.ts') ? [p] : [];
  });
}

function undocumentedDefaults(): string[] {
  const out: string[] = [];
  for (const file of [...files(join(ROOT, 'lib')), ...files(join(ROOT, 'stacks'))]) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    source.forEachChild((node) => {
      if (!ts.isInterfaceDeclaration(node) || !/(Props|Options|Settings|Spec)$/.test(node.name.text)) return;
      if (!node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return;
      for (const m of node.members) {
        if (!ts.isPropertySignature(m) || !m.questionToken) continue;
        const tags = ts.getJSDocTags(m).map((t) => t.tagName.text);
        if (!tags.includes('default')) out.push(`${relative(ROOT, file)}: ${node.name.text}.${m.name.getText(source)}`);
      }
    });
  }
  return out;
}

test('every optional field of a props, options, settings or spec interface documents its @default', () => {
  expect(undocumentedDefaults()).toEqual([]);
});
