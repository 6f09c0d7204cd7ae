import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { satisfies, type NameRule } from '../declaration/rules';

/**
 * A construct's input checks, reported when the app is synthesized (`node.addValidation`): each
 * value is checked against the declaration's own naming rule when it is given, and every problem is
 * reported at once, naming the construct path, the field, the value and the rule (its id and its
 * sentence), as the declaration's messages do. Only problems are kept. A value that is a Terraform
 * expression or a cdktf token is known only at apply: it is not checked here.
 */
export class ConstructChecks {
  private readonly problems: string[] = [];

  constructor(private readonly scope: IConstruct) {
    scope.node.addValidation({ validate: () => [...this.problems] });
  }

  /**
   * `field` (a path such as `secrets["db"].secretId`, or a function giving it, built only for a
   * problem) must satisfy `rule`; a missing value is reported as missing.
   */
  public rule(field: string | (() => string), value: unknown, rule: NameRule): void {
    if (typeof value === 'string' && (satisfies(rule, value) || isExpression(value))) return;
    const name = typeof field === 'string' ? field : field();
    if (value === undefined || value === null) this.report(`${name} is required (rule ${rule.id}: ${rule.text})`);
    else if (typeof value !== 'string') this.report(`${name} ${describe(value)} is not a string (rule ${rule.id}: ${rule.text})`);
    else this.report(`${name} ${JSON.stringify(value)} breaks rule ${rule.id}: ${rule.text}`);
  }

  /** Every key of `record` must satisfy `keyRule`, every value `valueRule`. */
  public record(field: string | (() => string), record: Readonly<Record<string, string>> | undefined, keyRule: NameRule, valueRule: NameRule): void {
    if (record === undefined) return;
    if (record === null || typeof record !== 'object') {
      this.report(`${typeof field === 'string' ? field : field()} ${describe(record)} is not a map of strings`);
      return;
    }
    for (const [k, v] of Object.entries(record)) {
      if (!(satisfies(keyRule, k) || isExpression(k))) this.report(`${typeof field === 'string' ? field : field()} key ${JSON.stringify(k)} breaks rule ${keyRule.id}: ${keyRule.text}`);
      this.rule(() => `${typeof field === 'string' ? field : field()}[${JSON.stringify(k)}]`, v, valueRule);
    }
  }

  private report(problem: string): void {
    this.problems.push(`${this.scope.node.path}: ${problem}`);
  }
}

/** True for a value known only at apply: a Terraform expression (`${...}`) or an unresolved cdktf token. */
export function isExpression(value: string): boolean {
  return value.includes('${') || Token.isUnresolved(value);
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Throws unless `value` is a non-empty literal string: a field that names a Terraform block (a
 * key, a secret id) must be known at plan time and the same on every synthesis, which a missing
 * value, an expression or a cdktf token is not.
 *
 * @param where the construct path and call, e.g. `app/stack/Secrets: addSecret`
 */
export function requireLiteral(where: string, field: string, value: unknown): asserts value is string {
  if (typeof value === 'string' && value.length > 0 && !isExpression(value)) return;
  const what =
    value === undefined || value === null || value === ''
      ? 'is required'
      : typeof value !== 'string'
        ? `${describe(value)} is not a string`
        : `${Token.isUnresolved(value) ? 'is a cdktf token' : `${JSON.stringify(value)} is a Terraform expression`}, known only at apply`;
  throw new Error(`${where}: ${field} ${what}; it names a Terraform block, so it must be a literal known at plan time`);
}

/** Throws unless the construct was given its props object (a JavaScript caller may pass none). */
export function requireProps(scope: IConstruct, props: unknown): void {
  if (props === null || typeof props !== 'object') throw new Error(`${scope.node.path}: props ${describe(props)} is not an object; this construct needs its props`);
}
