/**
 * `npm run convert -- kes [--namespace NS] [--service S] [--env NAME] [--into DECLARATION] FILE...`
 * `npm run convert -- gcloud [--project P] [--env NAME] [--into DECLARATION] FILE...`
 *
 * Turns what teams have today into the declaration: stdout the declaration (a fragment, or with
 * --into the merged and validated whole); stderr one finding a line, `FILE[#N]: error|warning|note:
 * message`. Exit codes: 0 everything converted (warnings allowed); 1 something was rejected
 * (everything else is still converted and printed); 2 usage errors and unreadable files.
 */
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { convertKes } from '../lib/convert/kes';
import { convertGcloud } from '../lib/convert/gcloud';
import { declarationFragment, mergeIntoDeclaration } from '../lib/convert/declaration-out';
import { formatFinding, type ConvertedKey, type Finding } from '../lib/convert/findings';
import { parseDeclaration } from '../lib/declaration/load';
import { DeclarationError, formatPath } from '../lib/declaration/problem';

const USAGE =
  'usage: secret-wiring convert kes [--namespace NS] [--service S] [--env NAME] [--into DECLARATION] FILE...\n       secret-wiring convert gcloud [--project P] [--env NAME] [--into DECLARATION] FILE...';

function usage(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

// Never a stack trace: whatever breaks is one line and exit 2.
process.on('uncaughtException', (e) => {
  process.stderr.write(`convert: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
  process.exit(2);
});

const [kind, ...rest] = process.argv.slice(2);
if (kind !== 'kes' && kind !== 'gcloud') usage(kind === undefined ? 'name what to convert: kes or gcloud' : `cannot convert ${JSON.stringify(kind)}: kes and gcloud are what this command converts`);
const options: Record<string, string> = {};
const files: string[] = [];
for (let i = 0; i < rest.length; i++) {
  const a = rest[i];
  const m = (kind === 'kes' ? /^--(namespace|service|env|into)(?:=(.*))?$/ : /^--(project|env|into)(?:=(.*))?$/).exec(a);
  if (m) {
    const v = m[2] ?? rest[++i];
    if (v === undefined || v.startsWith('--')) usage(`--${m[1]} needs a value`);
    options[m[1]] = v;
  } else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else files.push(a);
}
if (files.length === 0) usage('name at least one file');

const findings: Finding[] = [];
const keys: ConvertedKey[] = [];
for (const file of files) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`${file}: error: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
    process.exit(2);
  }
  const r = kind === 'kes' ? convertKes(file, text, { namespace: options.namespace, service: options.service }) : convertGcloud(file, text, { project: options.project });
  keys.push(...r.keys);
  findings.push(...r.findings);
}
const environment = options.env ?? 'production';
let out: Record<string, unknown>;
if (options.into) {
  let existing: Record<string, unknown>;
  try {
    existing = parse(readFileSync(options.into, 'utf8'));
  } catch (e) {
    process.stderr.write(`${options.into}: error: cannot read the declaration (${(e as NodeJS.ErrnoException).code ?? (e as Error).message.split('\n')[0]})\n`);
    process.exit(2);
  }
  out = mergeIntoDeclaration(existing, keys, environment, findings);
  try {
    parseDeclaration(out, options.into);
  } catch (e) {
    if (!(e instanceof DeclarationError)) throw e;
    for (const p of e.problems) findings.push({ file: options.into, level: 'error', message: `the merged declaration: ${formatPath(p.path)}: ${p.rule}` });
  }
} else {
  out = declarationFragment(keys, { environment }, findings);
  if (out.environments) findings.push({ file: files[0], level: 'note', message: `environments.${environment} is a fragment: complete it (project number and clusters, or the Azure section) before it synthesizes` });
}
for (const f of findings) process.stderr.write(`${formatFinding(f)}\n`);
process.stdout.write(stringify(out));
process.exitCode = findings.some((f) => f.level === 'error') ? 1 : 0;
