import type { SuppressionModel } from '../declaration/model';
import { formatPath } from '../declaration/problem';
import type { Finding, Note, PolicyRule, RuleContext } from './types';
import { iam001SecretScope } from './rules/iam-001-secret-scope';
import { iam002Authoritative } from './rules/iam-002-authoritative';
import { lbl001Labels } from './rules/lbl-001-labels';
import { nam001Naming } from './rules/nam-001-naming';
import { del001Protection } from './rules/del-001-protection';
import { state001Values } from './rules/state-001-values';
import { ref001References } from './rules/ref-001-references';
import { xsv001CrossService } from './rules/xsv-001-cross-service';
import { ver001Versions } from './rules/ver-001-versions';

/** The rule pack, in id order. */
export const RULE_PACK: readonly PolicyRule[] = [
  del001Protection,
  iam001SecretScope,
  iam002Authoritative,
  lbl001Labels,
  nam001Naming,
  ref001References,
  state001Values,
  ver001Versions,
  xsv001CrossService,
];

export const RULE_IDS: readonly string[] = RULE_PACK.map((r) => r.id);

/** Whether a suppression at `scope` excuses a finding of `stack` declared at `path`. */
function covers(scope: readonly string[], path: string | undefined, ctx: RuleContext): boolean {
  // An environment's suppression covers everything that environment deploys.
  if (scope.length === 2 && scope[0] === 'environments' && ctx.facts?.environment === scope[1]) return true;
  if (!path) return false;
  // Paths are written by formatPath, which brackets names holding dots: prefixes are exact.
  const s = formatPath(scope);
  return path === s || path.startsWith(`${s}.`) || path.startsWith(`${s}[`);
}

/** Runs every rule on one stack and applies the declaration's suppressions. */
export function evaluatePolicy(ctx: RuleContext, suppressions: readonly SuppressionModel[], rules: readonly PolicyRule[] = RULE_PACK): { findings: Finding[]; notes: Note[] } {
  const findings: Finding[] = [];
  const notes: Note[] = [];
  for (const rule of rules) {
    for (const v of rule.check(ctx)) {
      const s = suppressions.find((x) => x.rule === rule.id && covers(x.scope, v.declarationPath, ctx));
      findings.push({
        ...v,
        rule: rule.id,
        severity: rule.severity,
        stack: ctx.stack,
        fix: rule.fix,
        ...(s ? { suppressed: { reason: s.reason, at: formatPath(s.scope) } } : {}),
      });
    }
  }
  if (rules.includes(nam001Naming)) for (const n of nam001Naming.notes(ctx)) notes.push({ ...n, stack: ctx.stack });
  return { findings, notes };
}
