/**
 * Reading a declaration: from a YAML file (with limits on size, aliases and nesting, duplicate
 * keys refused, UTF-8 required) or from a typed object. Either way the result is a validated
 * Model or a DeclarationError listing every problem.
 */
import { readFileSync, statSync } from 'node:fs';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, visit, type Document, type Node } from 'yaml';
import { CORE_SCHEMA, load as loadPlainYaml } from 'js-yaml';
import { DeclarationError, type Problem } from './problem';
import { checkStructure } from './structure';
import { checkModel, resolveDeclaration, type Model } from './model';
import type { Declaration } from './schema';

/** Largest declaration file read, in bytes. */
export const MAX_DECLARATION_BYTES = 8 * 1024 * 1024;
/** Most YAML alias expansions allowed (guards against alias bombs). */
export const MAX_ALIAS_COUNT = 1000;
/** Deepest nesting of mappings and lists allowed. */
export const MAX_DEPTH = 64;

/**
 * Validates a typed declaration object; returns the model or throws DeclarationError.
 *
 * Every problem is reported at once: when the shape is wrong somewhere, the offending entries are
 * set aside and the cross-field rules still run on the rest.
 */
export function validateDeclaration(input: Declaration, source?: string): Model {
  return parseDeclaration(input, source);
}

/**
 * Validates data of unknown shape (parsed JSON or YAML, a JavaScript caller's object) as a
 * declaration; returns the model or throws DeclarationError listing every problem.
 */
export function parseDeclaration(input: unknown, source?: string): Model {
  const shape = plainDataProblem(input);
  if (shape) throw new DeclarationError([shape], source);
  const { declaration, problems } = checkStructure(input);
  if (!declaration) throw new DeclarationError([...problems, ...rulesOnTheRest(input, problems)], source);
  const model = resolveDeclaration(declaration);
  const more = checkModel(declaration, model);
  if (more.length > 0) throw new DeclarationError(more, source);
  return model;
}

/**
 * A declaration given as an object (not read from a file) is plain data: no value that contains
 * itself, no nesting deeper than MAX_DEPTH. The first such problem, or undefined.
 */
function plainDataProblem(input: unknown): Problem | undefined {
  const ancestors = new Set<object>();
  const walk = (value: unknown, path: (string | number)[]): Problem | undefined => {
    if (value === null || typeof value !== 'object') return undefined;
    if (ancestors.has(value)) return { path, rule: 'a declaration is plain data: this value contains itself' };
    if (path.length >= MAX_DEPTH) return { path, rule: `a declaration is nested at most ${MAX_DEPTH} levels deep` };
    ancestors.add(value);
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [k, v] of entries) {
      const p = walk(v, [...path, k]);
      if (p) return p;
    }
    ancestors.delete(value);
    return undefined;
  };
  return walk(input, []);
}

/**
 * Cross-field problems of what remains once the structurally broken parts are removed: a broken
 * key declaration goes whole (so that a broken `from` does not turn into an owned secret), a broken
 * list element goes, any other broken field alone; what that removal breaks in turn (a required
 * field now missing, a list now empty) goes too, until the rest is well-formed. Problems about
 * what was removed, or that its removal causes (an environment left without its cloud, a service
 * left without an environment of its platform), are not reported.
 */
