import type { Finding, Note } from './types';

/** Examples shown per rule in the text form; the JSON form lists every finding. */
export const EXAMPLES_PER_RULE = 5;

function where(f: Finding): string {
  return `${f.stack} ${f.resource}${f.declarationPath ? ` (declared at ${f.declarationPath})` : ''}: ${f.message}`;
}

/**
 * Open findings as text for people, grouped by rule (errors first): per rule its severity, id and
 * count, up to `examples` findings, how many more there are, and the fix. Ten thousand findings of
 * one rule read as one group, not ten thousand lines.
 */
export function formatFindings(findings: readonly Finding[], examples = EXAMPLES_PER_RULE): string[] {
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) if (!f.suppressed) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  const order = (f: Finding) => (f.severity === 'error' ? 0 : 1);
  const lines: string[] = [];
  for (const group of [...byRule.values()].sort((a, b) => order(a[0]) - order(b[0]) || (a[0].rule < b[0].rule ? -1 : 1))) {
    const first = group[0];
    const sorted = [...group].sort((a, b) => (a.stack + a.resource + a.message < b.stack + b.resource + b.message ? -1 : 1));
    lines.push(`${first.severity.toUpperCase()} ${first.rule}: ${group.length} finding${group.length === 1 ? '' : 's'}`);
    for (const f of sorted.slice(0, examples)) lines.push(`  - ${where(f)}`);
    if (group.length > examples) lines.push(`  - ... and ${group.length - examples} more (npm run check -- --format json lists every finding)`);
    lines.push(`  fix: ${first.fix}`);
  }
  return lines;
}

/** Findings as JSON, for machines: stable order, every field. */
export function findingsJson(findings: readonly Finding[], notes: readonly Note[]): Record<string, unknown> {
  const sort = <T extends { rule: string; stack: string; resource: string }>(xs: T[]) => [...xs].sort((a, b) => (a.rule + a.stack + a.resource < b.rule + b.stack + b.resource ? -1 : 1));
  return {
    errors: sort(findings.filter((f) => f.severity === 'error' && !f.suppressed)),
    warnings: sort(findings.filter((f) => f.severity === 'warning' && !f.suppressed)),
    suppressed: sort(findings.filter((f) => f.suppressed)),
    notes: sort([...notes]),
  };
}
