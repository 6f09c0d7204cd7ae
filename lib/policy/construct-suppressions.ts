import type { IConstruct } from 'constructs';
import { RULE_IDS } from './pack';

/** A rule excused for a construct and everything under it. */
export interface ConstructSuppression {
  readonly rule: string;
  readonly reason: string;
}

const suppressions = new WeakMap<IConstruct, ConstructSuppression[]>();

/** Shortest reason accepted, as in the declaration's suppressions. */
const MIN_REASON = 10;

/**
 * Excuses a policy rule for a construct and everything under it (a stack, a construct of the
 * product's, a resource of the user's own), with the reason the findings and the access report
 * show. An unknown rule or a reason shorter than 10 characters is refused.
 */
export function suppressPolicy(scope: IConstruct, rule: string, reason: string): void {
  if (!RULE_IDS.includes(rule)) throw new Error(`${scope.node.path}: suppressPolicy rule ${JSON.stringify(rule)} is not a rule of the pack (${RULE_IDS.join(', ')})`);
  if (typeof reason !== 'string' || reason.trim().length < MIN_REASON) {
    throw new Error(`${scope.node.path}: suppressPolicy(${rule}) reason ${JSON.stringify(reason)} is too short: a reason of at least ${MIN_REASON} characters says why the rule does not apply here`);
  }
  const list = suppressions.get(scope) ?? [];
  list.push({ rule, reason });
  suppressions.set(scope, list);
}

/** The suppression of `rule` on `scope` or its nearest ancestor that has one, with where it is. */
export function suppressionOf(scope: IConstruct, rule: string): { suppression: ConstructSuppression; at: string } | undefined {
  for (const s of [...scope.node.scopes].reverse()) {
    const found = suppressions.get(s)?.find((x) => x.rule === rule);
    if (found) return { suppression: found, at: s.node.path };
  }
  return undefined;
}