function rulesOnTheRest(input: unknown, problems: readonly Problem[]): Problem[] {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return [];
  const copy = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
  const removed: (string | number)[][] = [];
  let pending: readonly Problem[] = problems;
  for (let round = 0; round < 8 && pending.length > 0; round++) {
    // Deepest first, and list elements from the end, so that earlier indexes stay valid.
    const targets = pending
      .map((p) => (p.path[0] === 'services' && p.path[2] === 'secrets' && p.path.length >= 5 ? p.path.slice(0, 5) : [...p.path]))
      .sort((a, b) => b.length - a.length || (typeof a[a.length - 1] === 'number' && typeof b[b.length - 1] === 'number' ? (b[b.length - 1] as number) - (a[a.length - 1] as number) : 0));
    for (const found of targets) {
      // A missing required field: what goes is the object that lacks it.
      const target = valueAt(copy, found) === undefined ? found.slice(0, -1) : found;
      if (target.length === 0) return [];
      let parent: unknown = copy;
      for (const seg of target.slice(0, -1)) parent = parent && typeof parent === 'object' ? (parent as Record<string | number, unknown>)[seg] : undefined;
      if (!parent || typeof parent !== 'object') continue;
      const last = target[target.length - 1];
      if (Array.isArray(parent) && typeof last === 'number') {
        if (last < parent.length) parent.splice(last, 1);
      } else delete (parent as Record<string, unknown>)[last as string];
      removed.push(target);
    }
    const again = checkStructure(copy);
    if (again.declaration) {
      const rest = again.declaration;
      const refs = removed.filter((r) => r.length === 5).map((r) => `${r[1]}/${r[3]}/${r[4]}`);
      // Clouds that lost their section: what their services report about it is the removal's doing.
      const cloudsLost = removed.filter((r) => r[0] === 'environments' && r.length >= 3 && (r[2] === 'gcp' || r[2] === 'azure'));
      const lostClouds = new Set(cloudsLost.map((r) => String(r[2])));
      const lostSections = cloudsLost.map((r) => `environment ${r[1]} has no ${r[2]} section`);
      const related = (a: readonly (string | number)[], b: readonly (string | number)[]) => a.every((seg, i) => i >= b.length || b[i] === seg);
      return checkModel(rest, resolveDeclaration(rest)).filter(
        (p) =>
          !removed.some((r) => related(r, p.path)) &&
          !refs.some((ref) => p.rule.includes(ref) || String(p.value).includes(ref)) &&
          !(p.path[0] === 'services' && p.path[2] === 'platform' && lostClouds.has(String(p.value))) &&
          !lostSections.some((text) => p.rule.includes(text)),
      );
    }
    pending = again.problems;
  }
  return [];
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let cur = root;
  for (const seg of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return cur;
}

function depthOf(value: unknown, limit: number): number {
  // Iterative, so that hostile nesting cannot overflow the stack.
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Object.values(v as object)) stack.push([child, d + 1]);
  }
  return max;
}

function lineOf(doc: Document, counter: LineCounter, path: readonly (string | number)[]): number | undefined {
  // The deepest node of the path that exists in the document.
  let node: unknown = doc.contents;
  let found: Node | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      found = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (!item) break;
      found = item as Node;
      node = item;
    } else break;
  }
  const offset = found?.range?.[0] ?? (doc.contents as Node | null)?.range?.[0];
  return offset === undefined ? undefined : counter.linePos(offset).line;
}

const YAML_MESSAGES: Record<string, string> = {
  DUPLICATE_KEY: 'a mapping repeats a key (each key may appear once)',
  MULTIPLE_DOCS: 'a declaration is one YAML document (remove the --- separators)',
};

/** The first place where a value is not plain data (a mapping, a list or a scalar), if any. */
function firstNonPlain(value: unknown): (string | number)[] | undefined {
  const stack: [unknown, (string | number)[]][] = [[value, []]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) continue;
    if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, [...path, i]]));
    else if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const [k, x] of Object.entries(v as object)) stack.push([x, [...path, k]]);
    } else return path;
  }
  return undefined;
}

/**
 * Deepest nesting of flow collections (`[` and `{` outside quotes and comments), found in one pass
 * before parsing, so that hostile nesting is refused without handing it to the parser.
 */
function flowDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let quote: string | undefined;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (comment) {
      if (c === '\n') comment = false;
      continue;
    }
    if (quote) {
      if (c === quote && text[i - 1] !== '\\') quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) comment = true;
    else if (c === '[' || c === '{') {
      depth += 1;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return max;
}

