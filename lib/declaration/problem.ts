/** One thing wrong with a declaration: where, what was found, and the rule it breaks. */
export interface Problem {
  /** Path of the offending value in the declaration, as object keys and array indexes. */
  readonly path: readonly (string | number)[];
  /** The offending value (absent when the problem is a missing value). */
  readonly value?: unknown;
  /** The rule broken, in words. */
  readonly rule: string;
  /** 1-based line in the declaration file, when it was read from one. */
  readonly line?: number;
}

const PLAIN_SEGMENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Paths already written, by path array: the model's paths are written many times over (plans, facts, reports). */
const written = new WeakMap<readonly (string | number)[], string>();

/** `services.service-a.secrets["app.config"].KEY` style path. */
export function formatPath(path: readonly (string | number)[]): string {
  let text = written.get(path);
  if (text === undefined) written.set(path, (text = writePath(path)));
  return text;
}

function writePath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((seg, i) => {
      if (typeof seg === 'number') return `[${seg}]`;
      if (PLAIN_SEGMENT.test(seg)) return i === 0 ? seg : `.${seg}`;
      return `[${JSON.stringify(seg)}]`;
    })
    .join('');
}

function formatValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function formatProblem(p: Problem): string {
  const where = p.line !== undefined ? `${formatPath(p.path)} (line ${p.line})` : formatPath(p.path);
  if (p.path.length === 0 && p.value === undefined) return `${where}: ${p.rule}`;
  return `${where}: ${formatValue(p.value)}: ${p.rule}`;
}

/** Raised when a declaration breaks one or more rules; lists every problem at once. */
export class DeclarationError extends Error {
  public readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[], source?: string) {
    const sorted = [...problems].sort(compareProblems);
    const head = `${source ? `${source}: ` : ''}the declaration has ${sorted.length} problem${sorted.length === 1 ? '' : 's'}:`;
    super([head, ...sorted.map((p) => `  - ${formatProblem(p)}`)].join('\n'));
    this.name = 'DeclarationError';
    this.problems = sorted;
  }
}

function compareProblems(a: Problem, b: Problem): number {
  const pa = formatPath(a.path);
  const pb = formatPath(b.path);
  if (pa !== pb) return pa < pb ? -1 : 1;
  return a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0;
}
