import { Aspects, TerraformStack } from 'cdktf';
import { PolicyAspect, PolicyReport } from './policy-aspect';
import type { EnvironmentFacts, PolicyRule } from './types';
import { addressOwners } from '../terraform/address-claims';

export interface ApplyPolicyOptions {
  /** @default - the whole rule pack (RULE_PACK) */
  readonly rules?: readonly PolicyRule[];
  /** What a declaration says about the stack's environment, for the rules that compare with it. @default - generic rules only */
  readonly facts?: EnvironmentFacts;
  /** Report to add the stack's findings to (one report for several stacks). @default - a new report */
  readonly report?: PolicyReport;
  /** Fail synthesis on findings of severity error that no suppression excuses. @default true */
  readonly failOnError?: boolean;
}

const applied = new WeakSet<TerraformStack>();

/**
 * Runs the rule pack over a stack of the user's own when the app is synthesized (the cdk-nag
 * model), on exactly the Terraform JSON it writes. Errors fail `app.synth()` (a validation of the
 * stack, listing each finding with its rule, resource and fix) unless `suppressPolicy` excuses them
 * on the construct behind them or an ancestor. Returns the report: findings, warnings, what was
 * suppressed and why, and the stack's resource instances for `accessReportOfStacks`.
 */
export function applyPolicy(stack: TerraformStack, options: ApplyPolicyOptions = {}): PolicyReport {
  const path = (stack as { node?: { path?: string } } | undefined)?.node?.path;
  if (!TerraformStack.isStack(stack)) throw new Error(`applyPolicy: ${path ?? String(stack)} is not a TerraformStack; apply the rule pack to each stack`);
  if (applied.has(stack)) throw new Error(`${stack.node.path}: applyPolicy is already applied to this stack (each finding would be reported twice)`);
  applied.add(stack);
  const report = options.report ?? new PolicyReport();
  Aspects.of(stack).add(new PolicyAspect({ report, suppressions: [], facts: options.facts, rules: options.rules }));
  if (options.failOnError ?? true) {
    stack.node.addValidation({
      validate: () => {
        const errors = report.errors.filter((f) => f.stack === stack.node.id);
        if (errors.length === 0) return [];
        const owners = addressOwners(stack);
        return errors.map((f) => {
          const owner = owners.get(f.resource) ?? owners.get(f.resource.replace(/\[[^\]]*\]$/, ''));
          return `${owner?.node.path ?? stack.node.path}: ${f.rule} ${f.resource}: ${f.message}; fix: ${f.fix} (or suppressPolicy(construct, "${f.rule}", reason))`;
        });
      },
    });
  }
  return report;
}
