/**
 * Structural validation: types, required and unknown fields, naming patterns. Runs the declaration's
 * JSON Schema through ajv and turns each ajv error into a Problem (path, value, rule).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Declaration } from './schema';
import type { Problem } from './problem';

/** Fields someone might use to paste a secret value into the declaration. */
const VALUE_FIELDS = new Set([
  'value', 'values', 'data', 'stringData', 'secretValue', 'secret_value', 'password', 'passwd', 'pwd', 'plaintext', 'secretData',
  'secret', 'token', 'apiKey', 'api_key', 'apikey', 'privateKey', 'private_key', 'credentials', 'credential', 'clientSecret', 'client_secret', 'connectionString',
]);

/** What a problem shows instead of a value that may be secret material. */
export const REDACTED = '<redacted>';

export const VALUE_RULE =
  'secret values never belong in the declaration (it is committed to Git): declare the key only, then add the value to the remote secret out of band (see "How a value gets in" in the README)';

/** The schema's validator, generated as code by `npm run schema` (see published.ts). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validator: ValidateFunction = require('./generated/structure-validator');

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function lookup(root: unknown, path: readonly (string | number)[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return cur;
}

function withIndexes(root: unknown, path: (string | number)[]): (string | number)[] {
  // Array indexes come from JSON pointers as strings; give them back as numbers.
  const out: (string | number)[] = [];
  let cur: unknown = root;
  for (const seg of path) {
    if (Array.isArray(cur) && /^[0-9]+$/.test(String(seg))) {
      out.push(Number(seg));
    } else {
      out.push(seg);
    }
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg as string] : undefined;
  }
  return out;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

function ruleOf(schema: unknown): string | undefined {
  return schema && typeof schema === 'object' ? ((schema as Record<string, unknown>)['x-rule'] as string | undefined) : undefined;
}

function toProblem(root: unknown, e: ErrorObject): Problem | undefined {
  if ((e as { propertyName?: string }).propertyName !== undefined) return undefined; // reported by the propertyNames error
  const at = withIndexes(root, pointerToPath(e.instancePath));
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((parent?.properties as object) ?? {}).filter((k) => k !== '$schema');
      const rule = VALUE_FIELDS.has(field) ? VALUE_RULE : `unknown field "${field}"; allowed fields: ${allowed.join(', ')}`;
      // An unknown field's value is never shown, wherever it is: it may be a pasted secret.
      return { path: [...at, field], value: REDACTED, rule };
    }
    case 'propertyNames': {
      const name = (e.params as { propertyName: string }).propertyName;
      const rule = ruleOf(parent?.propertyNames) ?? 'invalid name';
      return { path: [...at, name], value: name, rule };
    }
    case 'required': {
      const field = (e.params as { missingProperty: string }).missingProperty;
      return { path: [...at, field], rule: 'required field is missing' };
    }
    case 'type': {
      const expected = (e.params as { type: string | string[] }).type;
      const want = Array.isArray(expected) ? expected.join(' or ') : expected;
      const extra = ruleOf(parent);
      const value = lookup(root, at);
      return { path: at, value, rule: `must be ${want === 'object' ? 'a mapping' : want === 'array' ? 'a list' : `a ${want}`}, not ${describeType(value)}${extra ? ` (${extra})` : ''}` };
    }
    case 'pattern':
    case 'maxLength':
    case 'minLength':
    case 'enum':
      return { path: at, value: lookup(root, at), rule: ruleOf(parent) ?? e.message ?? e.keyword };
    case 'minItems':
    case 'minProperties':
      return { path: at, value: lookup(root, at), rule: `must have at least ${(e.params as { limit: number }).limit} entr${(e.params as { limit: number }).limit === 1 ? 'y' : 'ies'}` };
    case 'uniqueItems':
      return { path: at, value: lookup(root, at), rule: 'entries must not repeat' };
    case 'anyOf':
      return { path: at, value: lookup(root, at), rule: ruleOf(parent) ?? e.message ?? e.keyword };
    default:
      return { path: at, value: lookup(root, at), rule: e.message ?? e.keyword };
  }
}

/** Fields of a key declaration whose values are names, never secret material. */
const KEY_FIELDS = new Set(['remoteName', 'adopt', 'version', 'property', 'environments', 'from', 'labels', 'deletionProtection', 'suppressions']);

/**
 * Whether a problem's value may be secret material that someone pasted: anything under
 * `services.*.secrets` that is not one of a key declaration's known fields.
 */
function mayHoldValue(path: readonly (string | number)[]): boolean {
  if (path[0] !== 'services' || path[2] !== 'secrets' || path.length < 4) return false;
  return path.length < 6 || !KEY_FIELDS.has(String(path[5]));
}

/** Replaces a value that may be secret material, and says where values go instead. */
function redact(p: Problem): Problem {
  if (!mayHoldValue(p.path) || p.value === undefined) return p;
  if (p.value === p.path[p.path.length - 1]) return p; // a name that breaks a naming rule
  if (p.value !== null && typeof p.value === 'object' && !Array.isArray(p.value)) {
    // A mapping of options is fine to show unless it holds scalars in unknown fields, which the
    // unknown-field problems below it report (redacted).
    return p.path.length === 5 ? p : { ...p, value: REDACTED };
  }
  const rule = p.rule.includes(VALUE_RULE) ? p.rule : `${p.rule}; ${VALUE_RULE}`;
  return { ...p, value: REDACTED, rule };
}

/** Checks shape, types and naming patterns; returns every problem found. */
export function checkStructure(input: unknown): { declaration?: Declaration; problems: Problem[] } {
  const validate = validator;
  if (validate(input)) return { declaration: input as Declaration, problems: [] };
  const seen = new Set<string>();
  const problems: Problem[] = [];
  // A value that matches no alternative of a union is one problem, stated by the union's rule, not
  // one per alternative it fails.
  const unions = (validate.errors ?? []).filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath);
  const insideUnion = (e: ErrorObject) => e.keyword !== 'anyOf' && unions.some((u) => e.instancePath === u || e.instancePath.startsWith(`${u}/`));
  for (const e of validate.errors ?? []) {
    if (insideUnion(e)) continue;
    const found = toProblem(input, e);
    if (!found) continue;
    const p = redact(found);
    const id = `${JSON.stringify(p.path)}|${p.rule}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(p);
  }
  return { problems };
}
