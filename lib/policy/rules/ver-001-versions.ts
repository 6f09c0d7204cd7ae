import { formatPath } from '../../declaration/problem';
import type { PolicyRule, Violation } from '../types';

/** SW-VER-001: in production, each ExternalSecret pins the version it reads, so a change shows in review. */
export const ver001Versions: PolicyRule = {
  id: 'SW-VER-001',
  severity: 'warning',
  description: 'Production ExternalSecrets pin the version of every remote secret they read.',
  fix: 'Set version on the key (and bump it when the value changes), or suppress the rule on the key or service with the reason it follows the latest version.',
  check(ctx) {
    const out: Violation[] = [];
    const facts = ctx.facts;
    if (!facts?.production) return out;
    for (const o of facts.objects) {
      if (o.kind !== 'ExternalSecret') continue;
      const service = o.metadata.labels?.['secret-wiring.dev/service'];
      for (const d of ((o as { spec?: any }).spec?.data ?? []) as any[]) {
        if (d.remoteRef?.version) continue;
        out.push({
          resource: `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`,
          message: `${d.secretKey} reads the latest version of ${d.remoteRef?.key}`,
          declarationPath: service ? formatPath(['services', service, 'secrets', o.metadata.name, d.secretKey]) : undefined,
        });
      }
    }
    return out;
  },
};
