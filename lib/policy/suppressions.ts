import type { Model } from '../declaration/model';
import type { Problem } from '../declaration/problem';
import { RULE_IDS } from './pack';
import { CLOUD_LIMITS } from '../limits/cloud-limits';

/**
 * Suppressions that name no rule of the pack nor a limit that may be suppressed (a throttling
 * warning, per environment), as declaration problems (path, value, rule).
 */
export function unknownSuppressions(model: Model): Problem[] {
  const problems: Problem[] = [];
  const index = new Map<string, number>();
  for (const s of model.suppressions) {
    const key = s.scope.join('\u0000');
    const i = index.get(key) ?? 0;
    index.set(key, i + 1);
    const limit = CLOUD_LIMITS.find((l) => l.rule === s.rule);
    const at = [...s.scope, 'suppressions', i, 'rule'];
    if (limit?.severity === 'error') problems.push({ path: at, value: s.rule, rule: `${s.rule} (${limit.what} ${limit.unit}) cannot be suppressed: past that limit the deploy fails` });
    else if (limit && !(s.scope.length === 2 && s.scope[0] === 'environments')) problems.push({ path: at, value: s.rule, rule: `${s.rule} is suppressed per environment (environments.<name>.suppressions): its figures count a whole environment` });
    else if (!limit && !RULE_IDS.includes(s.rule)) problems.push({ path: at, value: s.rule, rule: `no such rule; the rules are ${[...RULE_IDS, ...CLOUD_LIMITS.filter((l) => l.severity === 'warning').map((l) => l.rule)].join(', ')}` });
  }
  return problems;
}
