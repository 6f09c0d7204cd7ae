import type { Model } from '../declaration/model';
import type { Problem } from '../declaration/problem';
import { RULE_IDS } from './pack';

/** Suppressions that name no rule of the pack, as declaration problems (path, value, rule). */
export function unknownSuppressions(model: Model): Problem[] {
  const problems: Problem[] = [];
  const index = new Map<string, number>();
  for (const s of model.suppressions) {
    const key = s.scope.join('\u0000');
    const i = index.get(key) ?? 0;
    index.set(key, i + 1);
    if (!RULE_IDS.includes(s.rule)) problems.push({ path: [...s.scope, 'suppressions', i, 'rule'], value: s.rule, rule: `no such rule; the rules are ${RULE_IDS.join(', ')}` });
  }
  return problems;
}
