import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { EXIT_OK } from '../stacks/synthesize';
import { EXAMPLE, listFiles, synthIn } from './support/synth';

function freshRoot(): string {
  return mkdtempSync(join(tmpdir(), 'synth-out-'));
}

describe('generated/ holds other files too', () => {
  test("GIVEN a team's own files under generated/ WHEN synthesized again THEN they stay, and only the product's stale files go", () => {
    const root = freshRoot();
    copyFileSync(EXAMPLE, join(root, 'secrets.yaml'));
    expect(synthIn(root, 'secrets.yaml').code).toBe(EXIT_OK);
    mkdirSync(join(root, 'generated', 'production', 'my-app'), { recursive: true });
    writeFileSync(join(root, 'generated', 'production', 'my-app', 'deployment.yaml'), 'kind: Deployment\n');
    writeFileSync(join(root, 'generated', 'production', 'azure', 'identities.env'), 'demo=11111111-1111-1111-1111-111111111111\n');
    mkdirSync(join(root, 'generated', 'staging'));
    writeFileSync(join(root, 'generated', 'staging', 'other.yaml'), 'kind: ConfigMap\n');
    // service-b leaves the declaration.
    const decl = parse(readFileSync(EXAMPLE, 'utf8'));
    delete decl.services['service-b'];
    writeFileSync(join(root, 'secrets.yaml'), stringify(decl));
    const r = synthIn(root, 'secrets.yaml');
    expect(r.code).toBe(EXIT_OK);
    expect(readFileSync(join(root, 'generated', 'production', 'my-app', 'deployment.yaml'), 'utf8')).toBe('kind: Deployment\n');
    expect(readFileSync(join(root, 'generated', 'production', 'azure', 'identities.env'), 'utf8')).toMatch(/^demo=1111/);
    expect(readFileSync(join(root, 'generated', 'staging', 'other.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
    expect(existsSync(join(root, 'generated', 'production', 'service-b'))).toBe(false);
    expect(existsSync(join(root, 'generated', 'production', 'service-a', 'externalsecret-secret-a.yaml'))).toBe(true);
  });
});

test('GIVEN the example with every map and list reordered WHEN synthesized THEN every output file is byte-identical', () => {
  const reverse = (o: any): any =>
    Array.isArray(o) ? [...o].reverse().map(reverse) : o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).reverse().map(([k, v]) => [k, reverse(v)])) : o;
  const a = freshRoot();
  const b = freshRoot();
  copyFileSync(EXAMPLE, join(a, 'secrets.yaml'));
  writeFileSync(join(b, 'secrets.yaml'), stringify(reverse(parse(readFileSync(EXAMPLE, 'utf8')))));
  const ra = synthIn(a, 'secrets.yaml');
  const rb = synthIn(b, 'secrets.yaml');
  expect(rb.code).toBe(0);
  const files = (root: string) => listFiles(root).filter((f) => !f.endsWith('secrets.yaml')).map((f) => [f.slice(root.length), readFileSync(f, 'utf8')]);
  expect(files(b)).toEqual(files(a));
  expect(ra.stacks['evaluation-gcp']).toEqual(rb.stacks['evaluation-gcp']);
});

test("GIVEN a team's empty folder and a symbolic link under generated/<env> WHEN synthesized again THEN both stay as they were, the link not followed", () => {
  const root = freshRoot();
  copyFileSync(EXAMPLE, join(root, 'secrets.yaml'));
  expect(synthIn(root, 'secrets.yaml').code).toBe(EXIT_OK);
  const outside = mkdtempSync(join(tmpdir(), 'outside-'));
  writeFileSync(join(outside, 'keep.txt'), 'mine\n');
  mkdirSync(join(root, 'generated', 'production', 'later'));
  require('node:fs').symlinkSync(outside, join(root, 'generated', 'production', 'elsewhere'));
  expect(synthIn(root, 'secrets.yaml').code).toBe(EXIT_OK);
  const { lstatSync, readdirSync } = require('node:fs');
  expect(readdirSync(join(root, 'generated', 'production', 'later'))).toEqual([]);
  expect(lstatSync(join(root, 'generated', 'production', 'elsewhere')).isSymbolicLink()).toBe(true);
  expect(readdirSync(outside)).toEqual(['keep.txt']);
  expect(readFileSync(join(outside, 'keep.txt'), 'utf8')).toBe('mine\n');
});
