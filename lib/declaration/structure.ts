/**
 * Structural validation: types, required and unknown fields, naming patterns. Runs the declaration's
 * JSON Schema through ajv and turns each ajv error into a Problem (path, value, rule).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { DeclarationSchema, type Declaration } from './schema';
import type { Problem } from './problem';

/** Fields someone might use to paste a secret value into the declaration. */
const VALUE_FIELDS = new Set(['value', 'values', 'data', 'stringData', 'secretValue', 'secret_value', 'password', 'plaintext', 'secretData']);

export const VALUE_RULE =
  'secret values never belong in the declaration (it is committed to Git): declare the key only, then add the value to the remote secret out of band (see "How a value gets in" in the README)';

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, allowUnionTypes: true });
    ajv.addKeyword({ keyword: 'x-rule', schemaType: 'string' });
    validator = ajv.compile(DeclarationSchema);
  }
  return validator;
}

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
      // A pasted secret value is never echoed back into logs.
      return { path: [...at, field], value: VALUE_FIELDS.has(field) ? '<redacted>' : lookup(root, [...at, field]), rule };
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
    default:
      return { path: at, value: lookup(root, at), rule: e.message ?? e.keyword };
  }
}

/** Checks shape, types and naming patterns; returns every problem found. */
export function checkStructure(input: unknown): { declaration?: Declaration; problems: Problem[] } {
  const validate = compile();
  if (validate(input)) return { declaration: input as Declaration, problems: [] };
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const e of validate.errors ?? []) {
    const p = toProblem(input, e);
    if (!p) continue;
    const id = `${JSON.stringify(p.path)}|${p.rule}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(p);
  }
  return { problems };
}
