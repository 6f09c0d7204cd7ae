import type { Finding, Note } from './types';

function line(f: Finding): string {
  const where = f.declarationPath ? ` (declared at ${f.declarationPath})` : '';
  return `${f.severity.toUpperCase()} ${f.rule} ${f.stack} ${f.resource}${where}: ${f.message}\n    fix: ${f.fix}`;
}

/** Findings as text, errors first, for people. */
export function formatFindings(findings: readonly Finding[]): string[] {
  const open = findings.filter((f) => !f.suppressed);
  const order = (f: Finding) => (f.severity === 'error' ? 0 : 1);
  return [...open].sort((a, b) => order(a) - order(b) || (a.rule + a.stack + a.resource < b.rule + b.stack + b.resource ? -1 : 1)).map(line);
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