/** Parses YAML text into plain data, refusing what a declaration never needs. */
export function parseDeclarationText(text: string, source: string): { data: unknown; locate: (p: readonly (string | number)[]) => number | undefined } {
  const counter = new LineCounter();
  const fail = (rule: string, line?: number, path: (string | number)[] = []): never => {
    throw new DeclarationError([{ path, rule, line }], source);
  };
  if (flowDepth(text, MAX_DEPTH) > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels: a declaration is never that deep`);
  let doc: Document;
  try {
    // Merge keys (<<: *defaults) work as YAML 1.1 defined them.
    doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false, strict: true, version: '1.2', merge: true });
  } catch (e) {
    if (e instanceof RangeError) fail(`nesting deeper than ${MAX_DEPTH} levels: a declaration is never that deep`);
    throw e;
  }
  if (doc.errors.some((e) => /call stack/i.test(e.message))) fail(`nesting deeper than ${MAX_DEPTH} levels: a declaration is never that deep`);
  if (doc.errors.length > 0) {
    // One mistake, one problem: the parser may report it more than once.
    const seen = new Set<string>();
    const problems: Problem[] = [];
    for (const e of doc.errors) {
      const p = { path: [], rule: `YAML: ${YAML_MESSAGES[e.code] ?? e.message.split('\n')[0]}`, line: counter.linePos(e.pos[0]).line };
      const id = `${p.line}|${p.rule}`;
      if (seen.has(id)) continue;
      seen.add(id);
      problems.push(p);
    }
    throw new DeclarationError(problems, source);
  }
  // Custom tags (!vault x) would be read as plain strings: refused, as the README says.
  const tagged = doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (tagged.length > 0) {
    throw new DeclarationError(
      tagged.map((w) => ({ path: [], line: counter.linePos(w.pos[0]).line, rule: `YAML: custom tags are not supported (${w.message.split('\n')[0]}): a declaration holds plain mappings, lists and scalars` })),
      source,
    );
  }
  // Every alias counts, however small what it names: a file of thousands is not a declaration.
  let aliases = 0;
  visit(doc, { Alias: () => void aliases++ });
  if (aliases > MAX_ALIAS_COUNT) fail(`YAML: ${aliases} aliases; a declaration uses at most ${MAX_ALIAS_COUNT}`);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (e instanceof RangeError) fail(`nesting deeper than ${MAX_DEPTH} levels: a declaration is never that deep`);
    fail(`YAML: ${(e as Error).message.split('\n')[0]} (aliases may expand at most ${MAX_ALIAS_COUNT} times)`);
  }
  if (depthOf(data, MAX_DEPTH) > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels: a declaration is never that deep`);
  const odd = firstNonPlain(data);
  if (odd) fail('only mappings, lists, strings, numbers, booleans and null belong in a declaration (no tagged values such as !!binary)', lineOf(doc, counter, odd), odd);
  return { data, locate: (p) => lineOf(doc, counter, p) };
}

/**
 * The data of a declaration text that needs none of the careful parser's checks (one document, no
 * anchors or aliases, no tags beyond YAML 1.2's core schema, no repeated keys, nesting within
 * MAX_DEPTH), read by js-yaml, several times faster; undefined for any other text, which the careful
 * parser then reads and reports on. Both parsers give the same data for what this accepts.
 */
export function plainDeclarationData(text: string): unknown {
  if (flowDepth(text, MAX_DEPTH) > MAX_DEPTH) return undefined;
  let data: unknown;
  try {
    data = loadPlainYaml(text, { schema: CORE_SCHEMA, maxAliases: 0, maxDepth: MAX_DEPTH, json: false });
  } catch {
    return undefined;
  }
  return firstNonPlain(data) === undefined && depthOf(data, MAX_DEPTH) <= MAX_DEPTH ? data : undefined;
}

/** Reads, parses and validates a declaration file. Throws DeclarationError with every problem. */
export function loadDeclarationFile(file: string): Model {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw Object.assign(new Error('not a file'), { code: 'not a regular file' });
    size = stat.size;
  } catch (e) {
    throw new DeclarationError([{ path: [], value: file, rule: `cannot read the declaration file (${(e as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  if (size > MAX_DECLARATION_BYTES) {
    throw new DeclarationError([{ path: [], value: `${size} bytes`, rule: `a declaration file is at most ${MAX_DECLARATION_BYTES} bytes` }], file);
  }
  const bytes = readFileSync(file);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DeclarationError([{ path: [], rule: 'the declaration file must be UTF-8 text' }], file);
  }
  // A valid declaration of plain YAML takes the fast path; anything else, valid or not, is read
  // again by the careful parser, whose problems carry their lines.
  const plain = plainDeclarationData(text);
  if (plain !== undefined) {
    try {
      return parseDeclaration(plain, file);
    } catch (e) {
      if (!(e instanceof DeclarationError)) throw e;
    }
  }
  const { data, locate } = parseDeclarationText(text, file);
  try {
    return parseDeclaration(data, file);
  } catch (e) {
    if (!(e instanceof DeclarationError)) throw e;
    throw new DeclarationError(
      e.problems.map((p) => ({ ...p, line: p.line ?? locate(p.path) })),
      file,
    );
  }
}
