/**
 * generated/ is committed (the GitOps files a CD tool applies, as in the field report): what is in
 * git must be what the example synthesizes to.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { listFiles, synthFile, EXAMPLE } from './support/synth';

const ROOT = join(__dirname, '..');

test('the committed generated/ is what npm run synth writes for the example (run it and commit generated/ when this fails)', () => {
  const out = synthFile(EXAMPLE);
  expect(out.code).toBe(0);
  const committed = join(ROOT, 'generated');
  expect(existsSync(committed)).toBe(true);
  // identities.env files are written after an apply (npm run identities), not by synthesis.
  const files = listFiles(committed).map((f) => relative(committed, f)).filter((f) => !f.endsWith('identities.env')).sort();
  expect(files).toEqual(Object.keys(out.generated).sort());
  for (const f of files) expect([f, readFileSync(join(committed, f), 'utf8')]).toEqual([f, out.generated[f]]);
});

test('.gitignore keeps generated/ in git and the synthesized stacks out', () => {
  const ignore = readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n');
  expect(ignore).toContain('/cdktf.out/');
  expect(ignore.filter((l) => /generated/.test(l))).toEqual([]);
});
