import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { satisfies, type NameRule } from '../declaration/rules';

/**
 * A construct's input checks, run when the app is synthesized (`node.addValidation`): each value is
 * checked against the declaration's own naming rule, and every problem is reported at once, naming
 * the construct path, the field, the value and the rule's sentence, as the declaration's messages
 * do. A value that is a Terraform expression or a cdktf token is known only at apply: it is not
 * checked here.
 */
export class ConstructChecks {
  private readonly checks: (() => string | undefined)[] = [];

  constructor(private readonly scope: IConstruct) {
    scope.node.addValidation({ validate: () => this.checks.map((c) => c()).filter((m): m is string => m !== undefined) });
  }

  /** `field` (a path such as `secrets[0].secretId`) must satisfy `rule`; a missing value is reported as missing. */
  public rule(field: string, value: unknown, rule: NameRule): void {
    this.checks.push(() => {
      if (value === undefined || value === null) return `${this.scope.node.path}: ${field} is required (${rule.text})`;
      if (typeof value !== 'string') return `${this.scope.node.path}: ${field} ${describe(value)} is not a string (${rule.text})`;
      if (isExpression(value) || satisfies(rule, value)) return undefined;
      return `${this.scope.node.path}: ${field} ${JSON.stringify(value)} breaks rule ${rule.id}: ${rule.text}`;
    });
  }

  /** Every key of `record` must satisfy `keyRule`, every value `valueRule`. */
  public record(field: string, record: Readonly<Record<string, string>> | undefined, keyRule: NameRule, valueRule: NameRule): void {
    for (const [k, v] of Object.entries(record ?? {})) {
      this.checks.push(() =>
        isExpression(k) || satisfies(keyRule, k) ? undefined : `${this.scope.node.path}: ${field} key ${JSON.stringify(k)} breaks rule ${keyRule.id}: ${keyRule.text}`,
      );
      this.rule(`${field}[${JSON.stringify(k)}]`, v, valueRule);
    }
  }

  /** A free-form check: `problem()` returns the sentence after the construct path, or undefined. */
  public add(problem: () => string | undefined): void {
    this.checks.push(() => {
      const p = problem();
      return p === undefined ? undefined : `${this.scope.node.path}: ${p}`;
    });
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
