import { TerraformStack, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import type { SuppressionModel } from '../declaration/model';
import { resourceInstances } from './inventory';
import { externalBlocks } from '../terraform/resource-blocks';
import { suppressionOf } from './construct-suppressions';
import { addressOwners, purposesOf } from '../terraform/address-claims';
import { evaluatePolicy } from './pack';
import type { EnvironmentFacts, Finding, Note, PolicyRule, ResourceInstance } from './types';

/** Findings and notes of every stack the aspect visited. */
export class PolicyReport {
  public readonly findings: Finding[] = [];
  public readonly notes: Note[] = [];
  /** The resource instances each visited stack synthesized, by stack name (for the access report). */
  public readonly instances = new Map<string, ResourceInstance[]>();

  /** Findings that stop synthesis: errors that no suppression excuses. */
  public get errors(): Finding[] {
    return this.findings.filter((f) => f.severity === 'error' && !f.suppressed);
  }

  public get warnings(): Finding[] {
    return this.findings.filter((f) => f.severity === 'warning' && !f.suppressed);
  }

  public get suppressed(): Finding[] {
    return this.findings.filter((f) => f.suppressed);
  }
}

export interface PolicyAspectProps {
  readonly report: PolicyReport;
  readonly suppressions: readonly SuppressionModel[];
  /** The environment this stack belongs to, for rules that compare with the declaration. @default - generic rules only */
  readonly facts?: EnvironmentFacts;
  /** @default - the whole rule pack */
  readonly rules?: readonly PolicyRule[];
  /**
   * Apply suppressions made with `suppressPolicy` on the construct behind a finding, or on one of
   * its ancestors. @default true
   */
  readonly constructSuppressions?: boolean;
}

/**
 * Runs the rule pack over a stack when it is synthesized (the cdk-nag model): on visiting the
 * stack it resolves the stack's Terraform JSON once (with its blocks file) and checks every resource instance, so the
 * rules see exactly what deploys.
 */
export class PolicyAspect implements IAspect {
  constructor(private readonly props: PolicyAspectProps) {}

  public visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node)) return;
    const stack = node as TerraformStack;
    const recorded = purposesOf(stack);
    const instances = resourceInstances(stack.toTerraform(), ...externalBlocks(stack)).map((i) => {
      const purpose = recorded.get(i.address);
      return purpose === undefined ? i : { ...i, purpose };
    });
    this.props.report.instances.set(stack.node.id, instances);
    const { findings, notes } = evaluatePolicy(
      { stack: stack.node.id, instances, facts: this.props.facts },
      this.props.suppressions,
      this.props.rules,
    );
    if (this.props.constructSuppressions ?? true) {
      const owners = addressOwners(stack);
      for (let i = 0; i < findings.length; i++) {
        const f = findings[i];
        const owner = owners.get(f.resource) ?? owners.get(f.resource.replace(/\[[^\]]*\]$/, ''));
        const s = f.suppressed === undefined && owner ? suppressionOf(owner, f.rule) : undefined;
        if (s) findings[i] = { ...f, suppressed: { reason: s.suppression.reason, at: s.at } };
      }
    }
    this.props.report.findings.push(...findings);
    this.props.report.notes.push(...notes);
  }
}
